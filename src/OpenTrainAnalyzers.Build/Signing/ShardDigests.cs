using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using OpenTrain.Lineage;
using OpenTrainAnalyzers.Build.Files;
using OpenTrainAnalyzers.Build.Findings;
using OpenTrainAnalyzers.Build.Weights;

namespace OpenTrainAnalyzers.Build.Signing;

/// <summary>
/// SHA-256 of byte ranges of weight files, for signatures in model_signing's <c>shards</c> serialization (a shard's
/// digest cannot be derived from the whole file's). Remembered in obj/ like <see cref="WeightHasher"/>'s digests, keyed
/// by full path, size, last-write time and range, so an unchanged rebuild reads no weight bytes. The cache is only an
/// optimisation: a missing or corrupt cache file is ignored, and failing to save it never fails the build.
/// </summary>
internal sealed class ShardDigests
{
    private const string Header = "opentrain-shard-hashes v1";
    private const string Trailer = "end";
    private const long MaxCacheBytes = 8L * 1024 * 1024;
    private const int BufferSize = 1 << 20;

    // A file changed this recently could change again without its time changing: hashed, not remembered (as WeightHasher).
    private static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);

    private readonly string? _cacheFile;
    private readonly Dictionary<string, string> _previous;
    private readonly Dictionary<string, string> _current = new(StringComparer.Ordinal);

    private ShardDigests(string? cacheFile, Dictionary<string, string> previous)
    {
        _cacheFile = cacheFile;
        _previous = previous;
    }

    /// <summary>Shards whose bytes were read in this build.</summary>
    public int HashedShards { get; private set; }

    public static ShardDigests Load(string? cacheFile)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(cacheFile))
        {
            try
            {
                var info = new FileInfo(cacheFile!);
                if (info.Exists && info.Length <= MaxCacheBytes && SafeFiles.KindOf(info.FullName) == FileKind.Regular)
                {
                    string[] lines = File.ReadAllLines(info.FullName);
                    if (lines.Length >= 2 && lines[0] == Header && lines[lines.Length - 1] == Trailer)
                    {
                        for (int i = 1; i < lines.Length - 1; i++)
                        {
                            int tab = lines[i].IndexOf('\t');
                            if (tab == 64 && Digests.IsSha256(lines[i].Substring(0, 64)))
                            {
                                entries[lines[i].Substring(65)] = lines[i].Substring(0, 64);
                            }
                        }
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
            {
                entries.Clear(); // no cache: every shard is hashed
            }
        }

        return new ShardDigests(string.IsNullOrWhiteSpace(cacheFile) ? null : cacheFile, entries);
    }

    /// <summary>The SHA-256 of bytes [start, end) of <paramref name="file"/>; throws IOException and the like (the caller reports).</summary>
    public string Of(FileInfo file, long start, long end)
    {
        string key = string.Join("\t", file.FullName, file.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            file.LastWriteTimeUtc.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture),
            start.ToString(System.Globalization.CultureInfo.InvariantCulture), end.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (_current.TryGetValue(key, out string? known) || _previous.TryGetValue(key, out known))
        {
            _current[key] = known;
            return known;
        }

        string digest;
        using (var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        using (var sha = SHA256.Create())
        {
            stream.Seek(start, SeekOrigin.Begin);
            var buffer = new byte[BufferSize];
            long remaining = end - start;
            while (remaining > 0)
            {
                int read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
                if (read == 0)
                {
                    throw new EndOfStreamException("the file is shorter than the signed shard");
                }

                sha.TransformBlock(buffer, 0, read, null, 0);
                remaining -= read;
            }

            sha.TransformFinalBlock(buffer, 0, 0);
            digest = Digests.ToHex(sha.Hash!);
        }

        HashedShards++;
        if (DateTime.UtcNow - file.LastWriteTimeUtc > RacyWindow)
        {
            _current[key] = digest;
        }

        return digest;
    }

    /// <summary>Writes the shards used in this build; never throws.</summary>
    public void Save()
    {
        if (_cacheFile is null || (_current.Count == 0 && _previous.Count == 0))
        {
            return;
        }

        try
        {
            var text = new StringBuilder(Header).Append('\n');
            foreach (var pair in _current)
            {
                text.Append(pair.Value).Append('\t').Append(pair.Key).Append('\n');
            }

            text.Append(Trailer).Append('\n');
            SafeFiles.WriteAtomically(_cacheFile, text.ToString());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            // An optimisation only.
        }
    }
}
