using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using OpenTrain.Lineage;

namespace OpenTrainAnalyzers.Build.Weights;

/// <summary>
/// OTL0205: <c>weights.rootDigest.sha256</c> recomputed from <c>weights.files</c> by the documented method, the
/// OpenSSF model-signing v1.0 subject digest for <c>files</c> serialization: SHA-256 over the raw 32-byte digests of
/// the files, concatenated in the order of their paths compared segment by segment (Python's
/// <c>pathlib.PurePosixPath</c> order: each segment by code point). The per-file digests are the declared ones; the
/// weight checks (OTL0200–OTL0202) bind those to the bytes on disk, so no file is read here.
/// </summary>
internal static class RootDigest
{
    public const string Method = "sha256-of-concatenated-file-digests-sorted-by-path-segments";

    /// <summary>The OTL0205 finding, or null when the root digest matches or cannot be checked (other codes say why).</summary>
    public static LineageFinding? Check(LineageManifest manifest)
    {
        var rootDigest = manifest.Document?.Weights.Node?.RootDigest.Node;
        var declaredValue = rootDigest?.Sha256.Value;
        if (rootDigest is null || declaredValue?.Text is not { } declared || !Digests.IsSha256(declared))
        {
            return null; // absent (optional), or malformed / not a string: OTL0206 or OTL0101
        }

        // An unknown method is refused by the schema (OTL0101 at its value): never a silent pass, and never reported twice.
        if (rootDigest.Method.IsPresent && rootDigest.Method.Text != Method)
        {
            return null;
        }

        var files = new List<(string[] Segments, byte[] Digest)>();
        foreach (var file in manifest.WeightFiles)
        {
            if (file.RelativePath is null || WeightPaths.Problem(file.RelativePath) is not null || file.DeclaredSha256 is not { } sha || !Digests.IsSha256(sha))
            {
                return null; // a file without a usable path or digest is reported by its own code
            }

            files.Add((Segments(file.RelativePath), FromHex(sha)));
        }

        if (files.Count == 0)
        {
            return null;
        }

        files.Sort((a, b) => CompareSegments(a.Segments, b.Segments));
        var concatenated = new byte[files.Count * 32];
        for (int i = 0; i < files.Count; i++)
        {
            Buffer.BlockCopy(files[i].Digest, 0, concatenated, i * 32, 32);
        }

        string actual;
        using (var sha256 = SHA256.Create())
        {
            actual = Digests.ToHex(sha256.ComputeHash(concatenated));
        }

        if (string.Equals(actual, declared, StringComparison.Ordinal))
        {
            return null;
        }

        return new LineageFinding(LineageRules.RootDigestMismatch,
            $"weights.rootDigest.sha256 is {declared}, but the {Method} of the {files.Count} file digest(s) in weights.files is {actual}: the root digest is stale or describes another file set. Recompute it after updating weights.files.",
            declaredValue.Path, declaredValue.Range, LineageLevel.Declared);
    }

    internal static string[] Segments(string path)
    {
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length > 0 && segment != ".")
            {
                segments.Add(segment);
            }
        }

        return segments.ToArray();
    }

    /// <summary>PurePosixPath ordering: segment by segment, each by code point (UTF-8 byte order is code point order).</summary>
    internal static int CompareSegments(string[] a, string[] b)
    {
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            int c = CompareCodePoints(a[i], b[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return a.Length.CompareTo(b.Length);
    }

    private static int CompareCodePoints(string a, string b)
    {
        byte[] x = Encoding.UTF8.GetBytes(a);
        byte[] y = Encoding.UTF8.GetBytes(b);
        for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            if (x[i] != y[i])
            {
                return x[i].CompareTo(y[i]);
            }
        }

        return x.Length.CompareTo(y.Length);
    }

    private static byte[] FromHex(string hex)
    {
        var bytes = new byte[hex.Length / 2];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((Nibble(hex[2 * i]) << 4) | Nibble(hex[(2 * i) + 1]));
        }

        return bytes;
    }

    private static int Nibble(char c) => c <= '9' ? c - '0' : c - 'a' + 10;
}
