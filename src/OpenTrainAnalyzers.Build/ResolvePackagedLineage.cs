using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using OpenTrain.Lineage.Json;
using OpenTrainAnalyzers.Build.Files;

namespace OpenTrainAnalyzers.Build;

/// <summary>
/// Finds the lineage that packages bring (docs/packages.md): the <c>*.lineage.json</c> manifests and
/// <c>opentrain/OpenTrainLoaders.txt</c> files of every package the project restores, directly or transitively,
/// read from the restore's own record (project.assets.json) and the restored package folders: offline, no
/// configuration. A manifest under <c>contentFiles/</c> counts when NuGet selected it for this target framework; one
/// under <c>content/</c> (the packages.config copy) does not. Each manifest is returned with its package id and
/// version, and, when its folder is copied to the output, the output folder its weights land in.
/// </summary>
public sealed class ResolvePackagedLineage : Task
{
    private const long MaxAssetsBytes = 256L * 1024 * 1024;

    // Keys of project.assets.json (NuGet's format, not a manifest's: named here so they are not mistaken for manifest fields).
    private const string LibraryType = "type";
    private const string LibraryPath = "path";
    private const string LibraryFiles = "files";

    /// <summary>Where a lineage package (OpenTrainLineagePackage) keeps the manifests it supplies as a lineage source.</summary>
    internal const string LineageFolder = "opentrain/lineage/";

    /// <summary>$(ProjectAssetsFile): obj/project.assets.json.</summary>
    public string? ProjectAssetsFile { get; set; }

    /// <summary>$(TargetFramework); empty in the outer build of a multi-targeted project (the first target is used).</summary>
    public string? TargetFramework { get; set; }

    /// <summary>
    /// $(NuGetTargetMoniker), e.g. ".NETFramework,Version=v4.7.2": the restore names .NET Framework targets by it,
    /// not by the alias, so an inner build of net472 would otherwise fall back to another framework's target.
    /// </summary>
    public string? TargetFrameworkMoniker { get; set; }

    /// <summary>$(RuntimeIdentifier): a RID-specific restore target is "framework/rid".</summary>
    public string? RuntimeIdentifier { get; set; }

    /// <summary>The full path of the output folder ($(OutDir)), where contentFiles copied to the output land.</summary>
    public string? OutputDirectory { get; set; }

    [Output]
    public ITaskItem[] PackagedManifests { get; set; } = Array.Empty<ITaskItem>();

    [Output]
    public ITaskItem[] PackagedLoaders { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>
    /// Manifests a lineage package carries under <c>opentrain/lineage/</c> (docs/sharing-lineage.md): lineage sources,
    /// where parents are found by identity; never checked as this app's models.
    /// </summary>
    [Output]
    public ITaskItem[] PackagedLineageSources { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        try
        {
            Run();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            // Without a readable assets file there is no restore to read; the build reports restore problems itself.
            Log.LogMessage(MessageImportance.Normal, "OpenTrain: packaged lineage not read: " + SafeFiles.Reason(e));
        }

        return !Log.HasLoggedErrors;
    }

    // The last answer per assets file, for a long-lived build process (Visual Studio's design-time builds run this
    // target on every edit of the project): an unchanged restore is not read again.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Length, long Ticks, string Key, ITaskItem[] Manifests, ITaskItem[] Loaders, ITaskItem[] Sources)> Remembered = new(StringComparer.Ordinal);

    /// <summary>Forgets the remembered answers (benchmarks measure the first read).</summary>
    internal static void Forget() => Remembered.Clear();

    private void Run()
    {
        if (string.IsNullOrEmpty(ProjectAssetsFile) || SafeFiles.KindOf(ProjectAssetsFile!) != FileKind.Regular)
        {
            return;
        }

        var info = new FileInfo(ProjectAssetsFile!);
        string key = (TargetFramework ?? string.Empty) + "|" + (TargetFrameworkMoniker ?? string.Empty) + "|" + (RuntimeIdentifier ?? string.Empty) + "|" + (OutputDirectory ?? string.Empty);
        if (Remembered.TryGetValue(info.FullName, out var known) && known.Length == info.Length && known.Ticks == info.LastWriteTimeUtc.Ticks && known.Key == key
            && known.Manifests.Concat(known.Loaders).Concat(known.Sources).All(item => File.Exists(item.ItemSpec)))
        {
            PackagedManifests = known.Manifests.Select(item => (ITaskItem)new TaskItem(item)).ToArray();
            PackagedLoaders = known.Loaders.Select(item => (ITaskItem)new TaskItem(item)).ToArray();
            PackagedLineageSources = known.Sources.Select(item => (ITaskItem)new TaskItem(item)).ToArray();
            return;
        }

        Resolve();
        Remembered[info.FullName] = (info.Length, info.LastWriteTimeUtc.Ticks, key, PackagedManifests, PackagedLoaders, PackagedLineageSources);
    }

    private void Resolve()
    {
        byte[] bytes = SafeFiles.ReadCapped(ProjectAssetsFile!, MaxAssetsBytes, out bool tooLarge);
        if (tooLarge)
        {
            Log.LogWarning(null, "OTL0106", null, OpenTrain.Lineage.LineageRules.Unreadable.HelpLink, SafeFiles.Escape(ProjectAssetsFile), 0, 0, 0, 0,
                $"project.assets.json is larger than {MaxAssetsBytes / (1024 * 1024)} MiB; the lineage of packages was not read.");
            return;
        }

        // Most restores carry no lineage at all: a byte search answers that without decoding or parsing the file, and
        // this target runs in every build and design-time build.
        if (!Contains(bytes, "lineage.json") && !Contains(bytes, "opentrainloaders.txt"))
        {
            return;
        }

        var root = JsonParser.Parse(new System.Text.UTF8Encoding(false, false).GetString(bytes)).Root;
        if (root is not { Kind: JsonValueKind.Object })
        {
            return; // a broken assets file fails the restore and the build on its own
        }

        var folders = (root["packageFolders"]?.Properties ?? Array.Empty<JsonProperty>()).Select(p => p.Name).ToList();
        var target = SelectTarget(root["targets"]);
        var manifests = new List<ITaskItem>();
        var loaders = new List<ITaskItem>();
        var sources = new List<ITaskItem>();
        foreach (var library in root["libraries"]?.Properties ?? Array.Empty<JsonProperty>())
        {
            var value = library.Value;
            if (value[LibraryType]?.AsString() != "package" || value[LibraryPath]?.AsString() is not { Length: > 0 } packagePath)
            {
                continue;
            }

            int slash = library.Name.IndexOf('/');
            string id = slash < 0 ? library.Name : library.Name.Substring(0, slash);
            string version = slash < 0 ? string.Empty : library.Name.Substring(slash + 1);
            var selectedContent = target?[library.Name]?["contentFiles"];
            foreach (var file in value[LibraryFiles]?.Items ?? Array.Empty<JsonValue>())
            {
                if (file.AsString() is not { } relative)
                {
                    continue;
                }

                bool isLoaders = relative.Equals("opentrain/OpenTrainLoaders.txt", StringComparison.OrdinalIgnoreCase);
                bool isManifest = relative.EndsWith(".lineage.json", StringComparison.OrdinalIgnoreCase) || relative.EndsWith("/training-lineage.json", StringComparison.OrdinalIgnoreCase);
                if (!isLoaders && !isManifest)
                {
                    continue;
                }

                // A lineage package's manifests describe models nobody ships here: sources of parents, for the
                // frameworks NuGet delivers the package to (it is in this target's graph).
                bool isSource = isManifest && relative.StartsWith(LineageFolder, StringComparison.OrdinalIgnoreCase);
                if (isSource && target is not null && target[library.Name] is null)
                {
                    continue;
                }

                string? outputFolder = null;
                if (relative.StartsWith("content/", StringComparison.OrdinalIgnoreCase))
                {
                    continue; // the packages.config copy; PackageReference uses contentFiles/
                }

                if (relative.StartsWith("contentFiles/", StringComparison.OrdinalIgnoreCase))
                {
                    if (selectedContent?[relative] is null)
                    {
                        continue; // another target framework's or language's copy
                    }

                    // contentFiles/<language>/<framework>/<path>: the path below the framework is where it lands in the output.
                    var segments = relative.Split('/');
                    if (segments.Length > 4 && !string.IsNullOrEmpty(OutputDirectory))
                    {
                        outputFolder = Path.Combine(OutputDirectory!, string.Join(Path.DirectorySeparatorChar.ToString(), segments.Skip(3).Take(segments.Length - 4)));
                    }
                    else if (segments.Length == 4 && !string.IsNullOrEmpty(OutputDirectory))
                    {
                        outputFolder = OutputDirectory;
                    }
                }

                string? fullPath = folders
                    .Select(folder => Path.Combine(folder, packagePath.Replace('/', Path.DirectorySeparatorChar), relative.Replace('/', Path.DirectorySeparatorChar)))
                    .FirstOrDefault(path => SafeFiles.KindOf(path) == FileKind.Regular);
                if (fullPath is null)
                {
                    continue;
                }

                var item = new TaskItem(fullPath);
                item.SetMetadata("OpenTrainPackageId", id);
                item.SetMetadata("OpenTrainPackageVersion", version);
                item.SetMetadata("OpenTrainPackageFile", relative);
                if (isSource)
                {
                    sources.Add(item);
                }
                else if (isManifest)
                {
                    item.SetMetadata("OpenTrainManifest", "true");
                    if (outputFolder is not null)
                    {
                        item.SetMetadata("OpenTrainOutputDirectory", outputFolder);
                    }

                    manifests.Add(item);
                }
                else
                {
                    loaders.Add(item);
                }
            }
        }

        PackagedManifests = manifests.ToArray();
        PackagedLoaders = loaders.ToArray();
        PackagedLineageSources = sources.ToArray();
        if (manifests.Count + loaders.Count + sources.Count > 0)
        {
            Log.LogMessage(MessageImportance.Normal, $"OpenTrain: {manifests.Count} lineage manifest(s), {loaders.Count} loader declaration file(s) and {sources.Count} lineage-source manifest(s) from packages.");
        }
    }

    /// <summary>ASCII case-insensitive search of a lower-case ASCII <paramref name="pattern"/> in UTF-8 bytes.</summary>
    internal static bool Contains(byte[] bytes, string pattern)
    {
        byte first = (byte)pattern[0];
        byte firstUpper = (byte)char.ToUpperInvariant(pattern[0]);
        for (int i = 0; i + pattern.Length <= bytes.Length; i++)
        {
            if (bytes[i] != first && bytes[i] != firstUpper)
            {
                continue;
            }

            int k = 1;
            while (k < pattern.Length && ((bytes[i + k] | 0x20) == pattern[k] || bytes[i + k] == pattern[k]))
            {
                k++;
            }

            if (k == pattern.Length)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The restore's target for this framework ("net8.0", ".NETFramework,Version=v4.7.2", with "/rid" when restored
    /// for a runtime); the first only when the build names no framework (a project that is not multi-targeted).
    /// </summary>
    private JsonValue? SelectTarget(JsonValue? targets)
    {
        var all = targets?.Properties ?? Array.Empty<JsonProperty>();
        foreach (var name in new[] { TargetFramework, TargetFrameworkMoniker })
        {
            if (string.IsNullOrEmpty(name))
            {
                continue;
            }

            string withRid = string.IsNullOrEmpty(RuntimeIdentifier) ? name! : name + "/" + RuntimeIdentifier;
            var exact = all.FirstOrDefault(t => t.Name.Equals(withRid, StringComparison.OrdinalIgnoreCase))
                ?? all.FirstOrDefault(t => t.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (exact is not null)
            {
                return exact.Value;
            }
        }

        return all.FirstOrDefault()?.Value;
    }
}
