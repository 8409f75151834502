using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using OpenTrain.Lineage;

namespace OpenTrainAnalyzers;

/// <summary>A lineage manifest that reached the compiler as an AdditionalFiles item.</summary>
internal sealed class IndexedManifest
{
    public IndexedManifest(AdditionalText file, LineageManifest manifest, string fullPath)
    {
        _ownLevel = new Lazy<LineageLevel>(() => CompletenessPolicy.Evaluate(manifest).AchievedLevel);
        File = file;
        Manifest = manifest;
        FullPath = fullPath;
        string directory = PathText.Directory(fullPath);
        DeclaredFiles = manifest.WeightFiles
            .Where(f => f.Path is not null)
            .Select(f => PathText.Combine(directory, f.Path!))
            .ToImmutableArray();
    }

    private readonly Lazy<LineageLevel> _ownLevel;

    public AdditionalText File { get; }

    /// <summary>The level the manifest reaches by itself (evaluated once, on first use).</summary>
    public LineageLevel OwnLevel => _ownLevel.Value;

    public LineageManifest Manifest { get; }

    /// <summary>Normalised full path of the manifest ('/' separators).</summary>
    public string FullPath { get; }

    /// <summary>Normalised full paths of the weight files the manifest declares.</summary>
    public ImmutableArray<string> DeclaredFiles { get; }

    /// <summary>True when <paramref name="loadPath"/> (as written in code) names one of the declared files.</summary>
    public bool Declares(string loadPath, string? projectDirectory) => DeclaredFiles.Any(f => PathText.Matches(f, loadPath, projectDirectory));

    /// <summary>True when one of the declared files lies below the directory <paramref name="loadDirectory"/> (as written in code).</summary>
    public bool DeclaresUnder(string loadDirectory, string? projectDirectory)
    {
        foreach (var file in DeclaredFiles)
        {
            for (string directory = PathText.Directory(file); directory.Length > 0; directory = PathText.Directory(directory))
            {
                if (PathText.Matches(directory, loadDirectory, projectDirectory))
                {
                    return true;
                }
            }
        }

        return false;
    }
}

/// <summary>
/// The lineage manifests of one compilation, read from AdditionalFiles (never from disk: RS1035), parsed once and
/// only when a load site needs them.
/// </summary>
internal sealed class ManifestIndex
{
    private readonly Lazy<ImmutableArray<IndexedManifest>> _manifests;

    /// <summary>
    /// Parses a manifest's text. Roslyn caches the value per SourceText across compilations, so while someone types in
    /// the editor an unchanged manifest is parsed once, not once per keystroke.
    /// </summary>
    public static readonly SourceTextValueProvider<LineageManifest> Parser = new(Parse);

    public ManifestIndex(AnalyzerOptions options, string? projectDirectory, System.Threading.CancellationToken cancellationToken)
        : this(options, projectDirectory, Parse, cancellationToken)
    {
    }

    public static LineageManifest Parse(SourceText text) => text.Length > LineageManifest.MaxBytes
        ? LineageManifest.Read(string.Empty) // refused without copying a huge file into a string; the build reports OTL0105
        : LineageManifest.Read(text.ToString());

    public ManifestIndex(AnalyzerOptions options, string? projectDirectory, Func<SourceText, LineageManifest> parse, System.Threading.CancellationToken cancellationToken)
    {
        ProjectDirectory = projectDirectory;
        _manifests = new Lazy<ImmutableArray<IndexedManifest>>(() => Read(options, parse, cancellationToken));
    }

    public string? ProjectDirectory { get; }

    public ImmutableArray<IndexedManifest> Manifests => _manifests.Value;

    public static bool IsManifestPath(string path)
    {
        string name = PathText.FileName(path);
        return name.EndsWith(".lineage.json", StringComparison.OrdinalIgnoreCase)
            || name.Equals("training-lineage.json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The manifest an attribute path names (relative to the project directory), or null.</summary>
    public IndexedManifest? Find(string attributePath)
    {
        string wanted = PathText.Normalize(attributePath);
        foreach (var manifest in Manifests)
        {
            if (PathText.Matches(manifest.FullPath, wanted, ProjectDirectory))
            {
                return manifest;
            }
        }

        return null;
    }

    private static ImmutableArray<IndexedManifest> Read(AnalyzerOptions options, Func<SourceText, LineageManifest> parse, System.Threading.CancellationToken cancellationToken)
    {
        var builder = ImmutableArray.CreateBuilder<IndexedManifest>();
        foreach (var file in options.AdditionalFiles)
        {
            bool marked = options.AnalyzerConfigOptionsProvider.GetOptions(file).TryGetValue("build_metadata.AdditionalFiles.OpenTrainManifest", out string? flag)
                && string.Equals(flag, "true", StringComparison.OrdinalIgnoreCase);
            if (!marked && !IsManifestPath(file.Path))
            {
                continue;
            }

            var text = file.GetText(cancellationToken);
            var manifest = text is null ? LineageManifest.Read(string.Empty) : parse(text);
            builder.Add(new IndexedManifest(file, manifest, PathText.Normalize(file.Path)));
        }

        return builder.ToImmutable();
    }
}

/// <summary>Path arithmetic on strings only (analyzers must not touch the file system).</summary>
internal static class PathText
{
    public static string Normalize(string path)
    {
        string p = path.Replace('\\', '/');
        bool rooted = p.StartsWith("/", StringComparison.Ordinal);
        var parts = new List<string>();
        foreach (var segment in p.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == ".")
            {
                continue;
            }

            if (segment == ".." && parts.Count > 0 && parts[parts.Count - 1] != "..")
            {
                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(segment);
        }

        return (rooted ? "/" : string.Empty) + string.Join("/", parts);
    }

    public static string Directory(string normalizedPath)
    {
        int slash = normalizedPath.LastIndexOf('/');
        return slash < 0 ? string.Empty : normalizedPath.Substring(0, slash);
    }

    public static string FileName(string path)
    {
        int slash = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
        return path.Substring(slash + 1);
    }

    public static string Combine(string directory, string relative) =>
        Normalize(directory.Length == 0 ? relative : directory + "/" + relative);

    public static bool IsRooted(string normalizedPath) =>
        normalizedPath.StartsWith("/", StringComparison.Ordinal) || (normalizedPath.Length >= 2 && normalizedPath[1] == ':');

    /// <summary>
    /// Does <paramref name="fullPath"/> name the file a piece of code writes as <paramref name="written"/>?
    /// Relative paths in code are relative to the project directory (files are copied to the output with the same
    /// relative path). Without a known project directory the written path must be a whole-segment suffix.
    /// </summary>
    public static bool Matches(string fullPath, string written, string? projectDirectory)
    {
        string path = Normalize(written);
        if (path.Length == 0)
        {
            return false;
        }

        if (IsRooted(path))
        {
            return string.Equals(fullPath, path, StringComparison.OrdinalIgnoreCase);
        }

        if (projectDirectory is not null && string.Equals(fullPath, Combine(Normalize(projectDirectory), path), StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return fullPath.EndsWith("/" + path, StringComparison.OrdinalIgnoreCase) || string.Equals(fullPath, path, StringComparison.OrdinalIgnoreCase);
    }
}
