using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using OpenTrain.Lineage;
using OpenTrainAnalyzers.Build.Files;

namespace OpenTrainAnalyzers.Build.Weights;

/// <summary>
/// SHA-256 of weight files with a cache in obj/: an entry is reused when the file's full path, size and last-write
/// time (UTC ticks) are unchanged, so an unchanged rebuild reads no weight bytes. The cache is only an optimisation:
/// a missing, corrupt or truncated cache file is ignored, and failing to save it never fails the build.
/// </summary>
internal sealed class WeightHasher
{
    internal const string Header = "opentrain-weight-hashes v1";
    private const string Trailer = "end";
    private const int BufferSize = 1 << 20;

    // A cache is far smaller than this; anything larger is not ours and is not worth reading.
    private const long MaxCacheBytes = 8L * 1024 * 1024;

    // A file written this close to the moment it was hashed could change again within the file system's timestamp
    // resolution without its time changing (git's "racily clean" problem): hash it, but do not remember it.
    private static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);

    private readonly string? _cacheFile;
    private readonly Dictionary<string, Entry> _previous;
    private readonly Dictionary<string, Entry> _current = new(StringComparer.Ordinal);
    private readonly HashSet<string> _prefetched = new(StringComparer.Ordinal);
    private readonly Func<DateTime> _utcNow;

    private WeightHasher(string? cacheFile, Dictionary<string, Entry> previous, Func<DateTime> utcNow)
    {
        _cacheFile = cacheFile;
        _previous = previous;
        _utcNow = utcNow;
    }

    /// <summary>Files whose bytes were read and hashed in this build.</summary>
    public int HashedFiles { get; private set; }

    public long HashedBytes { get; private set; }

    /// <summary>Files whose digest came from the cache (or from an earlier manifest of the same build).</summary>
    public int ReusedFiles { get; private set; }

    /// <summary>Stops hashing between two 1 MiB reads (the task's Cancel); a file not hashed to its end is never remembered.</summary>
    public System.Threading.CancellationToken Cancellation { get; set; }

    /// <summary>Reads the cache; never throws. A null or empty path means no cache (every file is hashed).</summary>
    public static WeightHasher Load(string? cacheFile, Func<DateTime>? utcNow = null)
    {
        var entries = string.IsNullOrWhiteSpace(cacheFile) ? null : TryRead(cacheFile!);
        return new WeightHasher(string.IsNullOrWhiteSpace(cacheFile) ? null : cacheFile, entries ?? new Dictionary<string, Entry>(StringComparer.Ordinal), utcNow ?? (() => DateTime.UtcNow));
    }

    /// <summary>
    /// Hashes, in parallel, the files among <paramref name="files"/> that the cache cannot answer for, so that a
    /// sharded model uses every core; <see cref="Sha256Of"/> then returns those digests without reading again.
    /// </summary>
    public void Prefetch(IReadOnlyList<FileInfo> files)
    {
        var pending = new List<FileInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var info in files)
        {
            if (seen.Add(info.FullName) && !IsKnown(info, out _))
            {
                pending.Add(info);
            }
        }

        if (pending.Count < 2)
        {
            return; // nothing to parallelise: Sha256Of hashes a single file itself
        }

        var started = _utcNow();
        var digests = new string?[pending.Count];
        System.Threading.Tasks.Parallel.For(
            0,
            pending.Count,
            new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = Cancellation },
            i =>
            {
                try
                {
                    digests[i] = Hash(pending[i].FullName, Cancellation);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
                {
                    digests[i] = null; // Sha256Of hashes it again and reports the error in its own, sequential, context
                }
            });

        for (int i = 0; i < pending.Count; i++)
        {
            if (digests[i] is { } digest)
            {
                Remember(pending[i], pending[i].Length, pending[i].LastWriteTimeUtc.Ticks, digest, started);
                _prefetched.Add(pending[i].FullName);
            }
        }
    }

    /// <summary>The lowercase hex SHA-256 of the file; <paramref name="info"/> must describe an existing file.</summary>
    public string Sha256Of(FileInfo info)
    {
        string key = info.FullName;
        long size = info.Length;
        long ticks = info.LastWriteTimeUtc.Ticks;
        if (IsKnown(info, out var known))
        {
            if (!_prefetched.Remove(key))
            {
                ReusedFiles++;
            }

            _current[key] = known;
            return known.Sha256;
        }

        var started = _utcNow();
        string sha256 = Hash(key, Cancellation);
        Remember(info, size, ticks, sha256, started);
        return sha256;
    }

    private bool IsKnown(FileInfo info, out Entry known) =>
        (_current.TryGetValue(info.FullName, out known!) || _previous.TryGetValue(info.FullName, out known!))
        && known.Size == info.Length && known.Ticks == info.LastWriteTimeUtc.Ticks;

    private void Remember(FileInfo info, long size, long ticks, string sha256, DateTime started)
    {
        string key = info.FullName;
        HashedFiles++;
        HashedBytes += size;

        info.Refresh();
        bool unchangedWhileHashing = info.Exists && info.Length == size && info.LastWriteTimeUtc.Ticks == ticks;
        if (unchangedWhileHashing)
        {
            _current[key] = new Entry(sha256, size, ticks, persist: new DateTime(ticks, DateTimeKind.Utc) < started - RacyWindow);
        }
    }

    /// <summary>Writes the entries used in this build (stale ones drop out), only when they changed. Never throws.</summary>
    public void Save()
    {
        if (_cacheFile is null)
        {
            return;
        }

        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        int count = 0;
        var keys = new List<string>(_current.Keys);
        keys.Sort(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var entry = _current[key];
            if (!entry.Persist || key.IndexOf('\n') >= 0 || key.IndexOf('\r') >= 0)
            {
                continue; // too fresh to trust its timestamp, or a path that cannot be one line: hashed again next time
            }

            text.Append(entry.Sha256).Append('\t')
                .Append(entry.Size.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(entry.Ticks.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(key).Append('\n');
            count++;
        }

        // The trailer makes a truncated file detectably incomplete, so it is ignored rather than half-trusted.
        text.Append(Trailer).Append('\t').Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        string content = text.ToString();
        try
        {
            if (ReadCache(_cacheFile) is { } existing && string.Equals(existing, content, StringComparison.Ordinal))
            {
                return; // unchanged: leave obj/ untouched
            }

            // Another build of the same project (two `dotnet build` at once, or -m) may save at the same moment: each
            // writes its own temporary file and renames it over the cache, so a reader sees one complete cache or
            // the other, never a mix.
            SafeFiles.WriteAtomically(_cacheFile, content);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            // Next build hashes again; that is the whole cost of a cache that cannot be written.
        }
    }

    internal static string Hash(string path) => Hash(path, System.Threading.CancellationToken.None);

    /// <summary>The SHA-256 of the whole file, read 1 MiB at a time; throws OperationCanceledException between reads.</summary>
    internal static string Hash(string path, System.Threading.CancellationToken cancellation)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.SequentialScan);
        using var sha = SHA256.Create();
        // 1 MiB reads for large files; a small file gets a buffer of its size (sharded tokenizers and configs are many and small).
        var buffer = new byte[(int)Math.Min(BufferSize, Math.Max(4096L, stream.Length + 1))];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            cancellation.ThrowIfCancellationRequested();
            sha.TransformBlock(buffer, 0, read, null, 0);
        }

        cancellation.ThrowIfCancellationRequested();
        sha.TransformFinalBlock(buffer, 0, 0);
        return Digests.ToHex(sha.Hash!);
    }

    /// <summary>The cache's text when it is a regular file within the size limit; null otherwise. Never blocks on a FIFO.</summary>
    private static string? ReadCache(string cacheFile)
    {
        if (SafeFiles.Check(Path.GetFullPath(cacheFile), null).Status != FileCheckStatus.Regular)
        {
            return null;
        }

        byte[] bytes = SafeFiles.ReadCapped(cacheFile, MaxCacheBytes, out bool tooLarge);
        return tooLarge ? null : new UTF8Encoding(false, throwOnInvalidBytes: false).GetString(bytes);
    }

    private static Dictionary<string, Entry>? TryRead(string cacheFile)
    {
        try
        {
            // A cache that is not a regular file (a FIFO or device put in obj/) or is too large is not ours: ignored.
            if (ReadCache(cacheFile) is not { } text)
            {
                return null;
            }

            string[] lines = text.Split('\n');
            // Header, entries, trailer, and the empty string after the final newline.
            if (lines.Length < 3 || lines[0] != Header || lines[lines.Length - 1].Length != 0)
            {
                return null;
            }

            var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
            for (int i = 1; i < lines.Length - 2; i++)
            {
                string[] parts = lines[i].Split(new[] { '\t' }, 4);
                if (parts.Length != 4 || !Digests.IsSha256(parts[0])
                    || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long size)
                    || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks)
                    || parts[3].Length == 0)
                {
                    return null; // one bad line and the file is not trusted at all
                }

                entries[parts[3]] = new Entry(parts[0], size, ticks);
            }

            string[] trailer = lines[lines.Length - 2].Split('\t');
            bool complete = trailer.Length == 2 && trailer[0] == Trailer
                && int.TryParse(trailer[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count == lines.Length - 3 && count == entries.Count;
            return complete ? entries : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            return null;
        }
    }

    private readonly struct Entry
    {
        public Entry(string sha256, long size, long ticks, bool persist = true)
        {
            Sha256 = sha256;
            Size = size;
            Ticks = ticks;
            Persist = persist;
        }

        public bool Persist { get; }

        public string Sha256 { get; }

        public long Size { get; }

        public long Ticks { get; }
    }
}
