using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using OpenTrain.Lineage;
using OpenTrainAnalyzers.Build.Files;
using OpenTrainAnalyzers.Build.Findings;
using OpenTrainAnalyzers.Build.Weights;

namespace OpenTrainAnalyzers.Build.Reports;

/// <summary>A finding as the build saw it: where, how it was logged, and whether something suppressed it.</summary>
internal sealed class ReportedFinding
{
    public ReportedFinding(string file, string? manifest, string element, LineageFinding finding, string message)
    {
        File = file;
        Manifest = manifest;
        Element = element;
        Finding = finding;
        Message = message;
    }

    /// <summary>Where it is located: the manifest, or the project file for configuration and shipped-file findings.</summary>
    public string File { get; }

    public string? Manifest { get; }

    /// <summary>The JSON path in the manifest, or the item for findings about shipped files; what suppressions match.</summary>
    public string Element { get; }

    public LineageFinding Finding { get; }

    /// <summary>The message as logged (with its bracketed JSON path).</summary>
    public string Message { get; }

    /// <summary>The severity logged, or null when it was not logged (suppressed, or a warning listed in NoWarn).</summary>
    public FindingSeverity? Logged { get; set; }

    /// <summary>The severity it has with the project's WarningsAsErrors etc., whether or not it was logged.</summary>
    public FindingSeverity Severity { get; set; }

    /// <summary>Why it was not logged: an OpenTrainSuppress justification, or NoWarn.</summary>
    public string? SuppressionJustification { get; set; }

    public string? SuppressionUntil { get; set; }
}

/// <summary>A manifest and the level it reached.</summary>
internal sealed class ModelSummary
{
    public ModelSummary(string manifest, string? name, LineageLevel achieved, string? package = null)
    {
        Package = package;
        Manifest = manifest;
        Name = name;
        Achieved = achieved;
    }

    public string Manifest { get; }

    public string? Name { get; }

    public LineageLevel Achieved { get; }

    /// <summary>"Id@Version" of the package the manifest came with; null for the project's own.</summary>
    public string? Package { get; }

    /// <summary>The weights' OpenSSF model signature, when the manifest points at one.</summary>
    public Signing.SignatureOutcome? Signature { get; set; }

    /// <summary>Every licence of the model's chain the licence policy judged; null when no policy is set.</summary>
    public IReadOnlyList<LicenseDecision>? LicenseDecisions { get; set; }

    /// <summary>The lineage chain as resolved: each parent, where its manifest came from, its effective level.</summary>
    public IReadOnlyList<ResolvedParent> Parents { get; set; } = System.Array.Empty<ResolvedParent>();
}

/// <summary>The SARIF 2.1.0 log and the JSON summary the task writes after each run.</summary>
internal sealed class LineageReport
{
    public const string ToolName = "OpenTrainAnalyzers";
    public const string InformationUri = "https://github.com/opentrainanalyzers/opentrainanalyzers";

    public List<ReportedFinding> Findings { get; } = new();

    public List<ModelSummary> Models { get; } = new();

    public IReadOnlyList<Suppression> Suppressions { get; set; } = Array.Empty<Suppression>();

    public string? ProjectFile { get; set; }

    public string RequiredLevel { get; set; } = "declared";

    public string? LowestAchievedLevel { get; set; }

    public WeightHasher? Hashing { get; set; }

    public string Sarif()
    {
        var json = new JsonWriter();
        json.BeginObject()
            .Property("$schema", "https://json.schemastore.org/sarif-2.1.0.json")
            .Property("version", "2.1.0")
            .Name("runs").BeginArray().BeginObject();

        json.Name("tool").BeginObject().Name("driver").BeginObject()
            .Property("name", ToolName)
            .Property("informationUri", InformationUri);
        if (ToolVersion() is { } version)
        {
            json.Property("version", version);
        }

        var ruleIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        json.Name("rules").BeginArray();
        foreach (var rule in LineageRules.All)
        {
            ruleIndex[rule.Id] = ruleIndex.Count;
            json.BeginObject()
                .Property("id", rule.Id)
                .Name("shortDescription").BeginObject().Property("text", rule.Title).EndObject()
                .Property("helpUri", rule.HelpLink)
                .Name("defaultConfiguration").BeginObject().Property("level", Level(rule.DefaultSeverity)).EndObject()
                .EndObject();
        }

        json.EndArray().EndObject().EndObject();

        json.Name("results").BeginArray();
        foreach (var reported in Findings)
        {
            var finding = reported.Finding;
            json.BeginObject().Property("ruleId", finding.Id);
            if (ruleIndex.TryGetValue(finding.Id, out int index))
            {
                json.Property("ruleIndex", index);
            }

            json.Property("level", Level(reported.Severity))
                .Name("message").BeginObject().Property("text", reported.Message).EndObject();

            json.Name("locations").BeginArray().BeginObject().Name("physicalLocation").BeginObject()
                .Name("artifactLocation").BeginObject().Property("uri", FileUri(reported.File)).EndObject();
            if (finding.Range is { } range && range.Start.Line > 0)
            {
                json.Name("region").BeginObject()
                    .Property("startLine", range.Start.Line)
                    .Property("startColumn", Math.Max(1, range.Start.Column))
                    .Property("endLine", Math.Max(range.Start.Line, range.End.Line))
                    .Property("endColumn", Math.Max(1, range.End.Column))
                    .EndObject();
            }

            json.EndObject().EndObject().EndArray();

            if (reported.SuppressionJustification is { } justification)
            {
                json.Name("suppressions").BeginArray().BeginObject()
                    .Property("kind", "external")
                    .Property("status", "accepted")
                    .Property("justification", justification)
                    .EndObject().EndArray();
            }

            if (reported.Element.Length > 0)
            {
                json.Name("properties").BeginObject().Property("element", SafeFiles.EscapeOrNull(reported.Element)).EndObject();
            }

            json.EndObject();
        }

        json.EndArray();

        // Who vouches for which weights (OpenSSF model signatures), in the run's property bag; absent when none is signed.
        var signed = Models.FindAll(m => m.Signature is not null);
        if (signed.Count > 0)
        {
            json.Name("properties").BeginObject().Name("opentrain:signatures").BeginArray();
            foreach (var model in signed)
            {
                json.BeginObject()
                    .Property("manifest", FileUri(SafeFiles.Escape(model.Manifest)))
                    .Property("file", SafeFiles.Escape(model.Signature!.File))
                    .Property("status", model.Signature.Status)
                    .Property("method", model.Signature.Method)
                    .Property("signer", SafeFiles.EscapeOrNull(model.Signature.Signer))
                    .Property("lineageSigned", model.Signature.LineageSigned)
                    .EndObject();
            }

            json.EndArray().EndObject();
        }

        json.EndObject().EndArray().EndObject();
        return json.ToString();
    }

    /// <summary>"parents": where each parent's manifest came from (a vendored path or a lineage source) and its level.</summary>
    private static void WriteParents(JsonWriter json, IReadOnlyList<ResolvedParent> parents)
    {
        json.Name("parents").BeginArray();
        foreach (var parent in parents)
        {
            json.BeginObject()
                .Property("name", SafeFiles.EscapeOrNull(parent.Entry.Name.AsString() ?? parent.Manifest?.ModelName))
                .Property("relation", parent.Entry.Relation.AsString())
                .Property("effectiveLevel", parent.EffectiveLevel.ToName())
                .Property("verified", parent.Manifest is not null)
                .Property("manifest", SafeFiles.EscapeOrNull(parent.ManifestPath))
                .Property("source", SafeFiles.EscapeOrNull(parent.Origin));
            if (parent.Parents.Count > 0)
            {
                WriteParents(json, parent.Parents);
            }

            json.EndObject();
        }

        json.EndArray();
    }

    public string Summary()
    {
        var json = new JsonWriter();
        json.BeginObject()
            .Property("tool", ToolName)
            .Property("toolVersion", ToolVersion())
            .Property("project", ProjectFile)
            .Property("requiredLevel", RequiredLevel)
            .Property("lowestAchievedLevel", LowestAchievedLevel);

        json.Name("models").BeginArray();
        foreach (var model in Models)
        {
            json.BeginObject()
                .Property("manifest", SafeFiles.EscapeOrNull(model.Manifest))
                .Property("name", SafeFiles.EscapeOrNull(model.Name))
                .Property("achievedLevel", model.Achieved.ToName())
                .Property("requiredLevel", RequiredLevel);
            if (model.Package is not null)
            {
                json.Property("package", SafeFiles.Escape(model.Package));
            }

            if (model.Signature is { } signature)
            {
                json.Name("signature").BeginObject()
                    .Property("file", SafeFiles.Escape(signature.File))
                    .Property("status", signature.Status)
                    .Property("method", signature.Method)
                    .Property("signer", SafeFiles.EscapeOrNull(signature.Signer))
                    .Property("lineageSigned", signature.LineageSigned)
                    .EndObject();
            }

            if (model.LicenseDecisions is { } decisions)
            {
                Policy.LicensePolicyGate.Write(json, decisions);
            }

            if (model.Parents.Count > 0)
            {
                WriteParents(json, model.Parents);
            }

            json.EndObject();
        }

        json.EndArray();

        json.Name("findings").BeginArray();
        foreach (var reported in Findings)
        {
            var finding = reported.Finding;
            json.BeginObject()
                .Property("id", finding.Id)
                .Property("severity", Name(reported.Severity))
                .Property("logged", reported.Logged is not null)
                .Property("message", reported.Message)
                .Property("file", reported.File)
                .Property("manifest", SafeFiles.EscapeOrNull(reported.Manifest))
                .Property("element", SafeFiles.EscapeOrNull(reported.Element))
                .Property("line", finding.Range?.Start.Line ?? 0)
                .Property("column", finding.Range?.Start.Column ?? 0)
                .Property("helpUri", finding.Rule.HelpLink)
                .Property("suppressed", reported.SuppressionJustification is not null);
            if (reported.SuppressionJustification is { } justification)
            {
                json.Property("justification", justification).Property("until", reported.SuppressionUntil);
            }

            json.EndObject();
        }

        json.EndArray();

        json.Name("suppressions").BeginArray();
        foreach (var suppression in Suppressions)
        {
            json.BeginObject()
                .Property("id", suppression.Id)
                .Property("manifest", suppression.Manifest)
                .Property("element", suppression.Element)
                .Property("justification", suppression.Justification)
                .Property("until", suppression.UntilText)
                .Property("status", suppression.Status)
                .Property("matched", suppression.Matched)
                .EndObject();
        }

        json.EndArray();

        json.Name("hashing").BeginObject()
            .Property("hashedFiles", Hashing?.HashedFiles ?? 0)
            .Property("hashedBytes", Hashing?.HashedBytes ?? 0)
            .Property("reusedFromCache", Hashing?.ReusedFiles ?? 0)
            .EndObject();

        json.EndObject();
        return json.ToString();
    }

    private static string Level(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Error => "error",
        FindingSeverity.Warning => "warning",
        _ => "note",
    };

    private static string Name(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Error => "error",
        FindingSeverity.Warning => "warning",
        _ => "info",
    };

    private static string FileUri(string path)
    {
        try
        {
            return path.Length > 0 && Path.IsPathRooted(path) ? new Uri(path).AbsoluteUri : path.Replace('\\', '/');
        }
        catch (UriFormatException)
        {
            return path.Replace('\\', '/');
        }
    }

    internal static string? ToolVersion() =>
        typeof(LineageReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
}
