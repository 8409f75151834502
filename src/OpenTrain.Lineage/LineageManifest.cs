using System.Collections.Generic;
using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;

namespace OpenTrain.Lineage;

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
        Document = root is null ? null : new LineageDocument(root);
    }

    /// <summary>The document as JSON, or null when it could not be parsed.</summary>
    public JsonValue? Root { get; }

    /// <summary>The document, typed; every node keeps its JSON path and source range. Null when it could not be parsed.</summary>
    public LineageDocument? Document { get; }

    /// <summary>Findings about the file itself: encoding, syntax, duplicate keys, types, unknown fields.</summary>
    public IReadOnlyList<LineageFinding> Findings { get; }

    public bool IsReadable => Root is not null;

    public string? ModelName => Document?.Model.Node?.Name.AsString();

    /// <summary>The object entries of weights.files[], in order.</summary>
    public IReadOnlyList<WeightFile> WeightFiles => Document?.Weights.Node?.Files.Nodes ?? System.Array.Empty<WeightFile>();

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
