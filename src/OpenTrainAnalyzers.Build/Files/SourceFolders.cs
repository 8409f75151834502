using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;
using OpenTrain.Lineage;
using OpenTrainAnalyzers.Build.Weights;

namespace OpenTrainAnalyzers.Build.Files;

/// <summary>
/// The lineage sources of a build (docs/sharing-lineage.md): <c>OpenTrainLineageSource</c> folders, searched
/// recursively for manifests, and the manifests lineage packages carry under <c>opentrain/lineage/</c>. They supply
/// parent manifests by identity and nothing else: no loader declarations, no suppressions, no weights. Folders are
/// checked when the build starts (a missing one is OTL0017); their files are read on the first lookup only.
/// </summary>
internal static class SourceFolders
{
    /// <summary>Manifests read from all sources at most: a source is a curated set of base models, not a file share.</summary>
    internal const int MaxManifests = 10_000;

    /// <summary>Bytes read from all sources at most.</summary>
    internal const long MaxTotalBytes = 256L * 1024 * 1024;

    private const int MaxDepth = 32;

    /// <summary>Folders listed in one source at most.</summary>
    internal const int MaxFolders = 20_000;

    /// <param name="items">Folders or manifest files (OpenTrainLineageSource), and packaged source manifests (with OpenTrainPackageId/Version/File).</param>
    /// <param name="problems">Configuration errors found now, and limits met while reading later.</param>
    /// <param name="roots">
    /// The sources' folders (real paths): a source manifest's vendored parents lie there, so reading them is not leaving
    /// the allowed roots (a folder source; the opentrain/lineage/ folder of a package).
    /// </param>
    /// <param name="maxFolders">Folders listed in one source at most (<see cref="MaxFolders"/>; tests lower it).</param>
    public static LineageSources From(ITaskItem[] items, string projectDirectory, List<LineageFinding> problems, out IReadOnlyList<string> roots, int maxFolders = MaxFolders)
    {
        var searched = new List<string>();
        var rootList = new List<string>();
        roots = rootList;
        var folders = new List<(string FullPath, string Shown)>();
        var files = new List<(string FullPath, string Origin)>();
        foreach (var item in items)
        {
            string spec = item.ItemSpec;
            if (item.GetMetadata("OpenTrainPackageId") is { Length: > 0 } id)
            {
                string version = item.GetMetadata("OpenTrainPackageVersion");
                string package = $"package {id} {version}".TrimEnd();
                if (!searched.Contains(package))
                {
                    searched.Add(package);
                }

                string file = item.GetMetadata("FullPath");
                string packageFile = item.GetMetadata("OpenTrainPackageFile").Replace('/', Path.DirectorySeparatorChar);
                if (packageFile.Length > 0 && file.EndsWith(packageFile, StringComparison.OrdinalIgnoreCase))
                {
                    string lineageFolder = Path.Combine(file.Substring(0, file.Length - packageFile.Length), "opentrain", "lineage");
                    string real = SafeFiles.RealPath(lineageFolder);
                    if (!rootList.Contains(real))
                    {
                        rootList.Add(real);
                    }
                }

                files.Add((file, $"{package} ({item.GetMetadata("OpenTrainPackageFile")})"));
                continue;
            }

            string full;
            try
            {
                full = Path.GetFullPath(Path.Combine(projectDirectory, spec));
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException or System.Security.SecurityException)
            {
                problems.Add(Problem($"OpenTrainLineageSource '{spec}' is not a valid path ({SafeFiles.Reason(e)}); name a folder of reviewed lineage manifests."));
                continue;
            }

            var kind = SafeFiles.KindOf(full);
            if (kind == FileKind.Regular && IsManifestName(Path.GetFileName(full)))
            {
                // A manifest named on its own (or by a wildcard MSBuild expanded into files): a source of one manifest.
                string shown = spec.Replace('\\', '/');
                files.Add((full, "file " + shown));
                searched.Add("file " + shown);
                string real = SafeFiles.RealPath(Path.GetDirectoryName(full)!);
                if (!rootList.Contains(real))
                {
                    rootList.Add(real);
                }

                continue;
            }

            if (kind != FileKind.Directory)
            {
                problems.Add(Problem(kind == FileKind.Missing
                    ? $"OpenTrainLineageSource '{spec}' does not exist ('{full}'). Check it out or restore it before the build, or remove the item: parents it should supply are reported as not found (OTL0501)."
                    : $"OpenTrainLineageSource '{spec}' is {(kind == FileKind.Regular ? "a file that is not a lineage manifest (*.lineage.json, training-lineage.json)" : SafeFiles.Describe(kind))}, not a folder; name the folder that holds the reviewed lineage manifests."));
                continue;
            }

            if (IsFileSystemRoot(full))
            {
                problems.Add(Problem($"OpenTrainLineageSource '{spec}' is a file-system root; it is not searched. Name the folder that holds the reviewed lineage manifests."));
                continue;
            }

            if (folders.Any(f => WeightVerifier.PathComparer.Equals(f.FullPath, full)))
            {
                continue;
            }

            folders.Add((full, spec.Replace('\\', '/').TrimEnd('/')));
            rootList.Add(SafeFiles.RealPath(full));
            searched.Add("folder " + spec.Replace('\\', '/').TrimEnd('/'));
        }

        if (searched.Count == 0)
        {
            return LineageSources.None;
        }

        return new LineageSources(searched, () => Load(folders, files, problems, maxFolders));
    }

    private static IReadOnlyList<SourceManifest> Load(List<(string FullPath, string Shown)> folders, List<(string FullPath, string Origin)> files, List<LineageFinding> problems, int maxFolders)
    {
        var manifests = new List<SourceManifest>();
        long total = 0;
        bool Add(string fullPath, string origin, IReadOnlyList<string>? roots)
        {
            if (manifests.Count >= MaxManifests || total >= MaxTotalBytes)
            {
                problems.Add(Problem($"The lineage sources hold more than {MaxManifests:N0} manifests or {MaxTotalBytes / (1024 * 1024)} MiB; the rest were not read ({origin} and after). A source is a reviewed set of base-model manifests: split it, or point OpenTrainLineageSource at the folder that holds them."));
                return false;
            }

            // A link inside a folder source must stay inside it; a FIFO or device is never opened.
            var check = SafeFiles.Check(fullPath, roots);
            if (check.Status != FileCheckStatus.Regular)
            {
                return true;
            }

            byte[] bytes;
            try
            {
                bytes = SafeFiles.ReadCapped(check.Target ?? fullPath, LineageManifest.MaxBytes, out bool tooLarge);
                if (tooLarge)
                {
                    return true; // not a manifest: skipped like any unreadable file (the parent it should be is reported)
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                return true; // one file we may not read does not hide the others
            }

            total += bytes.Length;
            manifests.Add(new SourceManifest(fullPath, origin, bytes));
            return true;
        }

        try
        {
            foreach (var (fullPath, origin) in files.OrderBy(p => p.Origin, StringComparer.Ordinal))
            {
                if (!Add(fullPath, origin, null))
                {
                    return manifests;
                }
            }

            foreach (var (folder, shown) in folders)
            {
                var roots = new[] { SafeFiles.RealPath(folder) };
                foreach (var file in Walk(folder, maxFolders, () => problems.Add(Problem(
                    $"OpenTrainLineageSource '{shown}' has more than {maxFolders:N0} folders; the search stopped there. A source is a folder of reviewed manifests: point the item at that folder, not at a whole drive or home folder."))))
                {
                    string relative = file.Substring(folder.Length).TrimStart(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Replace('\\', '/');
                    if (!Add(file, $"folder {shown} ({relative})", roots))
                    {
                        return manifests;
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            problems.Add(Problem($"A lineage source could not be read completely ({SafeFiles.Reason(e)}); parents it should supply may be reported as not found."));
        }

        return manifests;
    }

    /// <summary>
    /// Manifest files under <paramref name="root"/> in a stable order. Hidden folders (.git) and folders reached through
    /// links are not entered: a link could lead outside the source or back into it forever.
    /// </summary>
    private static IEnumerable<string> Walk(string root, int maxFolders, Action tooMany)
    {
        var pending = new Stack<(string Path, int Depth)>();
        pending.Push((root, 0));
        int listed = 0;
        while (pending.Count > 0)
        {
            if (++listed > maxFolders)
            {
                tooMany(); // a source pointed at a drive or a home folder must not walk it for minutes
                yield break;
            }

            var (directory, depth) = pending.Pop();
            var (files, children) = List(directory);
            foreach (var file in files)
            {
                yield return file;
            }

            if (depth < MaxDepth)
            {
                foreach (var child in children)
                {
                    pending.Push((child, depth + 1));
                }
            }
        }
    }

    /// <summary>A folder's manifest files and the subfolders to enter; nothing when it cannot be listed (no permission).</summary>
    private static (List<string> Files, List<string> Children) List(string directory)
    {
        try
        {
            var info = new DirectoryInfo(directory);
            var files = info.EnumerateFiles()
                .Where(f => IsManifestName(f.Name))
                .Select(f => f.FullName).OrderBy(f => f, StringComparer.Ordinal).ToList();
            var children = info.EnumerateDirectories()
                .Where(d => !d.Name.StartsWith(".", StringComparison.Ordinal) && (d.Attributes & FileAttributes.ReparsePoint) == 0)
                .Select(d => d.FullName).OrderByDescending(d => d, StringComparer.Ordinal).ToList();
            return (files, children);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            return (new List<string>(), new List<string>());
        }
    }

    private static bool IsManifestName(string name) =>
        name.EndsWith(".lineage.json", StringComparison.OrdinalIgnoreCase) || name.Equals("training-lineage.json", StringComparison.OrdinalIgnoreCase);

    private static bool IsFileSystemRoot(string full) =>
        string.Equals(full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar), (Path.GetPathRoot(full) ?? string.Empty).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar), StringComparison.OrdinalIgnoreCase);

    private static LineageFinding Problem(string message) => new(LineageRules.LineageSourceInvalid, message, string.Empty, null, LineageLevel.Declared);
}
