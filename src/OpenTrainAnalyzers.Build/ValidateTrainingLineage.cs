using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using OpenTrain.Lineage;
using OpenTrain.Lineage.Json;

namespace OpenTrainAnalyzers.Build;

/// <summary>
/// Checks each training-lineage manifest against the level the project requires and binds its weights to their
/// bytes (size and SHA-256). Every finding is logged with its OTL code and its file/line/column in the manifest.
/// Reads files only; never writes, never touches the network.
/// </summary>
public sealed class ValidateTrainingLineage : Task
{
    /// <summary>The manifests to check (items whose identity is the manifest path).</summary>
    [Required]
    public ITaskItem[] Manifests { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>declared (default), open-weights, open-tooling or open-science.</summary>
    public string? RequiredLevel { get; set; }

    /// <summary>Compare each weight file's size and SHA-256 with the manifest (default true).</summary>
    public bool VerifyDigests { get; set; } = true;

    /// <summary>The project file, where configuration errors are located.</summary>
    public string? ProjectFile { get; set; }

    /// <summary>Codes whose warnings are not shown (the project's NoWarn).</summary>
    public string? NoWarn { get; set; }

    public bool TreatWarningsAsErrors { get; set; }

    public string? WarningsAsErrors { get; set; }

    public string? WarningsNotAsErrors { get; set; }

    /// <summary>The lowest level reached over all manifests (none when any manifest fails 'declared').</summary>
    [Output]
    public string? LowestAchievedLevel { get; private set; }

    public override bool Execute()
    {
        try
        {
            Run();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Never an MSB4018 crash: whatever happened becomes a located, coded error.
            Log.LogError(null, LineageRules.ValidationFailed.Id, null, LineageRules.ValidationFailed.HelpLink, ProjectFile ?? string.Empty, 0, 0, 0, 0,
                $"OpenTrain lineage validation stopped unexpectedly ({e.GetType().Name}: {e.Message}); please report it with the manifest that caused it.");
        }

        return !Log.HasLoggedErrors;
    }

    private void Run()
    {
        var severity = new SeverityOptions(NoWarn, TreatWarningsAsErrors, WarningsAsErrors, WarningsNotAsErrors);
        string levelText = string.IsNullOrWhiteSpace(RequiredLevel) ? "declared" : RequiredLevel!.Trim();
        if (!LineageLevels.TryParse(levelText, out var required))
        {
            Log.LogError(null, LineageRules.UnknownLevel.Id, null, LineageRules.UnknownLevel.HelpLink, ProjectFile ?? string.Empty, 0, 0, 0, 0,
                $"OpenTrainRequiredLevel is '{levelText}'; use one of: {LineageLevels.ValidNames}.");
            return;
        }

        var lowest = LineageLevel.OpenScience;
        int errors = 0;
        int warnings = 0;
        var summaries = new List<string>();
        foreach (var item in Manifests.OrderBy(m => m.ItemSpec, StringComparer.Ordinal))
        {
            string path = item.GetMetadata("FullPath");
            var (manifest, findings) = Read(path);
            var achieved = LineageLevel.None;
            if (manifest is not null)
            {
                var evaluation = CompletenessPolicy.Evaluate(manifest);
                findings.AddRange(evaluation.FindingsFor(required));
                var chain = LineageChain.Resolve(path, manifest, evaluation.AchievedLevel, ReadParentManifest);
                findings.AddRange(chain.Findings.Where(f => f.RequiredBy <= required));
                achieved = chain.EffectiveLevel;
                if (VerifyDigests)
                {
                    var weightFindings = WeightVerifier.Verify(manifest, Path.GetDirectoryName(path)!);
                    findings.AddRange(weightFindings);
                    if (weightFindings.Any(f => f.Severity == FindingSeverity.Error))
                    {
                        achieved = LineageLevel.None;
                    }
                }
            }

            foreach (var finding in findings)
            {
                switch (Emit(path, finding, severity))
                {
                    case FindingSeverity.Error:
                        errors++;
                        break;
                    case FindingSeverity.Warning:
                        warnings++;
                        break;
                }
            }

            lowest = LineageLevels.Min(lowest, achieved);
            summaries.Add($"{manifest?.ModelName ?? Path.GetFileName(path)}: {achieved.ToName()}");
        }

        LowestAchievedLevel = Manifests.Length == 0 ? null : lowest.ToName();
        Log.LogMessage(
            Manifests.Length == 0 ? MessageImportance.Normal : MessageImportance.High,
            Manifests.Length == 0
                ? "OpenTrain: no training-lineage manifests in this project (*.lineage.json)."
                : $"OpenTrain: {Manifests.Length} lineage manifest(s) checked against '{required.ToName()}' ({string.Join("; ", summaries)}); {errors} error(s), {warnings} warning(s).");
    }

    /// <summary>Reads a parent manifest for the lineage chain; bounded like any manifest, never throws.</summary>
    private static ManifestFile ReadParentManifest(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return ManifestFile.Missing(Directory.Exists(path) ? "it is a directory" : "no such file");
            }

            if (info.Length > LineageManifest.MaxBytes)
            {
                return ManifestFile.Missing($"{info.Length:N0} bytes, over the {LineageManifest.MaxBytes:N0}-byte limit");
            }

            return ManifestFile.Of(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            return ManifestFile.Missing(e.Message);
        }
    }

    private static (LineageManifest? Manifest, List<LineageFinding> Findings) Read(string path)
    {
        var findings = new List<LineageFinding>();
        try
        {
            if (Directory.Exists(path))
            {
                findings.Add(new LineageFinding(LineageRules.Unreadable, $"'{path}' is a directory, not a manifest file.", "$", null, LineageLevel.Declared));
                return (null, findings);
            }

            var info = new FileInfo(path);
            if (!info.Exists)
            {
                findings.Add(new LineageFinding(LineageRules.Unreadable, $"The manifest '{path}' does not exist; fix the OpenTrainManifest item or create the file.", "$", null, LineageLevel.Declared));
                return (null, findings);
            }

            if (info.Length > LineageManifest.MaxBytes)
            {
                // Refused before reading: a huge file must not cost the build its memory or time.
                findings.Add(new LineageFinding(LineageRules.LimitExceeded,
                    $"The manifest is {info.Length:N0} bytes; the limit is {LineageManifest.MaxBytes:N0}. A lineage manifest describes files, it never contains them.",
                    "$", null, LineageLevel.Declared));
                return (null, findings);
            }

            byte[] bytes;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                bytes = new byte[Math.Min(stream.Length, LineageManifest.MaxBytes + 1L)];
                int read = 0;
                while (read < bytes.Length)
                {
                    int n = stream.Read(bytes, read, bytes.Length - read);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }

                var manifest = LineageManifest.Read(bytes, read);
                return (manifest.IsReadable ? manifest : null, manifest.IsReadable ? findings : new List<LineageFinding>(manifest.Findings));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            findings.Add(new LineageFinding(LineageRules.Unreadable, $"The manifest cannot be read: {e.Message}", "$", null, LineageLevel.Declared));
            return (null, findings);
        }
    }

    private FindingSeverity? Emit(string file, LineageFinding finding, SeverityOptions options)
    {
        var effective = options.Effective(finding.Id, finding.Severity);
        var start = finding.Range?.Start ?? new SourcePosition(0, 0);
        var end = finding.Range?.End ?? new SourcePosition(0, 0);
        string message = finding.Message + (finding.RequiredBy > LineageLevel.Declared ? $" [{finding.JsonPath}; required by {finding.RequiredBy.ToName()}]" : $" [{finding.JsonPath}]");
        switch (effective)
        {
            case FindingSeverity.Error:
                Log.LogError(null, finding.Id, null, finding.Rule.HelpLink, file, start.Line, start.Column, end.Line, end.Column, message);
                break;
            case FindingSeverity.Warning:
                Log.LogWarning(null, finding.Id, null, finding.Rule.HelpLink, file, start.Line, start.Column, end.Line, end.Column, message);
                break;
            case FindingSeverity.Info:
                Log.LogMessage(null, finding.Id, null, file, start.Line, start.Column, end.Line, end.Column, MessageImportance.Normal, message);
                break;
        }

        return effective;
    }
}

/// <summary>The project's NoWarn / WarningsAsErrors / WarningsNotAsErrors / TreatWarningsAsErrors, applied like the compiler does.</summary>
internal sealed class SeverityOptions
{
    private readonly HashSet<string> _noWarn;
    private readonly HashSet<string> _asErrors;
    private readonly HashSet<string> _notAsErrors;
    private readonly bool _allAsErrors;

    public SeverityOptions(string? noWarn, bool treatWarningsAsErrors, string? warningsAsErrors, string? warningsNotAsErrors)
    {
        _noWarn = Codes(noWarn);
        _asErrors = Codes(warningsAsErrors);
        _notAsErrors = Codes(warningsNotAsErrors);
        _allAsErrors = treatWarningsAsErrors;
    }

    /// <summary>The severity to log, or null when the warning is suppressed. Errors stay errors.</summary>
    public FindingSeverity? Effective(string id, FindingSeverity severity)
    {
        if (severity != FindingSeverity.Warning)
        {
            return severity;
        }

        if (_noWarn.Contains(id))
        {
            return null;
        }

        return (_asErrors.Contains(id) || _allAsErrors) && !_notAsErrors.Contains(id) ? FindingSeverity.Error : FindingSeverity.Warning;
    }

    private static HashSet<string> Codes(string? list) => new HashSet<string>(
        (list ?? string.Empty).Split(new[] { ';', ',', ' ', '\n', '\r', '\t' }, StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim()),
        StringComparer.OrdinalIgnoreCase);
}
