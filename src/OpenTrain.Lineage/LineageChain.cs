using System;
using System.Collections.Generic;
using System.Linq;
using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;

namespace OpenTrain.Lineage;

/// <summary>The bytes of a file, or why they could not be read. Supplied by the host: the core never opens files.</summary>
public readonly struct ManifestFile
{
    private ManifestFile(byte[]? bytes, string? error, LineageRule? rule = null)
    {
        Bytes = bytes;
        Error = error;
        Rule = rule;
    }

    /// <summary>The code to report when the host refused the file (e.g. OTL0203 for a link that leaves the allowed roots).</summary>
    public LineageRule? Rule { get; }

    public byte[]? Bytes { get; }

    public string? Error { get; }

    public static ManifestFile Of(byte[] bytes) => new(bytes, null);

    public static ManifestFile Missing(string error) => new(null, error);

    public static ManifestFile Refused(LineageRule rule, string error) => new(null, error, rule);
}

/// <summary>The lineage chain of a manifest: its effective level and the findings about its parents.</summary>
public sealed class LineageChainResult
{
    internal LineageChainResult(IReadOnlyList<LineageFinding> findings, LineageLevel effectiveLevel, IReadOnlyList<ResolvedParent> parents)
    {
        Findings = findings;
        EffectiveLevel = effectiveLevel;
        Parents = parents;
    }

    /// <summary>The parents, in order, each with its manifest when it could be verified and its own parents.</summary>
    public IReadOnlyList<ResolvedParent> Parents { get; }

    /// <summary>Findings located at the parents' entries of the manifest that was resolved.</summary>
    public IReadOnlyList<LineageFinding> Findings { get; }

    /// <summary>min(the manifest's own level, each parent's effective level).</summary>
    public LineageLevel EffectiveLevel { get; }
}

/// <summary>A parent as the chain found it: its entry, its verified manifest (null when it could not be), its level.</summary>
public sealed class ResolvedParent
{
    internal ResolvedParent(Parent entry, LineageManifest? manifest, string? manifestPath, LineageLevel effectiveLevel, IReadOnlyList<ResolvedParent> parents)
    {
        Entry = entry;
        Manifest = manifest;
        ManifestPath = manifestPath;
        EffectiveLevel = effectiveLevel;
        Parents = parents;
    }

    public Parent Entry { get; }

    /// <summary>The parent's manifest, read and pinned by its SHA-256; null when missing, changed or unreadable.</summary>
    public LineageManifest? Manifest { get; }

    /// <summary>Normalised full path of the parent's manifest, when it was found.</summary>
    public string? ManifestPath { get; }

    public LineageLevel EffectiveLevel { get; }

    public IReadOnlyList<ResolvedParent> Parents { get; }

    /// <summary>The lineage source it came from ("package Contoso.ModelLineage 1.2.0 (…)", "folder …"); null when vendored.</summary>
    public string? Origin { get; internal set; }
}

/// <summary>
/// Resolves lineage.parents[] offline: each parent is a local manifest (path relative to the child manifest, no '..')
/// or, without a path, the manifest a lineage source holds for the parent's identity; either is pinned by the SHA-256
/// of its bytes. A model is only as open as the least open model it derives from, so the
/// effective level is the minimum over the chain. Cycles and chains deeper than <see cref="MaxDepth"/> are errors.
/// </summary>
public static class LineageChain
{
    public const int MaxDepth = 16;

    /// <param name="manifestPath">Full path of the manifest, '/' or '\' separated.</param>
    /// <param name="manifest">The manifest, already read.</param>
    /// <param name="ownLevel">The level the manifest reaches by itself (from <see cref="CompletenessPolicy"/>).</param>
    /// <param name="readFile">Reads a file by full path; never throws.</param>
    public static LineageChainResult Resolve(string manifestPath, LineageManifest manifest, LineageLevel ownLevel, Func<string, ManifestFile> readFile) =>
        Resolve(manifestPath, manifest, ownLevel, readFile, LineageSources.None);

    /// <param name="sources">Where parents without a vendored path are found by identity (docs/sharing-lineage.md).</param>
    public static LineageChainResult Resolve(string manifestPath, LineageManifest manifest, LineageLevel ownLevel, Func<string, ManifestFile> readFile, LineageSources sources)
    {
        var findings = new List<LineageFinding>();
        var visiting = new HashSet<string>(StringComparer.Ordinal) { Normalize(manifestPath) };
        var parents = new List<ResolvedParent>();
        var effective = ResolveParents(manifestPath, manifest, ownLevel, readFile, sources, visiting, depth: 1, findings, parents);
        return new LineageChainResult(findings, effective, parents);
    }

    private static LineageLevel ResolveParents(
        string manifestPath, LineageManifest manifest, LineageLevel ownLevel, Func<string, ManifestFile> readFile, LineageSources sources, HashSet<string> visiting, int depth, List<LineageFinding>? findings, List<ResolvedParent> resolved)
    {
        var effective = ownLevel;
        var parents = manifest.Document?.Lineage.Node?.Parents.Nodes;
        if (parents is null || parents.Count == 0)
        {
            return effective;
        }

        string directory = Directory(manifestPath);
        foreach (var parent in parents)
        {
            var grandparents = new List<ResolvedParent>();
            var level = ResolveParent(directory, parent, readFile, sources, visiting, depth, findings, grandparents, out var parentManifest, out var parentPath, out var origin);
            resolved.Add(new ResolvedParent(parent, parentManifest, parentPath, level, grandparents) { Origin = origin });
            effective = LineageLevels.Min(effective, level);
        }

        return effective;
    }

    /// <summary>Returns the parent's effective level (None when it cannot be verified) and reports why at the entry.</summary>
    private static LineageLevel ResolveParent(
        string directory, Parent parent, Func<string, ManifestFile> readFile, LineageSources sources, HashSet<string> visiting, int depth, List<LineageFinding>? findings,
        List<ResolvedParent> grandparents, out LineageManifest? verified, out string? verifiedPath, out string? origin)
    {
        verified = null;
        verifiedPath = null;
        origin = null;
        string name = parent.Name.AsString() ?? parent.JsonPath;
        var reference = parent.Manifest.Value;
        var path = parent.Manifest.Node?.Path.Value;
        string fullPath;
        byte[] bytes;
        string shown;
        JsonValue at;
        if (path?.Text is { } relative)
        {
            // A vendored parent: found by the path the child wrote, exactly as before sources existed; it wins over them.
            if (WeightPaths.Problem(relative) is { } problem)
            {
                Report(findings, LineageRules.PathEscapes, path, LineageLevel.Declared, $"Parent manifest path '{relative}' {problem}.");
                return LineageLevel.None;
            }

            shown = $"'{relative}'";
            at = path;
            fullPath = Normalize(directory + "/" + relative);
            if (TooDeepOrCycle(findings, depth, visiting, fullPath, at, shown))
            {
                return LineageLevel.None;
            }

            var file = readFile(fullPath);
            if (file.Bytes is null)
            {
                Report(findings, file.Rule ?? LineageRules.ParentUnverified, path, LineageLevel.Declared,
                    file.Rule is null ? $"Parent manifest '{relative}' cannot be read ({file.Error}); vendor it at that path." : $"Parent manifest '{relative}' {file.Error}");
                return LineageLevel.None;
            }

            bytes = file.Bytes;
            var declaredDigest = parent.Manifest.Node!.Sha256.Value;
            string actualDigest = Sha256(bytes);
            if (declaredDigest?.Text is not { } expected)
            {
                Report(findings, LineageRules.Missing, reference!, LineageLevel.Declared,
                    $"Pin parent manifest '{relative}' with its SHA-256: add \"sha256\": \"{actualDigest}\" after checking that file is the one you reviewed.");
                return LineageLevel.None;
            }

            if (!string.Equals(expected, actualDigest, StringComparison.Ordinal))
            {
                Report(findings, LineageRules.ParentDigestMismatch, declaredDigest, LineageLevel.Declared,
                    $"Parent manifest '{relative}' has SHA-256 {actualDigest}, not the pinned {expected}: it changed since it was reviewed.");
                return LineageLevel.None;
            }
        }
        else
        {
            // No path: the parent is found by its identity in the lineage sources, pinned by the manifest's digest.
            var source = FromSources(parent, name, sources, visiting, findings);
            if (source is null)
            {
                return LineageLevel.None;
            }

            origin = source.Origin;
            shown = $"'{name}' (from {source.Origin})";
            at = parent.Manifest.Node?.Sha256.Value ?? reference ?? parent.Json;
            fullPath = Normalize(source.FullPath);
            if (TooDeepOrCycle(findings, depth, visiting, fullPath, at, shown))
            {
                return LineageLevel.None;
            }

            bytes = source.Bytes;
        }

        if (parent.Manifest.Node?.AssertedBy.Text == "third-party")
        {
            Report(findings, LineageRules.ThirdPartyParent, reference!, LineageLevel.Declared,
                $"Parent manifest {shown} was written by a third party, not by the parent's producer.");
        }

        var parentManifest = LineageManifest.Read(bytes);
        if (!parentManifest.IsReadable)
        {
            Report(findings, LineageRules.ParentUnverified, at, LineageLevel.Declared,
                $"Parent manifest {shown} is not a readable manifest: {parentManifest.Findings.FirstOrDefault()?.Message}");
            return LineageLevel.None;
        }

        if (parent.WeightsRootDigest.Text is { } claimedRoot
            && parentManifest.Document?.Weights.Node?.RootDigest.Node?.Sha256.Text is { } parentRoot
            && !string.Equals(claimedRoot, parentRoot, StringComparison.Ordinal))
        {
            Report(findings, LineageRules.ParentWeightsMismatch, parent.WeightsRootDigest.Value!, LineageLevel.Declared,
                $"weightsRootDigest {claimedRoot} differs from the parent manifest's weights.rootDigest {parentRoot}: the manifest describes other weights.");
            return LineageLevel.None;
        }

        verified = parentManifest;
        verifiedPath = fullPath;
        var parentOwn = CompletenessPolicy.Evaluate(parentManifest);
        visiting.Add(fullPath);
        var grandparentFindings = new List<LineageFinding>();
        var parentEffective = ResolveParents(fullPath, parentManifest, parentOwn.AchievedLevel, readFile, sources, visiting, depth + 1, grandparentFindings, grandparents);
        visiting.Remove(fullPath);

        // Problems further up the chain are reported once, here, at the entry the user can act on.
        var upstream = grandparentFindings.FirstOrDefault(f => f.Severity == FindingSeverity.Error && f.RequiredBy == LineageLevel.Declared);
        if (upstream is not null)
        {
            Report(findings, upstream.Rule, at, LineageLevel.Declared, $"In the lineage of parent {shown}: {upstream.Message}");
        }

        if (parentEffective < LineageLevel.OpenScience && !(upstream is not null && parentEffective == LineageLevel.None))
        {
            var blocking = parentOwn.Findings.Where(f => f.Severity == FindingSeverity.Error && f.RequiredBy == parentEffective + 1).Take(3).ToList();
            string reasons = blocking.Count == 0
                ? "its own parents"
                : string.Join("; ", blocking.Select(f => $"{f.Id} {f.JsonPath}"));
            Report(findings, LineageRules.ParentBelowLevel, at, parentEffective + 1,
                $"Parent '{name}'{(origin is null ? string.Empty : $" (from {origin})")} reaches only '{parentEffective.ToName()}' ({reasons}), so this model cannot be more open than that.");
        }

        return parentEffective;
    }

    private static bool TooDeepOrCycle(List<LineageFinding>? findings, int depth, HashSet<string> visiting, string fullPath, JsonValue at, string shown)
    {
        if (depth > MaxDepth)
        {
            Report(findings, LineageRules.LineageTooDeep, at, LineageLevel.Declared,
                $"The lineage chain is deeper than {MaxDepth} manifests at {shown}; this is almost always a mistake in the parents.");
            return true;
        }

        if (visiting.Contains(fullPath))
        {
            Report(findings, LineageRules.LineageCycle, at, LineageLevel.Declared,
                $"Parent {shown} is already in this lineage chain: a model cannot derive from itself.");
            return true;
        }

        return false;
    }

    /// <summary>
    /// The source manifest that describes this parent (same identity, revision when the parent pins one) and has the
    /// pinned digest; otherwise reports why at the entry (OTL0501, OTL0508, OTL0509, or the pin to write) and returns null.
    /// </summary>
    private static SourceManifest? FromSources(Parent parent, string name, LineageSources sources, HashSet<string> visiting, List<LineageFinding>? findings)
    {
        var reference = parent.Manifest.Value;
        var identity = LineageSources.IdentityOf(parent.Identifiers.Value);
        if (identity.IsEmpty)
        {
            Report(findings, LineageRules.ParentUnverified, reference ?? parent.Json, LineageLevel.Declared,
                $"Parent '{name}' has no local manifest: vendor its lineage manifest next to this one and set manifest {{ \"path\": ..., \"sha256\": ... }} (builds resolve parents offline), "
                + "or give the parent identifiers (huggingface and huggingfaceRevision, url, purl, doi or motRecord) and pin manifest { \"sha256\": ... } so that a lineage source supplies it. " + Searched(sources));
            return null;
        }

        var (matches, otherRevisions) = sources.Find(identity);
        var distinct = LineageSources.DistinctContents(matches);
        var pinned = parent.Manifest.Node?.Sha256.Value;

        // A manifest already on the chain names this identity: a cycle, whatever the pin says (pins cannot both hold in one).
        if (matches.FirstOrDefault(m => visiting.Contains(Normalize(m.FullPath))) is { } onChain)
        {
            Report(findings, LineageRules.LineageCycle, pinned ?? reference ?? parent.Json, LineageLevel.Declared,
                $"Parent '{name}' ({identity}) is {onChain.Origin}, which is already in this lineage chain: a model cannot derive from itself.");
            return null;
        }
        if (matches.Count == 0)
        {
            string near = otherRevisions.Count == 0 ? string.Empty
                : $" {string.Join("; ", otherRevisions.Take(3).Select(m => m.Origin + " is revision " + (LineageSources.IdentityOf(m.Manifest.Document?.Model.Node?.Identifiers.Value).Revision ?? "(none stated)")))}, not {identity.Revision}.";
            int unreadable = sources.Searched.Count == 0 ? 0 : sources.Unreadable;
            Report(findings, LineageRules.ParentUnverified, reference ?? parent.Json, LineageLevel.Declared,
                $"Parent '{name}' ({identity}) has no local manifest and no lineage source holds one.{near} " + Searched(sources)
                + (unreadable == 0 ? string.Empty : $" {unreadable} source file(s) are not readable manifests and were skipped."));
            return null;
        }

        if (pinned?.Text is not { } expected)
        {
            if (distinct.Count == 1)
            {
                Report(findings, LineageRules.Missing, reference ?? parent.Json, LineageLevel.Declared,
                    $"Parent '{name}' is in lineage source {distinct[0].Origin}: review that manifest, then pin it with \"manifest\": {{ \"sha256\": \"{distinct[0].Sha256}\" }}.");
            }
            else
            {
                Report(findings, LineageRules.SourceAmbiguous, reference ?? parent.Json, LineageLevel.Declared,
                    $"Parent '{name}' ({identity}) is described by {distinct.Count} different source manifests: {Candidates(distinct)}. Pin the one you reviewed with \"manifest\": {{ \"sha256\": ... }}.");
            }

            return null;
        }

        // The pin chooses among copies: the same bytes in two sources are one manifest.
        var chosen = matches.FirstOrDefault(m => string.Equals(m.Sha256, expected, StringComparison.Ordinal));
        if (chosen is not null)
        {
            return chosen;
        }

        if (distinct.Count == 1)
        {
            Report(findings, LineageRules.SourceDigestMismatch, pinned, LineageLevel.Declared,
                $"Parent '{name}' ({identity}) is in lineage source {distinct[0].Origin}, but that manifest has SHA-256 {distinct[0].Sha256}, not the pinned {expected}: "
                + "it changed since it was reviewed (or was tampered with). Review it, then update the pin, or restore the reviewed version of the source.");
        }
        else
        {
            Report(findings, LineageRules.SourceAmbiguous, pinned, LineageLevel.Declared,
                $"Parent '{name}' ({identity}) is described by {distinct.Count} different source manifests and none has the pinned SHA-256 {expected}: {Candidates(distinct)}. "
                + "Review the one that is meant and pin it, and remove the other from the sources.");
        }

        return null;
    }

    private static string Candidates(IEnumerable<SourceManifest> manifests) =>
        string.Join("; ", manifests.Take(4).Select(m => $"{m.Origin} (sha256 {m.Sha256})"));

    private static string Searched(LineageSources sources) =>
        sources.Searched.Count == 0
            ? "No lineage source is configured: add an OpenTrainLineageSource item (a folder of reviewed manifests) or reference a lineage package (docs/sharing-lineage.md)."
            : $"Searched {sources.Searched.Count} lineage source(s): {string.Join("; ", sources.Searched.Take(8))}{(sources.Searched.Count > 8 ? "; …" : string.Empty)}. Add the manifest to one of them, or add a source (docs/sharing-lineage.md).";

    private static void Report(List<LineageFinding>? findings, LineageRule rule, JsonValue at, LineageLevel level, string message) =>
        findings?.Add(new LineageFinding(rule, message, at.Path, at.Range, level));

    private static string Sha256(byte[] bytes) => LineageSources.Sha256Of(bytes);

    private static string Normalize(string path) => WeightPaths.Normalize(path);

    private static string Directory(string path)
    {
        string normalized = Normalize(path);
        int slash = normalized.LastIndexOf('/');
        return slash < 0 ? string.Empty : normalized.Substring(0, slash);
    }
}
