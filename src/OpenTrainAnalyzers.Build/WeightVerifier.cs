using System;
using System.Collections.Generic;
using System.IO;
using OpenTrain.Lineage;
using OpenTrain.Lineage.Model;

namespace OpenTrainAnalyzers.Build;

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

    public static List<LineageFinding> Verify(LineageManifest manifest, string manifestDirectory, WeightHasher hasher)
    {
        hasher.Prefetch(FilesToHash(manifest, manifestDirectory));
        var findings = new List<LineageFinding>();
        foreach (var file in manifest.WeightFiles)
        {
            if (file.RelativePath is null || WeightPaths.Problem(file.RelativePath) is not null)
            {
                continue; // the policy already reported a missing or escaping path
            }

            var at = file.Path.Value!;
            string fullPath = Path.Combine(manifestDirectory, file.RelativePath.Replace('/', Path.DirectorySeparatorChar));
            try
            {
                if (Directory.Exists(fullPath))
                {
                    findings.Add(new LineageFinding(LineageRules.WeightMissing, $"Weight file '{file.RelativePath}' is a directory; list the files inside it instead.", at.Path, at.Range, LineageLevel.Declared));
                    continue;
                }

                var info = new FileInfo(fullPath);
                if (!info.Exists)
                {
                    findings.Add(new LineageFinding(LineageRules.WeightMissing, $"Weight file '{file.RelativePath}' does not exist next to the manifest; restore the file or fix the path.", at.Path, at.Range, LineageLevel.Declared));
                    continue;
                }

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
                    string actual = hasher.Sha256Of(info);
                    if (!string.Equals(actual, expected, StringComparison.Ordinal))
                    {
                        var shaAt = file.Sha256.Value!;
                        findings.Add(new LineageFinding(LineageRules.WeightDigestMismatch,
                            $"Weight file '{file.RelativePath}' has SHA-256 {actual}, not the declared {expected}: these are not the weights the manifest describes.",
                            shaAt.Path, shaAt.Range, LineageLevel.Declared));
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
            {
                findings.Add(new LineageFinding(LineageRules.WeightMissing, $"Weight file '{file.RelativePath}' cannot be read: {e.Message}", at.Path, at.Range, LineageLevel.Declared));
            }
        }

        return findings;
        }

    /// <summary>The declared files that exist with their declared size and have a well-formed digest to compare.</summary>
    private static List<FileInfo> FilesToHash(LineageManifest manifest, string manifestDirectory)
    {
        var files = new List<FileInfo>();
        foreach (var file in manifest.WeightFiles)
        {
            try
            {
                if (FullPathOf(file, manifestDirectory) is { } fullPath && file.DeclaredSha256 is { } expected && Digests.IsSha256(expected)
                    && new FileInfo(fullPath) is { Exists: true } info && (file.DeclaredSize is null || file.DeclaredSize == info.Length))
                {
                    files.Add(info);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
            {
                // Verify reports it, file by file.
            }
        }

        return files;
    }

    /// <summary>OTL0204: a file next to a declared '.onnx' named like its external data, which the manifest does not list.</summary>
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
