using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using OpenTrain.Lineage;
using OpenTrain.Lineage.Headers;
using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;
using OpenTrainAnalyzers.Build.Files;
using OpenTrainAnalyzers.Build.Reports;

namespace OpenTrainAnalyzers.Build.Weights;

/// <summary>
/// Reads the header of each declared GGUF, safetensors and ONNX weight file (header only, bounded, through the same
/// file checks as hashing: only regular files inside the allowed roots are opened) and cross-checks it with the
/// manifest (OTL0208, OTL0209). What the cross-check needs of a header is remembered in obj/ by path, size and
/// last-write time, so an unchanged rebuild reads no header bytes.
/// </summary>
internal sealed class HeaderChecks
{
    private const string CacheHeader = "opentrain-weight-headers v1";

    // The format remembered for a file that is none of the formats with a header to read.
    private const string NotAWeightHeader = "none";

    // The entries the cross-check reads; the rest of a header is not remembered.
    private static readonly string[] RememberedPrefixes = { "general.license", "general.name", "general.base_model.", "general.file_type", "license", "base_model", "onnx.producer_name" };

    private readonly string? _cacheFile;
    private readonly Dictionary<string, (long Size, long Ticks, WeightHeader Header)> _cache = new(WeightVerifier.PathComparer);
    private bool _changed;

    private HeaderChecks(string? cacheFile) => _cacheFile = cacheFile;

    public long BytesRead { get; private set; }

    public int FilesRead { get; private set; }

    public int FilesFromCache { get; private set; }

    public static string? FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".gguf" => "gguf",
        ".safetensors" => "safetensors",
        ".onnx" => "onnx",
        _ => null,
    };

    public static HeaderChecks Load(string? cacheFile)
    {
        var checks = new HeaderChecks(cacheFile);
        if (string.IsNullOrEmpty(cacheFile) || SafeFiles.Check(cacheFile!, null).Status != FileCheckStatus.Regular || new FileInfo(cacheFile!).Length > 16 * 1024 * 1024)
        {
            return checks; // no cache, or not a file we open: everything is read again
        }

        try
        {
            var parsed = JsonParser.Parse(File.ReadAllText(cacheFile!));
            if (parsed.Root is not { Kind: JsonValueKind.Object } root || root["cacheVersion"]?.AsString() != CacheHeader || root["cachedFiles"] is not { Kind: JsonValueKind.Array } files)
            {
                return checks;
            }

            foreach (var entry in files.Items)
            {
                if (entry["cachedPath"]?.AsString() is { } path && entry["fileLength"] is { } size && size.TryGetInt64(out long length)
                    && entry["lastWrite"] is { } ticks && ticks.TryGetInt64(out long stamp) && entry["headerFormat"]?.AsString() is { } format)
                {
                    var metadata = (entry["remembered"]?.Properties ?? Array.Empty<JsonProperty>())
                        .Select(p => new KeyValuePair<string, HeaderValue>(p.Name, p.Value.Kind == JsonValueKind.Number && p.Value.TryGetInt64(out long n) ? HeaderValue.Of(n) : HeaderValue.Of(p.Value.Text ?? string.Empty)))
                        .ToList();
                    var problem = entry["headerProblem"]?.AsString() is { } text
                        && Enum.TryParse(entry["headerProblemKind"]?.AsString(), out HeaderProblemKind kind)
                        && entry["headerProblemOffset"] is { } offset && offset.TryGetInt64(out long at)
                        ? new HeaderProblem(kind, at, text)
                        : null;
                    checks._cache[path] = (length, stamp, WeightHeader.Remembered(format, metadata, problem));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            checks._cache.Clear();
        }

        return checks;
    }

    /// <summary>The cross-check findings of one manifest's weight files in a known format.</summary>
    public List<LineageFinding> Check(LineageManifest manifest, string manifestDirectory, LinkRoots roots)
    {
        var findings = new List<LineageFinding>();
        if (manifest.Document is not { } document)
        {
            return findings;
        }

        var allowed = roots.For(manifestDirectory);
        foreach (var file in manifest.WeightFiles)
        {
            if (WeightVerifier.FullPathOf(file, manifestDirectory) is not { } fullPath)
            {
                continue;
            }

            var check = SafeFiles.Check(fullPath, allowed);
            if (check.Status != FileCheckStatus.Regular)
            {
                continue; // the weight checks report it (missing, not a regular file, outside the roots)
            }

            // By extension, else by content (weights often ship as model.bin): the same recognition as OTL0207's.
            string target = check.Target ?? fullPath;
            var header = Header(target, FormatOf(fullPath));

            // ONNX has no magic number: a file that does not even start like a protobuf message is not recognised as
            // ONNX at all, and there is nothing to compare (GGUF and safetensors identify themselves, so theirs is OTL0209).
            if (header is not null && !(header.Format == "onnx" && header.Problem?.Kind == HeaderProblemKind.WrongMagic))
            {
                findings.AddRange(HeaderCrossCheck.Check(document, file, header));
            }
        }

        return findings;
    }

    private WeightHeader? Header(string path, string? byExtension)
    {
        try
        {
            var info = new FileInfo(path);
            if (_cache.TryGetValue(path, out var known) && known.Size == info.Length && known.Ticks == info.LastWriteTimeUtc.Ticks
                && (byExtension is null || known.Header.Format == byExtension))
            {
                FilesFromCache++;
                return known.Header.Format == NotAWeightHeader ? null : known.Header;
            }

            string? format = byExtension ?? ShippedWeights.MagicFormatId(path) switch { "gguf" => "gguf", "safetensors" => "safetensors", _ => null };
            if (format is null)
            {
                // Remembered too, so that an unchanged rebuild does not look at the file's first bytes again.
                _cache[path] = (info.Length, info.LastWriteTimeUtc.Ticks, WeightHeader.Remembered(NotAWeightHeader, Array.Empty<KeyValuePair<string, HeaderValue>>(), null));
                _changed = true;
                return null;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
            var header = format switch
            {
                "gguf" => GgufHeader.Read(stream, info.Length),
                "safetensors" => SafetensorsHeader.Read(stream, info.Length),
                _ => OnnxHeader.Read(stream, info.Length),
            };
            FilesRead++;
            BytesRead += header.BytesRead;
            if (format == "onnx" && header.Problem?.Kind == HeaderProblemKind.WrongMagic)
            {
                return header; // not ONNX at all (see Check): nothing to remember; telling costs a byte or two per build
            }

            var remembered = header.Metadata.Where(e => RememberedPrefixes.Any(p => e.Key.StartsWith(p, StringComparison.Ordinal)) && e.Value.Kind != HeaderValueKind.Array).ToList();
            _cache[path] = (info.Length, info.LastWriteTimeUtc.Ticks, WeightHeader.Remembered(format, remembered, header.Problem));
            _changed = true;
            return header;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            return null; // the weight checks report a file that cannot be read
        }
    }

    public void Save()
    {
        if (!_changed || string.IsNullOrEmpty(_cacheFile))
        {
            return;
        }

        var json = new JsonWriter().BeginObject().Property("cacheVersion", CacheHeader).Name("cachedFiles").BeginArray();
        foreach (var entry in _cache.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            json.BeginObject().Property("cachedPath", entry.Key).Property("fileLength", entry.Value.Size).Property("lastWrite", entry.Value.Ticks).Property("headerFormat", entry.Value.Header.Format);
            if (entry.Value.Header.Problem is { } problem)
            {
                json.Property("headerProblem", problem.Message).Property("headerProblemKind", problem.Kind.ToString()).Property("headerProblemOffset", problem.Offset);
            }

            json.Name("remembered").BeginObject();
            foreach (var item in entry.Value.Header.Metadata)
            {
                if (item.Value.Kind == HeaderValueKind.Integer)
                {
                    json.Property(item.Key, item.Value.Integer);
                }
                else
                {
                    json.Property(item.Key, item.Value.Text);
                }
            }

            json.EndObject().EndObject();
        }

        try
        {
            SafeFiles.WriteAtomically(_cacheFile!, json.EndArray().EndObject().ToString());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            // A cache that cannot be written only costs the next build some header reads.
        }
    }

    public string Summary() => string.Format(CultureInfo.InvariantCulture, "OpenTrain: read the headers of {0} weight file(s) ({1:N0} bytes), {2} from cache.", FilesRead, BytesRead, FilesFromCache);
}
