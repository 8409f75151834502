using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;

namespace OpenTrain.Lineage.Policy;

/// <summary>
/// Every file the runtime reads: <see cref="WeightsRow"/> of the level table. The bytes themselves are checked by
/// the build task, which may read files.
/// </summary>
internal sealed partial class PolicyRun
{
    internal static readonly LevelRow WeightsRow = new(
        "`weights.files[]`",
        declared: "each has a contained `path`, a real `sha256` and `size` (the build task checks the bytes)",
        openWeights: "",
        openTooling: "",
        openScience: "");

    private void CheckWeights()
    {
        if (Need(_document.Weights.Field, Declared, "the weight files the runtime reads") is null || _document.Weights.Node is not { } weights)
        {
            return;
        }

        Text(weights.Format, Declared, "the weights' format (onnx, gguf, safetensors, ...)", enumerated: true);
        var files = Need(weights.Files.Field, Declared, "every file the runtime reads, each with path, sha256 and size");
        if (files is null || files.Kind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var file in weights.Files.Nodes)
        {
            var path = Text(file.Path, Declared, "the file's path relative to the manifest");
            if (path?.Text is { } relative && WeightPaths.Problem(relative) is { } problem)
            {
                Report(LineageRules.PathEscapes, path, Declared, $"Weight path '{relative}' {problem}.");
            }

            var sha = Need(file.Sha256, Declared, "the file's SHA-256 (64 lowercase hex digits)");
            if (sha?.Text is { } digest)
            {
                CheckDigest(sha, digest, file.Size.Value);
            }

            var size = Need(file.Size, Declared, "the file's size in bytes");
            if (size is not null && size.TryGetInt64(out long bytes) && bytes < 0)
            {
                Report(LineageRules.WrongType, size, Declared, "size cannot be negative.");
            }
        }

        if (weights.RootDigest.Node?.Sha256 is { Text: { } root } rootValue)
        {
            CheckDigest(rootValue.Value!, root, null);
        }
    }

    private void CheckDigest(JsonValue at, string digest, JsonValue? size)
    {
        if (!TextChecks.IsSha256(digest))
        {
            Report(LineageRules.MalformedDigest, at, Declared, $"'{digest}' is not a SHA-256 digest; write 64 lowercase hexadecimal digits (sha256sum prints them).");
        }
        else if (TextChecks.IsPlaceholderDigest(digest)
            || (digest == TextChecks.EmptySha256 && size is not null && size.TryGetInt64(out long bytes) && bytes > 0))
        {
            Report(LineageRules.MalformedDigest, at, Declared, $"'{digest}' is a placeholder, not the digest of the file; compute it with sha256sum.");
        }
    }
}
