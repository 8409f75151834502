using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
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
}

/// <summary>
/// Resolves lineage.parents[] offline: each parent is a local manifest (path relative to the child manifest, no '..')
/// pinned by the SHA-256 of its bytes. A model is only as open as the least open model it derives from, so the
/// effective level is the minimum over the chain. Cycles and chains deeper than <see cref="MaxDepth"/> are errors.
/// </summary>
public static class LineageChain
{
    public const int MaxDepth = 16;

    /// <param name="manifestPath">Full path of the manifest, '/' or '\' separated.</param>
    /// <param name="manifest">The manifest, already read.</param>
    /// <param name="ownLevel">The level the manifest reaches by itself (from <see cref="CompletenessPolicy"/>).</param>
    /// <param name="readFile">Reads a file by full path; never throws.</param>
    public static LineageChainResult Resolve(string manifestPath, LineageManifest manifest, LineageLevel ownLevel, Func<string, ManifestFile> readFile)
    {
        var findings = new List<LineageFinding>();
        var visiting = new HashSet<string>(StringComparer.Ordinal) { Normalize(manifestPath) };
        var parents = new List<ResolvedParent>();
        var effective = ResolveParents(manifestPath, manifest, ownLevel, readFile, visiting, depth: 1, findings, parents);
        return new LineageChainResult(findings, effective, parents);
    }

    private static LineageLevel ResolveParents(
        string manifestPath, LineageManifest manifest, LineageLevel ownLevel, Func<string, ManifestFile> readFile, HashSet<string> visiting, int depth, List<LineageFinding>? findings, List<ResolvedParent> resolved)
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
            var level = ResolveParent(directory, parent, readFile, visiting, depth, findings, grandparents, out var parentManifest, out var parentPath);
            resolved.Add(new ResolvedParent(parent, parentManifest, parentPath, level, grandparents));
            effective = LineageLevels.Min(effective, level);
        }

        return effective;
    }

    /// <summary>Returns the parent's effective level (None when it cannot be verified) and reports why at the entry.</summary>
    private static LineageLevel ResolveParent(
        string directory, Parent parent, Func<string, ManifestFile> readFile, HashSet<string> visiting, int depth, List<LineageFinding>? findings,
        List<ResolvedParent> grandparents, out LineageManifest? verified, out string? verifiedPath)
    {
        verified = null;
        verifiedPath = null;
        string name = parent.Name.AsString() ?? parent.JsonPath;
        var reference = parent.Manifest.Value;
        var path = parent.Manifest.Node?.Path.Value;
        if (reference is null || path?.Text is not { } relative)
        {
            Report(findings, LineageRules.ParentUnverified, reference ?? parent.Json, LineageLevel.Declared,
                $"Parent '{name}' has no local manifest: vendor its lineage manifest next to this one and set manifest {{ \"path\": ..., \"sha256\": ... }} (builds resolve parents offline).");
            return LineageLevel.None;
        }

        if (WeightPaths.Problem(relative) is { } problem)
        {
            Report(findings, LineageRules.PathEscapes, path, LineageLevel.Declared, $"Parent manifest path '{relative}' {problem}.");
            return LineageLevel.None;
        }

        if (depth > MaxDepth)
        {
            Report(findings, LineageRules.LineageTooDeep, path, LineageLevel.Declared,
                $"The lineage chain is deeper than {MaxDepth} manifests at '{relative}'; this is almost always a mistake in the parents.");
            return LineageLevel.None;
        }

        string fullPath = Normalize(directory + "/" + relative);
        if (visiting.Contains(fullPath))
        {
            Report(findings, LineageRules.LineageCycle, path, LineageLevel.Declared,
                $"Parent '{relative}' is already in this lineage chain: a model cannot derive from itself.");
            return LineageLevel.None;
        }

        var file = readFile(fullPath);
        if (file.Bytes is null)
        {
            Report(findings, file.Rule ?? LineageRules.ParentUnverified, path, LineageLevel.Declared,
                file.Rule is null ? $"Parent manifest '{relative}' cannot be read ({file.Error}); vendor it at that path." : $"Parent manifest '{relative}' {file.Error}");
            return LineageLevel.None;
        }

        var declaredDigest = parent.Manifest.Node!.Sha256.Value;
        string actualDigest = Sha256(file.Bytes);
        if (declaredDigest?.Text is not { } expected)
        {
            Report(findings, LineageRules.Missing, reference, LineageLevel.Declared,
                $"Pin parent manifest '{relative}' with its SHA-256: add \"sha256\": \"{actualDigest}\" after checking that file is the one you reviewed.");
            return LineageLevel.None;
        }

        if (!string.Equals(expected, actualDigest, StringComparison.Ordinal))
        {
            Report(findings, LineageRules.ParentDigestMismatch, declaredDigest, LineageLevel.Declared,
                $"Parent manifest '{relative}' has SHA-256 {actualDigest}, not the pinned {expected}: it changed since it was reviewed.");
            return LineageLevel.None;
        }

        if (parent.Manifest.Node.AssertedBy.Text == "third-party")
        {
            Report(findings, LineageRules.ThirdPartyParent, reference, LineageLevel.Declared,
                $"Parent manifest '{relative}' was written by a third party, not by the parent's producer.");
        }

        var parentManifest = LineageManifest.Read(file.Bytes);
        if (!parentManifest.IsReadable)
        {
            Report(findings, LineageRules.ParentUnverified, path, LineageLevel.Declared,
                $"Parent manifest '{relative}' is not a readable manifest: {parentManifest.Findings.FirstOrDefault()?.Message}");
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
        var parentEffective = ResolveParents(fullPath, parentManifest, parentOwn.AchievedLevel, readFile, visiting, depth + 1, grandparentFindings, grandparents);
        visiting.Remove(fullPath);

        // Problems further up the chain are reported once, here, at the entry the user can act on.
        var upstream = grandparentFindings.FirstOrDefault(f => f.Severity == FindingSeverity.Error && f.RequiredBy == LineageLevel.Declared);
        if (upstream is not null)
        {
            Report(findings, upstream.Rule, path, LineageLevel.Declared, $"In the lineage of parent '{relative}': {upstream.Message}");
        }

        if (parentEffective < LineageLevel.OpenScience && !(upstream is not null && parentEffective == LineageLevel.None))
        {
            var blocking = parentOwn.Findings.Where(f => f.Severity == FindingSeverity.Error && f.RequiredBy == parentEffective + 1).Take(3).ToList();
            string reasons = blocking.Count == 0
                ? "its own parents"
                : string.Join("; ", blocking.Select(f => $"{f.Id} {f.JsonPath}"));
            Report(findings, LineageRules.ParentBelowLevel, path, parentEffective + 1,
                $"Parent '{name}' reaches only '{parentEffective.ToName()}' ({reasons}), so this model cannot be more open than that.");
        }

        return parentEffective;
    }

    private static void Report(List<LineageFinding>? findings, LineageRule rule, JsonValue at, LineageLevel level, string message) =>
        findings?.Add(new LineageFinding(rule, message, at.Path, at.Range, level));

    private static string Sha256(byte[] bytes)
    {
        using var sha = SHA256.Create();
        return Digests.ToHex(sha.ComputeHash(bytes));
    }

    private static string Normalize(string path) => WeightPaths.Normalize(path);

    private static string Directory(string path)
    {
        string normalized = Normalize(path);
        int slash = normalized.LastIndexOf('/');
        return slash < 0 ? string.Empty : normalized.Substring(0, slash);
    }
}
