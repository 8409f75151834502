using System;
using System.Collections.Generic;
using System.Linq;
using OpenTrain.Lineage.Policy;

namespace OpenTrain.Lineage;

/// <summary>The outcome of checking one manifest: every finding, tagged with the lowest level that needs it.</summary>
public sealed class LineageEvaluation
{
    internal LineageEvaluation(IReadOnlyList<LineageFinding> findings, LineageLevel achievedLevel)
    {
        Findings = findings;
        AchievedLevel = achievedLevel;
    }

    public IReadOnlyList<LineageFinding> Findings { get; }

    /// <summary>The highest level whose requirements this manifest meets (its own level; parents not included).</summary>
    public LineageLevel AchievedLevel { get; }

    /// <summary>The findings a project requiring <paramref name="required"/> must see.</summary>
    /// <summary>True when the manifest meets the given profile (e.g. osaid-1.0): no error belongs to it.</summary>
    public bool Satisfies(string profile) =>
        AchievedLevel >= LineageLevel.Declared && !Findings.Any(f => f.Profile == profile && f.Severity == FindingSeverity.Error);

    public IEnumerable<LineageFinding> FindingsFor(LineageLevel required, IEnumerable<string>? profiles = null)
    {
        var enabled = new HashSet<string>(profiles ?? Enumerable.Empty<string>(), StringComparer.OrdinalIgnoreCase);
        var reported = Findings.Where(f => f.Profile is null ? f.RequiredBy <= required : enabled.Contains(f.Profile)).ToList();

        // The same problem can be a warning at 'declared' and an error higher up (an unpinned location): report it once.
        var errors = reported.Where(f => f.Severity == FindingSeverity.Error).ToList();
        var levelFindings = reported.Where(f => f.Profile is null).ToList();
        return reported.Where(f =>
            (f.Severity == FindingSeverity.Error || !errors.Any(e => e.Id == f.Id && e.JsonPath.StartsWith(f.JsonPath, StringComparison.Ordinal)))

            // A profile that asks for what the level already asked for: one finding, the level's.
            && (f.Profile is null || !levelFindings.Any(l => l.Id == f.Id && l.JsonPath == f.JsonPath)));
    }
}

/// <summary>
/// Which elements each level requires and what counts as incomplete (missing, empty, placeholder, not open enough,
/// unpinned, wrongly licensed). One pass over the typed manifest collects findings for every level, so the achieved
/// level and the findings for any required level come from the same evaluation; the rules themselves are in Policy/,
/// one file per component and per cross-cutting concern. Checks that need the file system (digests, sizes, parent
/// manifests) belong to the host that may touch files.
/// </summary>
public static class CompletenessPolicy
{
    /// <summary>The OSI Open Source AI Definition 1.0 profile (checked in addition to the required level).</summary>
    public const string OsaidProfile = "osaid-1.0";

    public static LineageEvaluation Evaluate(LineageManifest manifest)
    {
        var findings = new List<LineageFinding>(manifest.Findings);
        if (manifest.Document is { } document)
        {
            new PolicyRun(document, findings).Run();
        }

        return new LineageEvaluation(findings, Achieved(manifest, findings));
    }

    private static LineageLevel Achieved(LineageManifest manifest, List<LineageFinding> findings)
    {
        if (!manifest.IsReadable)
        {
            return LineageLevel.None;
        }

        var achieved = LineageLevel.OpenScience;
        foreach (var finding in findings)
        {
            if (finding.Severity == FindingSeverity.Error && finding.Profile is null && finding.RequiredBy <= achieved)
            {
                achieved = (LineageLevel)((int)finding.RequiredBy - 1);
            }
        }

        return achieved;
    }
}
