using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using OpenTrain.Lineage;
using OpenTrain.Lineage.Model;
using OpenTrainAnalyzers.Build.Files;
using OpenTrainAnalyzers.Build.Weights;

namespace OpenTrainAnalyzers.Build;

/// <summary>
/// At <c>dotnet pack</c>: every model weight file the package carries must be listed by a lineage manifest
/// (OTL0210), and that manifest is packed beside the weights, at the package path from which each file it lists
/// resolves inside the package (OTL0211 when one cannot). Vendored parent manifests go with it, and the project's
/// OpenTrainLoaders.txt goes to <c>opentrain/OpenTrainLoaders.txt</c>, so that apps consuming the package check its
/// models and their calls into its loaders (docs/packages.md). Writes nothing: it only adds items to the package.
/// </summary>
public sealed class PackLineage : Task
{
    private const string DefaultLayout = "";

    /// <summary>The files the package will carry (the SDK's _PackageFiles: PackagePath and BuildAction metadata).</summary>
    public ITaskItem[] PackageFiles { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The project's lineage manifests.</summary>
    public ITaskItem[] Manifests { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    public string? ProjectFile { get; set; }

    /// <summary>
    /// OpenTrainLineagePackage: the package supplies its manifests as a lineage source (docs/sharing-lineage.md); each
    /// goes under opentrain/lineage/ at its path in the project, with its vendored parents, whatever weights it lists.
    /// </summary>
    public bool LineagePackage { get; set; }

    /// <summary>The project's OpenTrainLoaders.txt, when it has one.</summary>
    public string? LoadersFile { get; set; }

    /// <summary>Items to add to the package: manifests beside their weights, parent manifests, the loader declarations.</summary>
    [Output]
    public ITaskItem[] AddedPackageFiles { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        try
        {
            Run();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.LogError(null, LineageRules.ValidationFailed.Id, null, LineageRules.ValidationFailed.HelpLink, SafeFiles.Escape(ProjectFile ?? string.Empty), 0, 0, 0, 0,
                $"OpenTrain's pack step stopped unexpectedly ({e.GetType().Name}); the package was not written. Please report it; the details are in the build log at detailed verbosity (-v:d).");
            Log.LogMessage(MessageImportance.Low, "OpenTrain: " + SafeFiles.Escape(e.ToString()));
        }

        return !Log.HasLoggedErrors;
    }

    private void Run()
    {
        var added = new List<ITaskItem>();
        var packed = PackageFiles.Select(item => new PackedFile(item, ProjectDirectory)).ToList();
        var packedPaths = new HashSet<string>(packed.SelectMany(p => p.Locations), StringComparer.OrdinalIgnoreCase);
        var alreadyPacked = new HashSet<string>(packed.Select(p => p.FullPath), WeightVerifier.PathComparer);

        // Which manifest lists which file (full paths).
        var owners = new Dictionary<string, List<(string Manifest, LineageManifest Parsed, string Relative)>>(WeightVerifier.PathComparer);
        var parsed = new Dictionary<string, LineageManifest>(WeightVerifier.PathComparer);
        foreach (var item in Manifests)
        {
            string path = item.GetMetadata("FullPath");
            var (manifest, _) = ValidateTrainingLineage.Read(path);
            if (manifest is null)
            {
                continue; // the gate reports an unreadable manifest in the build before pack
            }

            parsed[path] = manifest;
            foreach (var file in manifest.WeightFiles)
            {
                if (file.RelativePath is { } relative && WeightVerifier.FullPathOf(file, Path.GetDirectoryName(path)!) is { } full)
                {
                    if (!owners.TryGetValue(full, out var list))
                    {
                        owners[full] = list = new List<(string, LineageManifest, string)>();
                    }

                    list.Add((path, manifest, relative));
                }
            }
        }

        // Where each manifest must go: beside each packed copy of each file it lists.
        var placements = new Dictionary<string, HashSet<string>>(WeightVerifier.PathComparer);
        foreach (var file in packed.Where(p => ShippedWeights.WhyModel(p.FullPath) is not null && !IsManifest(p.FullPath)))
        {
            if (!owners.TryGetValue(file.FullPath, out var listing))
            {
                Error(LineageRules.PackedWeightsUndeclared, ProjectFile, 0, 0,
                    $"'{SafeFiles.Escape(file.ItemSpec)}' is packed ({SafeFiles.Escape(file.Describe())}) as model weights ({ShippedWeights.WhyModel(file.FullPath)}), but no training-lineage manifest lists it in weights.files. Declare it in a manifest next to it (dotnet build -t:OpenTrainScaffold -p:OpenTrainScaffoldPath={SafeFiles.Escape(file.ItemSpec)} starts one), or stop packing it.");
                continue;
            }

            foreach (var (manifest, _, relative) in listing)
            {
                if (!placements.TryGetValue(manifest, out var folders))
                {
                    placements[manifest] = folders = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                }

                if (file.Locations.Count == 0)
                {
                    folders.Add(DefaultLayout); // the SDK lays it out (content/, contentFiles/any/<tfm>/): the manifest follows the same layout
                    continue;
                }

                foreach (var location in file.Locations)
                {
                    if (location.Equals(relative, StringComparison.OrdinalIgnoreCase))
                    {
                        folders.Add("/"); // the package root
                    }
                    else if (location.EndsWith("/" + relative, StringComparison.OrdinalIgnoreCase))
                    {
                        folders.Add(location.Substring(0, location.Length - relative.Length));
                    }
                    else
                    {
                        var at = parsed[manifest].WeightFiles.First(w => w.RelativePath == relative).Path.Value!;
                        Error(LineageRules.PackedManifestUnresolved, manifest, at.Range.Start.Line, at.Range.Start.Column,
                            $"'{SafeFiles.Escape(relative)}' is packed at '{SafeFiles.Escape(location)}', where this manifest cannot reach it: from no folder of the package does '{SafeFiles.Escape(relative)}' lead there. Pack it with a PackagePath that keeps its path relative to the manifest (e.g. PackagePath=\"{SafeFiles.Escape(Suggest(location, relative))}\").");
                    }
                }
            }
        }

        foreach (var placement in placements.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            string manifest = placement.Key;
            var folders = placement.Value;
            string directory = Path.GetDirectoryName(manifest)!;
            var document = parsed[manifest];
            var companions = new List<(string FullPath, string Relative)> { (manifest, Path.GetFileName(manifest)) };
            companions.AddRange(WeightVerifier.VendoredParents(document, directory));

            // The producer's signature (weights.signature) travels beside the manifest, so that apps can verify it too.
            if (document.Document?.Weights.Node?.Signature.Node?.Path.AsString() is { Length: > 0 } signaturePath && WeightPaths.Problem(signaturePath) is null
                && Path.GetFullPath(Path.Combine(directory, signaturePath)) is { } signatureFile && SafeFiles.KindOf(signatureFile) == FileKind.Regular)
            {
                companions.Add((signatureFile, signaturePath));
            }

            foreach (string folder in folders.OrderBy(f => f, StringComparer.Ordinal))
            {
                // Every file the manifest lists must be in the package at the same place relative to it.
                foreach (var file in document.WeightFiles)
                {
                    if (file.RelativePath is not { } relative || WeightVerifier.FullPathOf(file, directory) is not { } full)
                    {
                        continue;
                    }

                    bool resolves = folder == DefaultLayout
                        ? packed.Any(p => p.Locations.Count == 0 && WeightVerifier.PathComparer.Equals(p.FullPath, full))
                        : packedPaths.Contains(Combine(folder, relative));
                    if (!resolves)
                    {
                        var at = file.Path.Value!;
                        Error(LineageRules.PackedManifestUnresolved, manifest, at.Range.Start.Line, at.Range.Start.Column,
                            $"This manifest is packed at '{SafeFiles.Escape(folder == DefaultLayout ? "content/ and contentFiles/" : folder)}' beside the weights, but '{SafeFiles.Escape(relative)}', which it lists, is not in the package there: an app would fail to verify it. Pack it too, with the same layout as the weights (Pack=\"true\"), or remove it from weights.files.");
                    }
                }

                foreach (var (fullPath, relative) in companions)
                {
                    if (alreadyPacked.Contains(fullPath) && folder == DefaultLayout)
                    {
                        continue; // the project packs it itself
                    }

                    var item = new TaskItem(folder == DefaultLayout ? RelativeToProject(fullPath) : fullPath);
                    item.SetMetadata("BuildAction", "None");
                    item.SetMetadata("PackageCopyToOutput", "false");
                    item.SetMetadata("PackagePath", folder == DefaultLayout ? string.Empty : Combine(folder, relative));
                    added.Add(item);
                    Log.LogMessage(MessageImportance.Normal, $"OpenTrain: packing {SafeFiles.Escape(relative)} at {SafeFiles.Escape(folder == DefaultLayout ? "the SDK's content layout" : Combine(folder, relative))}.");
                }
            }
        }

        if (LineagePackage)
        {
            AddLineageSources(parsed, added);
        }

        if (!string.IsNullOrEmpty(LoadersFile) && SafeFiles.KindOf(LoadersFile!) == FileKind.Regular)
        {
            var loaders = new TaskItem(Path.GetFullPath(LoadersFile!));
            loaders.SetMetadata("BuildAction", "None");
            loaders.SetMetadata("PackagePath", "opentrain/OpenTrainLoaders.txt");
            added.Add(loaders);
        }

        AddedPackageFiles = added.ToArray();
        if (placements.Count > 0)
        {
            Log.LogMessage(MessageImportance.High, $"OpenTrain: {placements.Count} lineage manifest(s) packed beside the weights they describe; apps that reference this package and OpenTrainAnalyzers check them.");
        }
    }

    /// <summary>Every manifest of the project, and the parents it vendors, under opentrain/lineage/ at its path in the project.</summary>
    private void AddLineageSources(Dictionary<string, LineageManifest> parsed, List<ITaskItem> added)
    {
        string root = ProjectDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var placed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        void Place(string fullPath)
        {
            if (!fullPath.StartsWith(root, Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            {
                Log.LogWarning(null, LineageRules.PackedManifestUnresolved.Id, null, LineageRules.PackedManifestUnresolved.HelpLink, SafeFiles.Escape(fullPath), 0, 0, 0, 0,
                    "This manifest is outside the lineage package's project folder, so it has no place under opentrain/lineage/ and is not packed. Move it into the project folder.");
                return;
            }

            string packagePath = ResolvePackagedLineage.LineageFolder + fullPath.Substring(root.Length).Replace('\\', '/');
            if (!placed.Add(packagePath) || SafeFiles.KindOf(fullPath) != FileKind.Regular)
            {
                return;
            }

            var item = new TaskItem(fullPath);
            item.SetMetadata("BuildAction", "None");
            item.SetMetadata("PackageCopyToOutput", "false");
            item.SetMetadata("PackagePath", packagePath);
            added.Add(item);
        }

        // The project's own manifests: those a referenced package brought are that package's to publish.
        var own = new HashSet<string>(Manifests.Where(m => m.GetMetadata("OpenTrainPackageId").Length == 0).Select(m => m.GetMetadata("FullPath")), WeightVerifier.PathComparer);
        foreach (var entry in parsed.Where(p => own.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Place(entry.Key);
            foreach (var (parent, _) in WeightVerifier.VendoredParents(entry.Value, Path.GetDirectoryName(entry.Key)!))
            {
                Place(parent);
            }
        }

        Log.LogMessage(MessageImportance.High, $"OpenTrain: {placed.Count} lineage manifest(s) packed under {ResolvePackagedLineage.LineageFolder}: apps that reference this package find parents there by identity.");
    }

    private static bool IsManifest(string path) =>
        path.EndsWith(".lineage.json", StringComparison.OrdinalIgnoreCase) || Path.GetFileName(path).Equals("training-lineage.json", StringComparison.OrdinalIgnoreCase);

    private static string Combine(string folder, string relative) => folder == "/" ? relative : folder.TrimEnd('/') + "/" + relative;

    private static string Suggest(string location, string relative)
    {
        int slash = location.LastIndexOf('/');
        string folder = slash < 0 ? string.Empty : location.Substring(0, slash + 1);
        int own = relative.LastIndexOf('/');
        return folder + (own < 0 ? string.Empty : relative.Substring(0, own + 1));
    }

    private string RelativeToProject(string fullPath)
    {
        string root = ProjectDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return fullPath.StartsWith(root, StringComparison.Ordinal) ? fullPath.Substring(root.Length) : fullPath;
    }

    private void Error(LineageRule rule, string? file, int line, int column, string message) =>
        Log.LogError(null, rule.Id, null, rule.HelpLink, SafeFiles.Escape(file ?? string.Empty), line, column, 0, 0, message);

    /// <summary>One file of the package and where in the package it lands.</summary>
    private sealed class PackedFile
    {
        public PackedFile(ITaskItem item, string projectDirectory)
        {
            ItemSpec = item.ItemSpec;
            FullPath = Path.GetFullPath(Path.Combine(projectDirectory, item.ItemSpec));
            PackagePath = item.GetMetadata("PackagePath");
            string fileName = Path.GetFileName(FullPath);
            foreach (var raw in PackagePath.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries))
            {
                string path = raw.Trim().Replace('\\', '/').TrimStart('/');
                if (path.Length == 0 || path.EndsWith("/", StringComparison.Ordinal))
                {
                    Locations.Add(path + fileName);
                }
                else if (string.Equals(Path.GetExtension(path), Path.GetExtension(fileName), StringComparison.OrdinalIgnoreCase))
                {
                    Locations.Add(path); // NuGet's rule: a PackagePath with the file's extension names the file itself
                }
                else
                {
                    Locations.Add(path + "/" + fileName);
                }
            }
        }

        public string ItemSpec { get; }

        public string FullPath { get; }

        public string PackagePath { get; }

        /// <summary>Package paths ('/' separators); empty when the SDK lays the file out (content/, contentFiles/).</summary>
        public List<string> Locations { get; } = new();

        public string Describe() => Locations.Count == 0 ? "content/ and contentFiles/, laid out by the SDK" : "PackagePath " + string.Join(", ", Locations);
    }
}
