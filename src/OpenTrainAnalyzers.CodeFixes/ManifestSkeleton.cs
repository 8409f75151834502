using System;
using System.Text;

namespace OpenTrainAnalyzers.CodeFixes;

/// <summary>
/// The lineage manifest a code fix writes next to an undocumented model: only what the code knows is filled in (the
/// model's file and format, a name from the file name). Everything else is a marked placeholder or an empty object,
/// so the build reports every missing element by code (OTL0300/0301/0302, OTL0401, OTL0206) and the manifest reaches
/// no level until a person writes the lineage down. Enumerated fields (availability, derivation) are never guessed.
/// </summary>
internal static class ManifestSkeleton
{
    public const string Suffix = ".lineage.json";

    /// <summary>"models/sentiment.onnx" -> "models/sentiment.lineage.json" (same directory, extension replaced).</summary>
    public static string PathFor(string modelPath)
    {
        int slash = Math.Max(modelPath.LastIndexOf('/'), modelPath.LastIndexOf('\\'));
        string directory = modelPath.Substring(0, slash + 1);
        return directory + Stem(modelPath.Substring(slash + 1)) + Suffix;
    }

    /// <summary>The weights.format value for a file name: from its extension, "other" when it says nothing.</summary>
    public static string Format(string fileName)
    {
        int dot = fileName.LastIndexOf('.');
        string extension = dot < 0 ? string.Empty : fileName.Substring(dot + 1).ToLowerInvariant();
        return extension switch
        {
            "onnx" => "onnx",
            "ort" => "ort",
            "gguf" => "gguf",
            "safetensors" => "safetensors",
            "pt" or "pth" => "pytorch",
            _ => "other",
        };
    }

    /// <summary>The manifest text for the model file <paramref name="fileName"/> (the manifest sits in the same directory).</summary>
    public static string Create(string fileName)
    {
        var text = new StringBuilder();
        text.Append("{\n");
        text.Append("  \"$schema\": \"urn:opentrainanalyzers:schema:training-lineage:1.0\",\n");
        text.Append("  \"manifestVersion\": \"1.0\",\n");
        text.Append("  \"model\": {\n");
        text.Append("    \"name\": ").Append(Quote(Stem(fileName))).Append(",\n");
        text.Append("    \"version\": \"[TODO: the version its producer gives these weights, e.g. 1.0.0 or a release date]\",\n");
        text.Append("    \"producer\": { \"name\": \"[TODO: who trained the model: organisation or person]\" },\n");
        text.Append("    \"license\": \"[TODO: the SPDX licence expression of the weights, e.g. Apache-2.0]\",\n");
        text.Append("    \"task\": \"[TODO: what the model does, e.g. text-classification]\"\n");
        text.Append("  },\n");
        text.Append("  \"weights\": {\n");
        text.Append("    \"format\": ").Append(Quote(Format(fileName))).Append(",\n");
        text.Append("    \"files\": [\n");
        text.Append("      { \"path\": ").Append(Quote(fileName)).Append(", \"sha256\": \"TODO\", \"size\": 0, \"role\": \"model\" }\n");
        text.Append("    ]\n");
        text.Append("  },\n");
        text.Append("  \"lineage\": {},\n");
        text.Append("  \"training\": {\n");
        text.Append("    \"data\": {},\n");
        text.Append("    \"processing\": {},\n");
        text.Append("    \"configuration\": { \"architecture\": {}, \"hyperparameters\": {} },\n");
        text.Append("    \"code\": {},\n");
        text.Append("    \"evaluation\": {}\n");
        text.Append("  }\n");
        text.Append("}\n");
        return text.ToString();
    }

    private static string Stem(string fileName)
    {
        int dot = fileName.LastIndexOf('.');
        return dot <= 0 ? fileName : fileName.Substring(0, dot);
    }

    private static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (char c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                default:
                    if (c < ' ')
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return text.Append('"').ToString();
    }
}
