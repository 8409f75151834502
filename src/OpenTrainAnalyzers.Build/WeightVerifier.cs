using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using OpenTrain.Lineage;

namespace OpenTrainAnalyzers.Build;

/// <summary>Binds declared weight files to their bytes: presence, size, SHA-256 (streamed, never loaded whole).</summary>
internal static class WeightVerifier
{
    private const int BufferSize = 1 << 20;

    public static List<LineageFinding> Verify(LineageManifest manifest, string manifestDirectory)
    {
        var findings = new List<LineageFinding>();
        foreach (var file in manifest.WeightFiles)
        {
            if (file.Path is null || WeightPaths.Problem(file.Path) is not null)
            {
                continue; // the policy already reported a missing or escaping path
            }

            var at = file.Entry["path"]!;
            string fullPath = Path.Combine(manifestDirectory, file.Path.Replace('/', Path.DirectorySeparatorChar));
            try
            {
                if (Directory.Exists(fullPath))
                {
                    findings.Add(new LineageFinding(LineageRules.WeightMissing, $"Weight file '{file.Path}' is a directory; list the files inside it instead.", at.Path, at.Range, LineageLevel.Declared));
                    continue;
                }

                var info = new FileInfo(fullPath);
                if (!info.Exists)
                {
                    findings.Add(new LineageFinding(LineageRules.WeightMissing, $"Weight file '{file.Path}' does not exist next to the manifest; restore the file or fix the path.", at.Path, at.Range, LineageLevel.Declared));
                    continue;
                }

                if (file.Size is { } size && size != info.Length)
                {
                    var sizeAt = file.Entry["size"]!;
                    findings.Add(new LineageFinding(LineageRules.WeightSizeMismatch,
                        $"Weight file '{file.Path}' is {info.Length:N0} bytes but the manifest declares {size:N0}: the file was replaced or the manifest is stale.",
                        sizeAt.Path, sizeAt.Range, LineageLevel.Declared));
                    continue; // a different size already proves a different file; no need to hash it
                }

                if (file.Sha256 is { } expected && Digests.IsSha256(expected))
                {
                    string actual = Sha256Of(fullPath);
                    if (!string.Equals(actual, expected, StringComparison.Ordinal))
                    {
                        var shaAt = file.Entry["sha256"]!;
                        findings.Add(new LineageFinding(LineageRules.WeightDigestMismatch,
                            $"Weight file '{file.Path}' has SHA-256 {actual}, not the declared {expected}: these are not the weights the manifest describes.",
                            shaAt.Path, shaAt.Range, LineageLevel.Declared));
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
            {
                findings.Add(new LineageFinding(LineageRules.WeightMissing, $"Weight file '{file.Path}' cannot be read: {e.Message}", at.Path, at.Range, LineageLevel.Declared));
            }
        }

        return findings;
    }

    internal static string Sha256Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, FileOptions.SequentialScan);
        using var sha = SHA256.Create();
        byte[] hash = sha.ComputeHash(stream);
        var text = new char[hash.Length * 2];
        for (int i = 0; i < hash.Length; i++)
        {
            text[2 * i] = "0123456789abcdef"[hash[i] >> 4];
            text[(2 * i) + 1] = "0123456789abcdef"[hash[i] & 0xF];
        }

        return new string(text);
    }
}
