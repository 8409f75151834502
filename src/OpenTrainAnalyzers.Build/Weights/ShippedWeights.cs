using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using Microsoft.Build.Framework;
using OpenTrainAnalyzers.Build.Files;

namespace OpenTrainAnalyzers.Build.Weights;

/// <summary>
/// Finds model weights among the files a project ships (Content, None copied to the output, EmbeddedResource):
/// by extension, for '.zip' by the entries ML.NET writes (only the zip's central directory is read), and for any other
/// name by the header of GGUF, GGML and safetensors files (16 bytes).
/// </summary>
internal static class ShippedWeights
{
    internal static readonly string[] ModelExtensions = { ".onnx", ".ort", ".gguf", ".ggml", ".safetensors", ".pt", ".pth", ".tflite", ".mlnet" };

    /// <summary>A shipped model file that no manifest declares.</summary>
    internal sealed class Undeclared
    {
        public Undeclared(string itemSpec, string itemType, string why)
        {
            ItemSpec = itemSpec;
            ItemType = itemType;
            Why = why;
        }

        /// <summary>The item as written in the project, with '/' separators: what suppressions match as Element.</summary>
        public string ItemSpec { get; }

        public string ItemType { get; }

        public string Why { get; }
    }

    /// <param name="projectDirectory">Item paths are relative to the project folder, as MSBuild's FullPath metadata resolves them.</param>
    public static List<Undeclared> Find(IEnumerable<ITaskItem> shipped, string projectDirectory, ISet<string> declaredFullPaths)
    {
        var found = new List<Undeclared>();
        var seen = new HashSet<string>(WeightVerifier.PathComparer);
        foreach (var item in shipped)
        {
            string fullPath;
            try
            {
                fullPath = Path.GetFullPath(Path.Combine(projectDirectory, item.ItemSpec));
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException or System.Security.SecurityException)
            {
                continue;
            }

            if (!seen.Add(fullPath) || declaredFullPaths.Contains(fullPath))
            {
                continue;
            }

            string? why = WhyModel(fullPath);
            if (why is null)
            {
                continue;
            }

            string itemType = item.GetMetadata("OpenTrainItemType");
            string copy = item.GetMetadata("CopyToOutputDirectory");
            // An item type ("None") reads "None item"; a description ("file a project reference copies…") stands as it is.
            string describedType = itemType.Length == 0 ? "item" : itemType.IndexOf(' ') >= 0 ? itemType : itemType + " item";
            if (copy.Length > 0 && !string.Equals(copy, "Never", StringComparison.OrdinalIgnoreCase))
            {
                describedType += ", CopyToOutputDirectory=" + copy;
            }

            found.Add(new Undeclared(item.ItemSpec.Replace('\\', '/'), describedType, why));
        }

        return found;
    }

    /// <summary>Why the file is model weights ("'.onnx' file", "ML.NET model zip"), or null when it is not.</summary>
    internal static string? WhyModel(string fullPath)
    {
        string extension = Path.GetExtension(fullPath);
        foreach (var known in ModelExtensions)
        {
            if (string.Equals(extension, known, StringComparison.OrdinalIgnoreCase))
            {
                return "a '" + known + "' file";
            }
        }

        if (string.Equals(extension, ".zip", StringComparison.OrdinalIgnoreCase) && IsMlNetModelZip(fullPath))
        {
            return "an ML.NET model (.zip with a TransformerChain)";
        }

        // Weights often ship under neutral names (model.bin, weights.dat): recognise the common formats by their
        // first bytes. Reading 16 bytes per shipped file is cheap next to copying it.
        return MagicFormat(fullPath);
    }

    /// <summary>"a GGUF file (by its header)" etc., from the first bytes; null when no known weight format matches.</summary>
    internal static string? MagicFormat(string fullPath) => MagicFormatId(fullPath) switch
    {
        "gguf" => "a GGUF file (by its header)",
        "ggml" => "a GGML file (by its header)",
        "safetensors" => "a safetensors file (by its header)",
        _ => null,
    };

    /// <summary>gguf, ggml or safetensors from the first 16 bytes; null when no known weight format matches.</summary>
    internal static string? MagicFormatId(string fullPath)
    {
        var header = new byte[16];
        int read;
        try
        {
            if (SafeFiles.KindOf(fullPath) != FileKind.Regular)
            {
                return null; // a FIFO or device is never opened: it could block the build
            }

            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 16);
            read = stream.Read(header, 0, header.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            return null;
        }

        if (read >= 4 && header[0] == (byte)'G' && header[1] == (byte)'G' && header[2] == (byte)'U' && header[3] == (byte)'F')
        {
            return "gguf";
        }

        // Legacy llama.cpp / whisper.cpp formats store a little-endian magic: 'ggml', 'ggmf', 'ggjt', 'ggla'.
        if (read >= 4 && header[3] == (byte)'g' && header[2] == (byte)'g' && (header[1], header[0]) is ((byte)'m', (byte)'l') or ((byte)'m', (byte)'f') or ((byte)'j', (byte)'t') or ((byte)'l', (byte)'a'))
        {
            return "ggml";
        }

        // safetensors: an 8-byte little-endian header length, then the JSON header itself.
        if (read >= 9 && header[8] == (byte)'{')
        {
            ulong length = BitConverter.ToUInt64(header, 0);
            if (length > 1 && length < 100UL * 1024 * 1024)
            {
                return "safetensors";
            }
        }

        return null;
    }

    private static bool IsMlNetModelZip(string fullPath)
    {
        try
        {
            if (SafeFiles.KindOf(fullPath) != FileKind.Regular)
            {
                return false;
            }

            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
            foreach (var entry in zip.Entries)
            {
                // mlContext.Model.Save writes TransformerChain/Model.key, TransformerChain/Transform_000/..., etc.
                if (entry.FullName.StartsWith("TransformerChain/", StringComparison.Ordinal) || entry.FullName.StartsWith("TransformerChain\\", StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            // Not a readable zip: not something we can call a model.
        }

        return false;
    }
}
