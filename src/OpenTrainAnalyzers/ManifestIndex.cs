using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using OpenTrain.Lineage;

namespace OpenTrainAnalyzers;

/// <summary>A manifest parsed from one text, with its own level evaluated lazily; cached per SourceText by Roslyn.</summary>
internal sealed class ParsedManifest
{
    private readonly Lazy<LineageLevel> _ownLevel;

    public ParsedManifest(LineageManifest manifest)
    {
        Manifest = manifest;
        _ownLevel = new Lazy<LineageLevel>(() => CompletenessPolicy.Evaluate(manifest).AchievedLevel);
    }

    public LineageManifest Manifest { get; }

    public LineageLevel OwnLevel => _ownLevel.Value;
}

/// <summary>A lineage manifest that reached the compiler as an AdditionalFiles item.</summary>
internal sealed class IndexedManifest
{
    public IndexedManifest(AdditionalText file, ParsedManifest parsed, string fullPath)
    {
        _parsed = parsed;
        File = file;
        Manifest = parsed.Manifest;
        var manifest = parsed.Manifest;
        FullPath = fullPath;
        string directory = PathText.Directory(fullPath);
        DeclaredFiles = manifest.WeightFiles
            .Where(f => f.RelativePath is not null)
            .Select(f => PathText.Combine(directory, f.RelativePath!))
            .ToImmutableArray();
    }

    private readonly ParsedManifest _parsed;

    public AdditionalText File { get; }

    /// <summary>The level the manifest reaches by itself (evaluated once per manifest text, on first use).</summary>
    public LineageLevel OwnLevel => _parsed.OwnLevel;

    public LineageManifest Manifest { get; }

    /// <summary>Normalised full path of the manifest ('/' separators).</summary>
    public string FullPath { get; }

    /// <summary>Normalised full paths of the weight files the manifest declares.</summary>
    public ImmutableArray<string> DeclaredFiles { get; }

    /// <summary>True when <paramref name="loadPath"/> (as written in code) names one of the declared files.</summary>
    public bool Declares(string loadPath, string? projectDirectory)
    {
        var written = new WrittenPath(loadPath, projectDirectory);
        foreach (var file in DeclaredFiles)
        {
            if (written.Names(file))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when one of the declared files lies below the directory <paramref name="loadDirectory"/> (as written in code).</summary>
    public bool DeclaresUnder(string loadDirectory, string? projectDirectory)
    {
        var written = new WrittenPath(loadDirectory, projectDirectory);
        foreach (var file in DeclaredFiles)
        {
            for (string directory = PathText.Directory(file); directory.Length > 0; directory = PathText.Directory(directory))
            {
                if (written.Names(directory))
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
    public static readonly SourceTextValueProvider<ParsedManifest> Parser = new(text => new ParsedManifest(Parse(text)));

    public ManifestIndex(AnalyzerOptions options, string? projectDirectory, System.Threading.CancellationToken cancellationToken)
        : this(options, projectDirectory, text => new ParsedManifest(Parse(text)), cancellationToken)
    {
    }

    public static LineageManifest Parse(SourceText text) => text.Length > LineageManifest.MaxBytes
        ? LineageManifest.Read(string.Empty) // refused without copying a huge file into a string; the build reports OTL0105
        : LineageManifest.Read(text.ToString());

    public ManifestIndex(AnalyzerOptions options, string? projectDirectory, Func<SourceText, ParsedManifest> parse, System.Threading.CancellationToken cancellationToken)
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
        var wanted = new WrittenPath(attributePath, ProjectDirectory);
        foreach (var manifest in Manifests)
        {
            if (wanted.Names(manifest.FullPath))
            {
                return manifest;
            }
        }

        return null;
    }

    private static ImmutableArray<IndexedManifest> Read(AnalyzerOptions options, Func<SourceText, ParsedManifest> parse, System.Threading.CancellationToken cancellationToken)
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
            var parsed = text is null ? new ParsedManifest(LineageManifest.Read(string.Empty)) : parse(text);
            builder.Add(new IndexedManifest(file, parsed, PathText.Normalize(file.Path)));
        }

        return builder.ToImmutable();
    }
}

/// <summary>Path arithmetic on strings only (analyzers must not touch the file system).</summary>
internal static class PathText
{
    public static string Normalize(string path) => WeightPaths.Normalize(path);

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
}

/// <summary>
/// A path as code writes it, normalised once so it can be compared with every declared file cheaply. Relative paths
/// in code are relative to the project directory (files are copied to the output with the same relative path);
/// without a known project directory the written path must be a whole-segment suffix of the declared one.
/// </summary>
internal readonly struct WrittenPath
{
    private readonly string _path;
    private readonly string? _inProject;
    private readonly bool _rooted;

    public WrittenPath(string written, string? projectDirectory)
    {
        _path = PathText.Normalize(written);
        _rooted = PathText.IsRooted(_path);
        _inProject = !_rooted && projectDirectory is not null && _path.Length > 0 ? PathText.Combine(PathText.Normalize(projectDirectory), _path) : null;
    }

    public bool Names(string fullPath)
    {
        if (_path.Length == 0)
        {
            return false;
        }

        if (_rooted)
        {
            return string.Equals(fullPath, _path, StringComparison.OrdinalIgnoreCase);
        }

        return (_inProject is not null && string.Equals(fullPath, _inProject, StringComparison.OrdinalIgnoreCase))
            || string.Equals(fullPath, _path, StringComparison.OrdinalIgnoreCase)
            || (fullPath.Length > _path.Length && fullPath[fullPath.Length - _path.Length - 1] == '/'
                && fullPath.EndsWith(_path, StringComparison.OrdinalIgnoreCase));
    }
}
