using System.Collections.Generic;
using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;

namespace OpenTrain.Lineage.Policy;

/// <summary>
/// One evaluation of one manifest against every level at once. Each component's rules live in their own file
/// (Identity, Weights, Derivation, TrainingData, Processing, Configuration, TrainingCode, Evaluation, Checkpoints,
/// Inference, Documentation) and the cross-cutting ones in theirs (Disclosure and locations, Licences, the OSAID
/// profile); this file holds the state they share and the helpers that turn a missing or empty field into a located
/// finding. <see cref="Run"/> runs the sections of <see cref="LevelTable"/>, the level table docs/manifest.md prints.
/// </summary>
internal sealed partial class PolicyRun
{
    private const LineageLevel Declared = LineageLevel.Declared;
    private const LineageLevel OpenWeights = LineageLevel.OpenWeights;
    private const LineageLevel OpenTooling = LineageLevel.OpenTooling;
    private const LineageLevel OpenScience = LineageLevel.OpenScience;

    private readonly LineageDocument _document;
    private readonly List<LineageFinding> _findings;

    // Converted, quantized and merged models were not trained: their training components may be not-applicable.
    private bool _noTrainingHappened;

    // Set while checking a profile: findings then belong to the profile, not to a level.
    private string? _profile;

    public PolicyRun(LineageDocument document, List<LineageFinding> findings)
    {
        _document = document;
        _findings = findings;
    }

    public void Run()
    {
        foreach (var section in LevelTable)
        {
            section.Check(this);
        }

        // The profile is checked beside the levels, not as a row of the level table.
        CheckOsaid();
    }

    /// <summary>The value of a required field, or null after reporting it missing (absent or null) or empty.</summary>
    private JsonValue? Need(ManifestField field, LineageLevel level, string what)
    {
        var value = field.Value;
        if (value is null || value.Kind == JsonValueKind.Null)
        {
            Missing(field, level, what);
            return null;
        }

        if ((value.Kind == JsonValueKind.Array && value.Items.Count == 0) || (value.Kind == JsonValueKind.Object && value.Properties.Count == 0))
        {
            Report(LineageRules.Empty, value, level, $"'{value.Path}' is empty; write {what}.");
            return null;
        }

        return value;
    }

    /// <summary>
    /// A required string: reported when missing, empty or a placeholder; narratives must also say something (three
    /// words, not an evasion such as "proprietary" unless <paramref name="allowEvasion"/>). Null when unusable.
    /// </summary>
    private JsonValue? Text(ManifestField field, LineageLevel level, string what, bool narrative = false, bool allowEvasion = false, LineageRule? rule = null, bool enumerated = false, FindingSeverity? severity = null)
    {
        var value = field.Value;
        if (value is null || value.Kind == JsonValueKind.Null)
        {
            Report(rule ?? LineageRules.Missing, field.Owner, level, $"Missing '{field.JsonPath}': write {what}.", severity, jsonPath: field.JsonPath);
            return null;
        }

        if (value.Kind != JsonValueKind.String)
        {
            return null; // the schema check already reported the wrong type
        }

        string text = value.Text!;
        if (text.Trim().Length == 0)
        {
            Report(LineageRules.Empty, value, level, $"'{value.Path}' is empty; write {what}.", severity);
            return null;
        }

        if (!enumerated && TextChecks.IsPlaceholder(text))
        {
            Report(LineageRules.Placeholder, value, level, $"'{value.Path}' is the placeholder '{text.Trim()}'; write {what}.", severity);
            return null;
        }

        if (narrative && !allowEvasion && TextChecks.IsEvasion(text))
        {
            Report(LineageRules.Placeholder, value, level, $"'{value.Path}' only says '{text.Trim()}'; describe {what} (if it cannot be published, mark the component 'closed' and say why in 'justification').", severity);
            return null;
        }

        if (narrative && TextChecks.WordCount(text) < 3)
        {
            Report(LineageRules.Placeholder, value, level, $"'{value.Path}' is too short to describe anything; write {what} in at least a sentence.", severity);
            return null;
        }

        return value;
    }

    private void Missing(ManifestField field, LineageLevel level, string what) =>
        Report(LineageRules.Missing, field.Owner, level, $"Missing '{field.JsonPath}': {(level > Declared ? $"{level.ToName()} requires " : "write ")}{what}.", jsonPath: field.JsonPath);

    /// <summary>A missing element is located at the start of the object that should contain it.</summary>
    private static SourceRange StartOf(JsonValue value) => new SourceRange(
        value.Range.StartOffset,
        value.Range.StartOffset + 1,
        value.Range.Start,
        new SourcePosition(value.Range.Start.Line, value.Range.Start.Column + 1));

    private void Report(LineageRule rule, JsonValue at, LineageLevel level, string message, FindingSeverity? severity = null, string? jsonPath = null) =>
        _findings.Add(new LineageFinding(rule, message, jsonPath ?? at.Path, jsonPath is null ? at.Range : StartOf(at), level, severity) { Profile = _profile });

    private void Report(LineageRule rule, ManifestNode at, LineageLevel level, string message, FindingSeverity? severity = null) =>
        Report(rule, at.Json, level, message, severity);

    /// <summary>"At open-tooling" for a level; "For the osaid-1.0 profile" while checking the profile.</summary>
    private string Requirement(LineageLevel level) => _profile is null ? "At " + level.ToName() : "For the " + _profile + " profile";

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);
}
