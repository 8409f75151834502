using OpenTrain.Lineage.Json;

namespace OpenTrain.Lineage;

/// <summary>One thing wrong with a manifest (or its weights), located at the JSON element to edit.</summary>
public sealed class LineageFinding
{
    public LineageFinding(LineageRule rule, string message, string jsonPath, SourceRange? range, LineageLevel requiredBy, FindingSeverity? severity = null)
    {
        Rule = rule;
        Message = message;
        JsonPath = jsonPath;
        Range = range;
        RequiredBy = requiredBy;
        Severity = severity ?? rule.DefaultSeverity;
    }

    public LineageRule Rule { get; }

    public string Id => Rule.Id;

    public FindingSeverity Severity { get; }

    public string Message { get; }

    /// <summary>JSONPath of the element concerned, e.g. <c>$.training.code.license</c>.</summary>
    public string JsonPath { get; }

    /// <summary>Where to point in the manifest; null when the finding is about the file as a whole.</summary>
    public SourceRange? Range { get; }

    /// <summary>The profile (e.g. osaid-1.0) this finding belongs to, or null for a level's finding.</summary>
    public string? Profile { get; internal set; }

    /// <summary>The lowest level that needs this element; findings above the required level are not reported.</summary>
    public LineageLevel RequiredBy { get; }

    public override string ToString() => $"{Id} {JsonPath} {Range}: {Message}";
}
