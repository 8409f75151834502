using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using OpenTrain.Lineage.Headers;
using OpenTrain.Lineage.Json;
using OpenTrainAnalyzers.Build.Files;
using OpenTrainAnalyzers.Build.Weights;

namespace OpenTrainAnalyzers.Build.Scaffold;

/// <summary>A file the scaffold lists in weights.files: what it is, its size and SHA-256, and its header if it has one.</summary>
internal sealed class FolderFile
{
    public FolderFile(string fullPath, string relativePath, string role, string? format, long size, string sha256, WeightHeader? header, string recognisedBy)
    {
        FullPath = fullPath;
        RelativePath = relativePath;
        Role = role;
        Format = format;
        Size = size;
        Sha256 = sha256;
        Header = header;
        RecognisedBy = recognisedBy;
    }

    public string FullPath { get; }

    /// <summary>Relative to the manifest, '/' separators.</summary>
    public string RelativePath { get; }

    /// <summary>weights.files[].role: model, external-data, adapter, tokenizer, vocabulary or config.</summary>
    public string Role { get; }

    /// <summary>weights.format of a model file (onnx, gguf, safetensors, pytorch, ...); null for the others.</summary>
    public string? Format { get; }

    public long Size { get; }

    public string Sha256 { get; }

    public WeightHeader? Header { get; }

    /// <summary>"its extension", "its first bytes (GGUF)", "its name": the message says how the file was recognised.</summary>
    public string RecognisedBy { get; }
}

/// <summary>
/// What a weight file or a Hugging Face model folder says about itself: the files the runtime reads (weights by
/// extension or by content, tokenizer and config files by name), the model card (README.md), config.json, and the
/// headers of GGUF, safetensors and ONNX weights. Reads only; non-regular files (FIFOs, devices) are never opened.
/// </summary>
internal sealed class ModelFolder
{
    private const int MaxFiles = 10_000;
    private const int MaxDepth = 4;
    private const long MaxConfigBytes = 4 * 1024 * 1024;

    // Files a runtime reads besides the weights, by name (Hugging Face transformers / tokenizers conventions, and
    // ONNX Runtime GenAI's: genai_config.json, which its Model loads beside the ONNX files and the tokenizer files,
    // and the image and audio processor configs its multimodal processors load from the same folder).
    private static readonly Dictionary<string, string> RolesByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["config.json"] = "config",
        ["genai_config.json"] = "config",
        ["processor_config.json"] = "config",
        ["audio_processor_config.json"] = "config",
        ["generation_config.json"] = "config",
        ["adapter_config.json"] = "config",
        ["preprocessor_config.json"] = "config",
        ["model.safetensors.index.json"] = "config",
        ["pytorch_model.bin.index.json"] = "config",
        ["tokenizer.json"] = "tokenizer",
        ["tokenizer.model"] = "tokenizer",
        ["tokenizer_config.json"] = "tokenizer",
        ["special_tokens_map.json"] = "tokenizer",
        ["added_tokens.json"] = "tokenizer",
        ["spiece.model"] = "tokenizer",
        ["sentencepiece.bpe.model"] = "tokenizer",
        ["vocab.txt"] = "vocabulary",
        ["vocab.json"] = "vocabulary",
        ["merges.txt"] = "vocabulary",
    };

    private ModelFolder(string manifestPath)
    {
        ManifestPath = manifestPath;
    }

    /// <summary>Where the manifest goes: beside the weight file (its stem) or beside the folder (its name).</summary>
    public string ManifestPath { get; }

    public string ManifestDirectory => Path.GetDirectoryName(ManifestPath)!;

    /// <summary>The folder's name (or the file's stem): the model's name when nothing better is known.</summary>
    public string Name { get; private set; } = string.Empty;

    public List<FolderFile> Files { get; } = new();

    public ModelCard? Card { get; private set; }

    public JsonValue? Config { get; private set; }

    public FolderFile? ConfigFile { get; private set; }

    /// <summary>ONNX Runtime GenAI's genai_config.json (model type, decoder sizes, search defaults), when the folder has one.</summary>
    public JsonValue? GenAiConfig { get; private set; }

    public FolderFile? GenAiConfigFile { get; private set; }

    public bool HasAdapterConfig { get; private set; }

    /// <summary>The Hub repository and revision when the folder is a snapshot of the Hugging Face cache (models--org--name/snapshots/rev).</summary>
    public (string Repository, string Revision)? HubSnapshot { get; private set; }

    public List<SourceProblem> Problems { get; } = new();

    public long BytesHashed { get; private set; }

    /// <summary>The model files (role model), largest first.</summary>
    public IEnumerable<FolderFile> ModelFiles => Files.Where(f => f.Role is "model" or "adapter").OrderByDescending(f => f.Size).ThenBy(f => f.RelativePath, StringComparer.Ordinal);

    /// <summary>Reads a weight file (and the card and config beside it) or a model folder.</summary>
    public static ModelFolder Read(string fullPath, CancellationToken cancellation)
    {
        bool isFolder = SafeFiles.KindOf(fullPath) == FileKind.Directory;
        string trimmed = fullPath.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        string parent = Path.GetDirectoryName(trimmed) ?? trimmed;
        string name = isFolder ? Path.GetFileName(trimmed) : Path.GetFileNameWithoutExtension(trimmed);
        var folder = new ModelFolder(ScaffoldLineage.ManifestPathFor(fullPath, isFolder)) { Name = name };
        folder.HubSnapshot = SnapshotOf(isFolder ? trimmed : parent);

        string cardFolder = isFolder ? trimmed : parent;
        var candidates = isFolder ? Enumerate(trimmed, folder.Problems) : new List<string> { trimmed };
        foreach (var file in candidates)
        {
            cancellation.ThrowIfCancellationRequested();
            folder.Add(file, isExplicit: !isFolder, cancellation);
        }

        // A single weight file still takes what its folder's card and config say.
        string cardPath = Path.Combine(cardFolder, "README.md");
        if (SafeFiles.KindOf(cardPath) == FileKind.Regular)
        {
            folder.Card = ModelCard.Read(cardPath);
            folder.Problems.AddRange(folder.Card.Problems);
        }

        string configPath = Path.Combine(cardFolder, "config.json");
        if (SafeFiles.KindOf(configPath) == FileKind.Regular)
        {
            folder.Config = ReadConfig(configPath, folder.Problems);
            folder.ConfigFile = folder.Files.FirstOrDefault(f => string.Equals(f.FullPath, configPath, StringComparison.Ordinal));
        }

        string genAiConfigPath = Path.Combine(cardFolder, "genai_config.json");
        if (SafeFiles.KindOf(genAiConfigPath) == FileKind.Regular)
        {
            folder.GenAiConfig = ReadConfig(genAiConfigPath, folder.Problems);
            folder.GenAiConfigFile = folder.Files.FirstOrDefault(f => string.Equals(f.FullPath, genAiConfigPath, StringComparison.Ordinal));
        }

        folder.HasAdapterConfig = SafeFiles.KindOf(Path.Combine(cardFolder, "adapter_config.json")) == FileKind.Regular;
        return folder;
    }

    private void Add(string fullPath, bool isExplicit, CancellationToken cancellation)
    {
        string fileName = Path.GetFileName(fullPath);
        string? role = null;
        string? format = null;
        string recognisedBy;
        string? byExtension = FormatByExtension(fileName);
        string? byContent = byExtension is null ? ShippedWeights.MagicFormatId(fullPath) : null;
        if (byExtension is not null)
        {
            format = byExtension;
            role = fileName.EndsWith("_data", StringComparison.OrdinalIgnoreCase) || fileName.EndsWith(".data", StringComparison.OrdinalIgnoreCase) ? "external-data" : "model";
            recognisedBy = "its extension";
        }
        else if (byContent is not null)
        {
            format = byContent == "ggml" ? "other" : byContent;
            role = "model";
            recognisedBy = $"its first bytes ({byContent.ToUpperInvariant()})";
        }
        else if (RolesByName.TryGetValue(fileName, out var named))
        {
            role = named;
            recognisedBy = "its name";
        }
        else if (isExplicit)
        {
            role = "model";
            format = "other";
            recognisedBy = "the command naming it";
        }
        else
        {
            return; // README.md, .gitattributes, images, licences: not read by the runtime
        }

        if (role == "model" && (fileName.StartsWith("adapter_model.", StringComparison.OrdinalIgnoreCase)))
        {
            role = "adapter";
        }

        long size = new FileInfo(fullPath).Length;
        string sha256 = WeightHasher.Hash(fullPath, cancellation);
        BytesHashed += size;
        WeightHeader? header = role is "model" or "adapter" && format is "gguf" or "safetensors" or "onnx" ? ReadHeader(fullPath, format, size) : null;
        string relative = Relative(ManifestDirectory, fullPath);
        Files.Add(new FolderFile(fullPath, relative, role, role is "model" or "adapter" or "external-data" ? format : null, size, sha256, header, recognisedBy));
    }

    private static string? FormatByExtension(string fileName)
    {
        string lower = fileName.ToLowerInvariant();
        if (lower.EndsWith(".onnx_data", StringComparison.Ordinal) || lower.EndsWith(".onnx.data", StringComparison.Ordinal))
        {
            return "onnx";
        }

        return Path.GetExtension(lower) switch
        {
            ".onnx" => "onnx",
            ".ort" => "ort",
            ".gguf" => "gguf",
            ".safetensors" => "safetensors",
            ".pt" or ".pth" => "pytorch",
            ".tflite" => "tflite",
            ".mlnet" => "mlnet",
            ".bin" when lower.StartsWith("pytorch_model", StringComparison.Ordinal) => "pytorch",
            _ => null,
        };
    }

    private static WeightHeader? ReadHeader(string path, string format, long size)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
            return format switch
            {
                "gguf" => GgufHeader.Read(stream, size),
                "safetensors" => SafetensorsHeader.Read(stream, size),
                _ => OnnxHeader.Read(stream, size),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static JsonValue? ReadConfig(string path, List<SourceProblem> problems)
    {
        byte[] bytes = SafeFiles.ReadCapped(path, MaxConfigBytes, out bool tooLarge);
        if (tooLarge)
        {
            problems.Add(new SourceProblem(path, 1, 1, $"{Path.GetFileName(path)} is larger than {MaxConfigBytes / (1024 * 1024)} MiB; nothing was taken from it."));
            return null;
        }

        var parsed = JsonParser.Parse(new System.Text.UTF8Encoding(false, false).GetString(bytes));
        if (parsed.Root is not { Kind: JsonValueKind.Object } root)
        {
            var problem = parsed.Problems.FirstOrDefault();
            problems.Add(new SourceProblem(path, problem?.Range.Start.Line ?? 1, problem?.Range.Start.Column ?? 1,
                $"{Path.GetFileName(path)} is not a JSON object ({problem?.Message ?? "not an object"}); nothing was taken from it."));
            return null;
        }

        return root;
    }

    /// <summary>Files under the folder, sorted, skipping hidden folders (.git, .cache) and non-regular files.</summary>
    private static List<string> Enumerate(string root, List<SourceProblem> problems)
    {
        var found = new List<string>();
        var pending = new Stack<(string Path, int Depth)>();
        pending.Push((root, 0));
        while (pending.Count > 0)
        {
            var (folder, depth) = pending.Pop();
            IEnumerable<string> entries;
            try
            {
                entries = Directory.EnumerateFileSystemEntries(folder).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add(new SourceProblem(folder, 0, 0, $"The folder cannot be listed ({SafeFiles.Reason(e)}); its files are not in the manifest."));
                continue;
            }

            foreach (var entry in entries)
            {
                if (Path.GetFileName(entry).StartsWith(".", StringComparison.Ordinal))
                {
                    continue;
                }

                switch (SafeFiles.KindOf(entry))
                {
                    case FileKind.Regular:
                        if (found.Count >= MaxFiles)
                        {
                            problems.Add(new SourceProblem(root, 0, 0, $"The folder has more than {MaxFiles:N0} files; only the first {MaxFiles:N0} were looked at."));
                            return Sorted(found);
                        }

                        found.Add(entry);
                        break;
                    case FileKind.Directory when depth < MaxDepth && !IsLink(entry):
                        pending.Push((entry, depth + 1));
                        break;
                }
            }
        }

        return Sorted(found);
    }

    private static List<string> Sorted(List<string> files)
    {
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private static bool IsLink(string path)
    {
        try
        {
            return (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static (string, string)? SnapshotOf(string folder)
    {
        // ~/.cache/huggingface/hub/models--org--name/snapshots/<40-hex revision>
        string revision = Path.GetFileName(folder);
        string? snapshots = Path.GetDirectoryName(folder);
        string? repository = snapshots is null ? null : Path.GetDirectoryName(snapshots);
        if (revision.Length == 40 && revision.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'))
            && snapshots is not null && Path.GetFileName(snapshots) == "snapshots"
            && repository is not null && Path.GetFileName(repository) is { } cacheName && cacheName.StartsWith("models--", StringComparison.Ordinal))
        {
            var parts = cacheName.Substring("models--".Length).Split(new[] { "--" }, StringSplitOptions.None);
            if (parts.Length == 2 && parts.All(p => p.Length > 0))
            {
                return (parts[0] + "/" + parts[1], revision);
            }
        }

        return null;
    }

    internal static string Relative(string fromDirectory, string fullPath)
    {
        string from = fromDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
        string relative = fullPath.StartsWith(from, StringComparison.Ordinal) ? fullPath.Substring(from.Length) : Path.GetFileName(fullPath);
        return relative.Replace('\\', '/');
    }
}
