namespace OpenTrain.Lineage.Json;

/// <summary>A 1-based line/column position in a text file (columns count UTF-16 code units).</summary>
public readonly struct SourcePosition
{
    public SourcePosition(int line, int column)
    {
        Line = line;
        Column = column;
    }

    public int Line { get; }

    public int Column { get; }

    public override string ToString() => $"({Line},{Column})";
}

/// <summary>Where a JSON token or value sits in its file: offsets for tools, lines and columns for people.</summary>
public readonly struct SourceRange
{
    public SourceRange(int startOffset, int endOffset, SourcePosition start, SourcePosition end)
    {
        StartOffset = startOffset;
        EndOffset = endOffset;
        Start = start;
        End = end;
    }

    public int StartOffset { get; }

    public int EndOffset { get; }

    public SourcePosition Start { get; }

    public SourcePosition End { get; }

    public override string ToString() => $"{Start}-{End}";
}
