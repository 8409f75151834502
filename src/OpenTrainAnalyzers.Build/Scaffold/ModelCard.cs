using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using OpenTrainAnalyzers.Build.Files;
using OpenTrainAnalyzers.Build.Weights;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace OpenTrainAnalyzers.Build.Scaffold;

/// <summary>A value of the card's YAML front matter, with its line in README.md.</summary>
internal sealed class CardNode
{
    private static readonly IReadOnlyList<CardNode> NoItems = Array.Empty<CardNode>();

    private CardNode(int line, int column)
    {
        Line = line;
        Column = column;
    }

    public string? Scalar { get; private set; }

    public List<KeyValuePair<string, CardNode>>? Mapping { get; private set; }

    public List<CardNode>? Sequence { get; private set; }

    public int Line { get; }

    public int Column { get; }

    public IReadOnlyList<CardNode> Items => Sequence ?? NoItems;

    public static CardNode NewScalar(string value, int line, int column) => new(line, column) { Scalar = value };

    public static CardNode NewMapping(int line, int column) => new(line, column) { Mapping = new List<KeyValuePair<string, CardNode>>() };

    public static CardNode NewSequence(int line, int column) => new(line, column) { Sequence = new List<CardNode>() };

    /// <summary>The value under <paramref name="key"/> of a mapping (the first, when a key repeats), or null.</summary>
    public CardNode? Get(string key) => Mapping?.FirstOrDefault(p => p.Key == key).Value;

    /// <summary>The non-empty text of a scalar under <paramref name="key"/>, or null.</summary>
    public string? Text(string key) => Get(key)?.Scalar is { } text && text.Trim().Length > 0 ? text.Trim() : null;

    /// <summary>A scalar or a sequence of scalars under <paramref name="key"/>, as a list (YAML cards use both forms).</summary>
    public List<(string Text, CardNode Node)> Texts(string key)
    {
        var node = Get(key);
        var texts = new List<(string, CardNode)>();
        if (node?.Scalar is { } single && single.Trim().Length > 0)
        {
            texts.Add((single.Trim(), node));
        }

        foreach (var item in node?.Items ?? NoItems)
        {
            if (item.Scalar is { } text && text.Trim().Length > 0)
            {
                texts.Add((text.Trim(), item));
            }
        }

        return texts;
    }

    /// <summary>A number written as a YAML scalar (plain, not quoted text such as "N/A").</summary>
    public double? Number(string key) =>
        Get(key)?.Scalar is { } text && double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            && !double.IsNaN(value) && !double.IsInfinity(value)
            ? value
            : null;
}

/// <summary>A problem with a source file of the scaffold, located in that file (OTL0016).</summary>
internal sealed class SourceProblem
{
    public SourceProblem(string file, int line, int column, string message)
    {
        File = file;
        Line = line;
        Column = column;
        Message = message;
    }

    public string File { get; }

    public int Line { get; }

    public int Column { get; }

    public string Message { get; }
}

/// <summary>
/// A Hugging Face model card: README.md whose YAML front matter (between two '---' lines at the top) carries the
/// Hub's metadata (license, base_model, datasets, pipeline_tag, model-index, ...). YAML is parsed by YamlDotNet's
/// event parser into a small tree with limits (size, depth, node count; aliases are not expanded), so a hostile card
/// gives a located problem, never an exception, a deep recursion or a large allocation.
/// </summary>
internal sealed class ModelCard
{
    public const long MaxCardBytes = 1024 * 1024;
    public const int MaxDepth = 32;
    public const int MaxNodes = 100_000;

    private ModelCard(string path, CardNode? root, List<SourceProblem> problems, string sha256)
    {
        FilePath = path;
        Root = root;
        Problems = problems;
        Sha256 = sha256;
    }

    public string FilePath { get; }

    /// <summary>The front matter's top-level mapping; null when the card has none or it cannot be read.</summary>
    public CardNode? Root { get; }

    public List<SourceProblem> Problems { get; }

    /// <summary>SHA-256 of the card file's bytes: the pin of the model card location.</summary>
    public string Sha256 { get; }

    public static ModelCard Read(string path)
    {
        var problems = new List<SourceProblem>();
        byte[] bytes = SafeFiles.ReadCapped(path, MaxCardBytes, out bool tooLarge);
        string sha256 = tooLarge ? WeightHasher.Hash(path) : Sha256Of(bytes); // the digest is of the whole file
        string text = new UTF8Encoding(false, false).GetString(bytes);
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text.Substring(1);
        }

        var lines = text.Split('\n');
        if (lines.Length == 0 || lines[0].TrimEnd('\r') != "---")
        {
            problems.Add(new SourceProblem(path, 1, 1, "The model card has no YAML front matter (a '---' line first, then the Hub's metadata, then '---'); nothing was taken from it."));
            return new ModelCard(path, null, problems, sha256);
        }

        int end = Array.FindIndex(lines, 1, l => l.TrimEnd('\r') == "---" || l.TrimEnd('\r') == "...");
        if (end < 0)
        {
            problems.Add(new SourceProblem(path, 1, 1, tooLarge
                ? $"The model card's front matter does not end within its first {MaxCardBytes / 1024} KiB; nothing was taken from it."
                : "The model card's front matter has no closing '---' line; nothing was taken from it."));
            return new ModelCard(path, null, problems, sha256);
        }

        string yaml = string.Join("\n", lines, 1, end - 1);
        var root = Parse(path, yaml, lineOffset: 1, problems);
        if (root is not null && root.Mapping is null)
        {
            problems.Add(new SourceProblem(path, root.Line, root.Column, "The model card's front matter is not a mapping of keys to values; nothing was taken from it."));
            root = null;
        }

        return new ModelCard(path, root, problems, sha256);
    }

    /// <summary>The YAML text's first document as a tree; null (with a problem) when it breaks a limit or the syntax.</summary>
    internal static CardNode? Parse(string file, string yaml, int lineOffset, List<SourceProblem> problems)
    {
        var stack = new Stack<(CardNode Node, string? PendingKey, bool ExpectKey)>();
        CardNode? root = null;
        int nodes = 0;
        var parser = new Parser(new StringReader(yaml));
        int lastLine = lineOffset;
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current;
                int line = (int)Math.Min(int.MaxValue - lineOffset, current!.Start.Line) + lineOffset;
                int column = (int)Math.Min(int.MaxValue, current.Start.Column);
                lastLine = line;
                switch (current)
                {
                    case DocumentEnd when root is not null:
                        return root; // a second document in the front matter is not the card's metadata
                    case MappingStart or SequenceStart or Scalar or AnchorAlias:
                        if (++nodes > MaxNodes)
                        {
                            problems.Add(new SourceProblem(file, line, column, $"The model card's front matter has more than {MaxNodes:N0} values; nothing was taken from it."));
                            return null;
                        }

                        break;
                }

                CardNode? node = current switch
                {
                    MappingStart => CardNode.NewMapping(line, column),
                    SequenceStart => CardNode.NewSequence(line, column),
                    Scalar scalar => CardNode.NewScalar(scalar.Value, line, column),
                    AnchorAlias => CardNode.NewScalar(string.Empty, line, column), // aliases are not expanded: no value
                    _ => null,
                };

                if (current is MappingEnd or SequenceEnd)
                {
                    if (stack.Count > 0)
                    {
                        stack.Pop();
                    }

                    continue;
                }

                if (node is null)
                {
                    continue;
                }

                if (stack.Count == 0)
                {
                    root ??= node;
                }
                else
                {
                    var (parent, pendingKey, expectKey) = stack.Pop();
                    if (parent.Sequence is not null)
                    {
                        parent.Sequence.Add(node);
                        stack.Push((parent, null, false));
                    }
                    else if (expectKey)
                    {
                        // A key: only plain text keys mean anything in a card; a complex key's value is skipped.
                        stack.Push((parent, node.Scalar ?? "\u0000complex", false));
                    }
                    else
                    {
                        if (pendingKey is not null && pendingKey[0] != '\u0000')
                        {
                            parent.Mapping!.Add(new KeyValuePair<string, CardNode>(pendingKey, node));
                        }

                        stack.Push((parent, null, true));
                    }
                }

                if (node.Mapping is not null || node.Sequence is not null)
                {
                    if (stack.Count >= MaxDepth)
                    {
                        problems.Add(new SourceProblem(file, line, column, $"The model card's front matter nests deeper than {MaxDepth} levels; nothing was taken from it."));
                        return null;
                    }

                    stack.Push((node, null, node.Mapping is not null));
                }
            }
        }
        catch (YamlException e)
        {
            int line = (int)Math.Min(int.MaxValue - lineOffset, e.Start.Line) + lineOffset;
            problems.Add(new SourceProblem(file, line, (int)Math.Min(int.MaxValue, e.Start.Column), $"The model card's front matter is not valid YAML ({Flatten(e.Message)}); nothing was taken from it. Fix the YAML and run the command again."));
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException)
        {
            // YamlDotNet's scanner throws these, not YamlException, on some malformed input (found by the mutation test):
            // the card is as unreadable as with a syntax error.
            problems.Add(new SourceProblem(file, lastLine, 1, $"The model card's front matter is not valid YAML (YamlDotNet stopped with {e.GetType().Name} after line {lastLine}); nothing was taken from it. Fix the YAML and run the command again."));
            return null;
        }

        if (root is null)
        {
            problems.Add(new SourceProblem(file, lineOffset, 1, "The model card's front matter is empty; nothing was taken from it."));
        }

        return root;
    }

    private static string Flatten(string message) => message.Replace('\r', ' ').Replace('\n', ' ');

    private static string Sha256Of(byte[] bytes)
    {
        using var sha = System.Security.Cryptography.SHA256.Create();
        return string.Concat(sha.ComputeHash(bytes).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }
}
