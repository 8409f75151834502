using System.Collections.Generic;
using OpenTrain.Lineage.Json;

namespace OpenTrain.Lineage;

/// <summary>A weight file the runtime reads, as declared in <c>weights.files[]</c>.</summary>
public sealed class DeclaredWeightFile
{
    internal DeclaredWeightFile(JsonValue entry)
    {
        Entry = entry;
        Path = entry["path"]?.AsString();
        Sha256 = entry["sha256"]?.AsString();
        if (entry["size"] is { } size && size.TryGetInt64(out long bytes))
        {
            Size = bytes;
        }
    }

    /// <summary>Path relative to the manifest's directory, with '/' separators, as written.</summary>
    public string? Path { get; }

    public string? Sha256 { get; }

    public long? Size { get; }

    /// <summary>The JSON object of this entry, for locating findings.</summary>
    public JsonValue Entry { get; }
}

/// <summary>
/// A training-lineage manifest read from text. Reading never throws: problems with the file (encoding, syntax,
/// limits, structure) are in <see cref="Findings"/>, each with its JSON path and line/column.
/// </summary>
public sealed class LineageManifest
{
    /// <summary>Manifests are small documents; anything larger is refused before parsing, with a clear error.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    public const string SupportedVersion = "1.0";

    private LineageManifest(JsonValue? root, List<LineageFinding> findings)
    {
        Root = root;
        Findings = findings;
        var files = new List<DeclaredWeightFile>();
        if (root?["weights"]?["files"] is { Kind: JsonValueKind.Array } array)
        {
            foreach (var item in array.Items)
            {
                if (item.Kind == JsonValueKind.Object)
                {
                    files.Add(new DeclaredWeightFile(item));
                }
            }
        }

        WeightFiles = files;
    }

    /// <summary>The document, or null when it could not be parsed.</summary>
    public JsonValue? Root { get; }

    /// <summary>Findings about the file itself: encoding, syntax, duplicate keys, types, unknown fields.</summary>
    public IReadOnlyList<LineageFinding> Findings { get; }

    public bool IsReadable => Root is not null;

    public string? ModelName => Root?["model"]?["name"]?.AsString();

    public IReadOnlyList<DeclaredWeightFile> WeightFiles { get; }

    public static LineageManifest Read(byte[] bytes) => Read(bytes, bytes.Length);

    public static LineageManifest Read(byte[] bytes, int count)
    {
        if (count > MaxBytes)
        {
            return TooLarge(count);
        }

        if (!Utf8Text.TryDecode(bytes, count, out string text, out int invalidOffset))
        {
            var position = Utf8Text.PositionOf(bytes, invalidOffset);
            return Failed(new LineageFinding(
                LineageRules.InvalidJson,
                $"The manifest is not valid UTF-8 (byte 0x{bytes[invalidOffset]:X2} at offset {invalidOffset}); save it as UTF-8.",
                "$",
                new SourceRange(invalidOffset, invalidOffset + 1, position, new SourcePosition(position.Line, position.Column + 1)),
                LineageLevel.Declared));
        }

        return Read(text);
    }

    public static LineageManifest Read(string text)
    {
        if (text.Length > MaxBytes)
        {
            return TooLarge(text.Length);
        }

        var parsed = JsonParser.Parse(text);
        var findings = new List<LineageFinding>();
        foreach (var problem in parsed.Problems)
        {
            var rule = problem.Kind switch
            {
                JsonProblemKind.DuplicateKey => LineageRules.DuplicateKey,
                JsonProblemKind.TooDeep => LineageRules.LimitExceeded,
                _ => LineageRules.InvalidJson,
            };
            findings.Add(new LineageFinding(rule, problem.Message, problem.Path, problem.Range, LineageLevel.Declared));
        }

        var root = parsed.Root;
        if (root is not null)
        {
            if (root.Kind != JsonValueKind.Object)
            {
                findings.Add(new LineageFinding(LineageRules.WrongType, "A lineage manifest is a JSON object ({ ... }).", "$", root.Range, LineageLevel.Declared));
                return new LineageManifest(null, findings);
            }

            ManifestSchema.Check(root, ManifestSchema.Root, findings);
        }

        return new LineageManifest(root, findings);
    }

    private static LineageManifest TooLarge(int size) => Failed(new LineageFinding(
        LineageRules.LimitExceeded,
        $"The manifest is {size:N0} bytes; the limit is {MaxBytes:N0}. A lineage manifest describes files, it never contains them: move large content to files and reference them as locations.",
        "$",
        null,
        LineageLevel.Declared));

    private static LineageManifest Failed(LineageFinding finding) => new LineageManifest(null, new List<LineageFinding> { finding });
}
