using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using OpenTrain.Lineage;
using OpenTrain.Lineage.Model;
using OpenTrainAnalyzers.Build.Files;

namespace OpenTrainAnalyzers.Build.Weights;

/// <summary>Binds declared weight files to their bytes: presence, size, SHA-256 (streamed, never loaded whole).</summary>
internal static class WeightVerifier
{
    // Names ONNX exporters give external data next to 'model.onnx' (torch.onnx / onnx.save_model defaults and the
    // common hand-picked ones). Only the file system is consulted: the locations recorded inside the protobuf are not parsed.
    private static readonly string[] ExternalDataSuffixes = { ".onnx.data", ".data", ".bin" };

    /// <summary>The full path of a declared weight, or null when its path is missing or not allowed (reported elsewhere).</summary>
    public static string? FullPathOf(WeightFile file, string manifestDirectory)
    {
        if (file.RelativePath is null || WeightPaths.Problem(file.RelativePath) is not null)
        {
            return null;
        }

        try
        {
            return Path.GetFullPath(Path.Combine(manifestDirectory, file.RelativePath.Replace('/', Path.DirectorySeparatorChar)));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException or System.Security.SecurityException)
        {
            return null;
        }
    }

    /// <summary>
    /// The parent manifests this manifest vendors (lineage.parents[].manifest.path), as full paths with the path as
    /// written; a missing or disallowed path is left out (the chain reports it).
    /// </summary>
    public static IEnumerable<(string FullPath, string Relative)> VendoredParents(LineageManifest manifest, string manifestDirectory)
    {
        foreach (var parent in manifest.Document?.Lineage.Node?.Parents.Nodes ?? Array.Empty<OpenTrain.Lineage.Model.Parent>())
        {
            if (parent.Manifest.Node?.Path.AsString() is not { Length: > 0 } relative || WeightPaths.Problem(relative) is not null)
            {
                continue;
            }

            string? full;
            try
            {
                full = Path.GetFullPath(Path.Combine(manifestDirectory, relative.Replace('/', Path.DirectorySeparatorChar)));
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException or System.Security.SecurityException)
            {
                full = null;
            }

            if (full is not null)
            {
                yield return (full, relative.Replace('\\', '/'));
            }
        }
    }

    /// <summary>
    /// Checks every declared weight file, in this order, and stops at the first problem of each: the path's links
    /// (a loop is OTL0200; a final target outside the manifest's folder and the opt-in roots is OTL0203, and such a
    /// file is neither sized nor hashed, so nothing about it reaches a log or report), its type (only a regular file
    /// is opened: a FIFO, socket or device is OTL0200), its size (OTL0202, from stat: a wrong size reads no byte),
    /// then its SHA-256 (OTL0201).
    /// </summary>
    public static List<LineageFinding> Verify(LineageManifest manifest, string manifestDirectory, WeightHasher hasher, LinkRoots roots)
    {
        var findings = new List<LineageFinding>();
        var admitted = new List<(WeightFile File, FileInfo Info, string Expected)>();
        var allowed = roots.For(manifestDirectory);
        foreach (var file in manifest.WeightFiles)
        {
            if (file.RelativePath is null || WeightPaths.Problem(file.RelativePath) is not null)
            {
                continue; // the policy already reported a missing or escaping path
            }

            var at = file.Path.Value!;
            try
            {
                string fullPath = Path.Combine(manifestDirectory, file.RelativePath.Replace('/', Path.DirectorySeparatorChar));
                var check = SafeFiles.Check(fullPath, allowed);
                switch (check.Status)
                {
                    case FileCheckStatus.LinkLoop:
                        findings.Add(new LineageFinding(LineageRules.WeightMissing,
                            $"Weight file '{file.RelativePath}' goes through more than {SafeFiles.MaxLinkHops} symbolic links (at '{check.Target}'): the links form a loop. Replace the link with the file or a link to it.",
                            at.Path, at.Range, LineageLevel.Declared));
                        continue;
                    case FileCheckStatus.LinkOutside:
                        findings.Add(new LineageFinding(LineageRules.PathEscapes,
                            $"Weight file '{file.RelativePath}' is a symbolic link whose target '{check.Target}' is outside the manifest's folder and the allowed link roots; it was not read. Move the file next to the manifest, or, for a shared cache such as Hugging Face's, add its folder to OpenTrainAllowedLinkRoots.",
                            at.Path, at.Range, LineageLevel.Declared));
                        continue;
                    case FileCheckStatus.LinkUnresolvable:
                        findings.Add(new LineageFinding(LineageRules.PathEscapes,
                            $"Weight file '{file.RelativePath}' goes through a link or reparse point ('{check.Target}') that this MSBuild host (.NET Framework) cannot resolve, so it is not followed. Build with `dotnet build`, or replace the link with the file.",
                            at.Path, at.Range, LineageLevel.Declared));
                        continue;
                    case FileCheckStatus.Directory:
                        findings.Add(new LineageFinding(LineageRules.WeightMissing, $"Weight file '{file.RelativePath}' is a directory; list the files inside it instead.", at.Path, at.Range, LineageLevel.Declared));
                        continue;
                    case FileCheckStatus.Missing:
                        findings.Add(new LineageFinding(LineageRules.WeightMissing,
                            check.ViaLink
                                ? $"Weight file '{file.RelativePath}' is a symbolic link to '{check.Target}', which does not exist; restore the file or fix the link."
                                : $"Weight file '{file.RelativePath}' does not exist next to the manifest; restore the file or fix the path.",
                            at.Path, at.Range, LineageLevel.Declared));
                        continue;
                    case FileCheckStatus.NotRegular:
                        findings.Add(new LineageFinding(LineageRules.WeightMissing,
                            $"Weight file '{file.RelativePath}' is {SafeFiles.Describe(check.Kind)}{(check.ViaLink ? $" ('{check.Target}')" : string.Empty)}, not a regular file: it was not opened (reading it could block the build or never end). Put the weight file itself at this path.",
                            at.Path, at.Range, LineageLevel.Declared));
                        continue;
                }

                // The resolved target: FileInfo describes a link itself (its length is the link's), not what it points at.
                var info = new FileInfo(check.Target ?? fullPath);
                if (file.DeclaredSize is { } size && size != info.Length)
                {
                    var sizeAt = file.Size.Value!;
                    findings.Add(new LineageFinding(LineageRules.WeightSizeMismatch,
                        $"Weight file '{file.RelativePath}' is {info.Length:N0} bytes but the manifest declares {size:N0}: the file was replaced or the manifest is stale.",
                        sizeAt.Path, sizeAt.Range, LineageLevel.Declared));
                    continue; // a different size already proves a different file; no need to hash it
                }

                if (file.DeclaredSha256 is { } expected && Digests.IsSha256(expected))
                {
                    admitted.Add((file, info, expected));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
            {
                findings.Add(new LineageFinding(LineageRules.WeightMissing, $"Weight file '{file.RelativePath}' cannot be read: {SafeFiles.Reason(e)}.", at.Path, at.Range, LineageLevel.Declared));
            }
        }

        // Only files that passed every check above are hashed, in parallel when there are several.
        var infos = new List<FileInfo>();
        foreach (var entry in admitted)
        {
            infos.Add(entry.Info);
        }

        hasher.Prefetch(infos);
        foreach (var (file, info, expected) in admitted)
        {
            var at = file.Path.Value!;
            try
            {
                string actual = hasher.Sha256Of(info);
                if (!string.Equals(actual, expected, StringComparison.Ordinal))
                {
                    var shaAt = file.Sha256.Value!;
                    findings.Add(new LineageFinding(LineageRules.WeightDigestMismatch,
                        $"Weight file '{file.RelativePath}' has SHA-256 {actual}, not the declared {expected}: these are not the weights the manifest describes.",
                        shaAt.Path, shaAt.Range, LineageLevel.Declared));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
            {
                findings.Add(new LineageFinding(LineageRules.WeightMissing, $"Weight file '{file.RelativePath}' cannot be read: {SafeFiles.Reason(e)}.", at.Path, at.Range, LineageLevel.Declared));
            }
        }

        // Findings in the order of weights.files, as before.
        return findings.OrderBy(f => f.Range?.Start.Line ?? 0).ToList();
    }

    /// <summary>OTL0204: a file next to a declared '.onnx' named like its external data, which the manifest does not list.</summary>
    /// <summary>
    /// The copies of the declared files in another folder (a package's weights in the app's output): each copy that
    /// exists must have the declared size and SHA-256. A missing copy is not a finding (not every file is copied).
    /// </summary>
    public static List<LineageFinding> VerifyCopies(LineageManifest manifest, string copyDirectory, WeightHasher hasher)
    {
        var findings = new List<LineageFinding>();
        foreach (var file in manifest.WeightFiles)
        {
            if (FullPathOf(file, copyDirectory) is not { } copy || SafeFiles.KindOf(copy) != FileKind.Regular)
            {
                continue;
            }

            try
            {
                var info = new FileInfo(copy);
                if (file.DeclaredSize is { } size && size != info.Length)
                {
                    var sizeAt = file.Size.Value!;
                    findings.Add(new LineageFinding(LineageRules.WeightSizeMismatch,
                        $"The copy of '{file.RelativePath}' in the output folder ({copy}) is {info.Length:N0} bytes but the manifest declares {size:N0}: it was changed after it was copied. Delete it so the build copies the package's file again.",
                        sizeAt.Path, sizeAt.Range, LineageLevel.Declared));
                }
                else if (file.DeclaredSha256 is { } expected && Digests.IsSha256(expected) && hasher.Sha256Of(info) is { } actual && !string.Equals(actual, expected, StringComparison.Ordinal))
                {
                    var shaAt = file.Sha256.Value!;
                    findings.Add(new LineageFinding(LineageRules.WeightDigestMismatch,
                        $"The copy of '{file.RelativePath}' in the output folder ({copy}) has SHA-256 {actual}, not the declared {expected}: it was changed after it was copied. Delete it so the build copies the package's file again.",
                        shaAt.Path, shaAt.Range, LineageLevel.Declared));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
            {
                var at = file.Path.Value!;
                findings.Add(new LineageFinding(LineageRules.WeightMissing, $"The copy of '{file.RelativePath}' in the output folder cannot be read: {SafeFiles.Reason(e)}.", at.Path, at.Range, LineageLevel.Declared));
            }
        }

        return findings;
    }

    /// <summary>
    /// The neighbours UndeclaredExternalData looks for (existing or not): the incremental gate watches them, so one
    /// that appears later runs the gate again.
    /// </summary>
    public static IEnumerable<string> ExternalDataCandidates(LineageManifest manifest, string manifestDirectory)
    {
        foreach (var file in manifest.WeightFiles)
        {
            if (FullPathOf(file, manifestDirectory) is { } fullPath && fullPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            {
                string withoutExtension = fullPath.Substring(0, fullPath.Length - ".onnx".Length);
                foreach (var suffix in ExternalDataSuffixes)
                {
                    yield return withoutExtension + suffix;
                }
            }
        }
    }

    public static List<LineageFinding> UndeclaredExternalData(LineageManifest manifest, string manifestDirectory)
    {
        var findings = new List<LineageFinding>();
        var declared = new HashSet<string>(PathComparer);
        foreach (var file in manifest.WeightFiles)
        {
            if (FullPathOf(file, manifestDirectory) is { } fullPath)
            {
                declared.Add(fullPath);
            }
        }

        foreach (var file in manifest.WeightFiles)
        {
            string? fullPath = FullPathOf(file, manifestDirectory);
            if (fullPath is null || !fullPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            try
            {
                string withoutExtension = fullPath.Substring(0, fullPath.Length - ".onnx".Length);
                foreach (var suffix in ExternalDataSuffixes)
                {
                    string candidate = withoutExtension + suffix;
                    if (!declared.Contains(candidate) && File.Exists(candidate))
                    {
                        var at = file.Path.Value!;
                        string name = Path.GetFileName(candidate);
                        findings.Add(new LineageFinding(LineageRules.UndeclaredExternalData,
                            $"'{name}' sits next to '{file.RelativePath}' and is named like its ONNX external data, but weights.files does not list it: the model may load bytes the manifest does not bind. List it with its sha256 and size, or remove it if it is not part of the model.",
                            at.Path, at.Range, LineageLevel.Declared));
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
            {
                // A neighbour that cannot even be checked is not evidence of anything: no finding.
            }
        }

        return findings;
    }

    /// <summary>Paths compare like the file system of the build machine treats them (case-insensitive on Windows).</summary>
    internal static StringComparer PathComparer { get; } =
        Path.DirectorySeparatorChar == '\\' ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
}
