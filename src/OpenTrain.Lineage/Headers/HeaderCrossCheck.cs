using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;

namespace OpenTrain.Lineage.Headers;

/// <summary>
/// Where a weight file's own header contradicts its manifest: the licence, the model name, base models that are not
/// among the parents, a quantized GGUF declared as trained from scratch. Each contradiction is a warning
/// (<see cref="LineageRules.HeaderContradiction"/>) located at the manifest element, quoting both values; a header
/// that cannot be read is its own warning (<see cref="LineageRules.HeaderUnreadable"/>), never a silent pass.
/// </summary>
public static class HeaderCrossCheck
{
    public static List<LineageFinding> Check(LineageDocument document, WeightFile file, WeightHeader header)
    {
        var findings = new List<LineageFinding>();
        string path = file.RelativePath ?? "?";
        if (!header.IsComplete)
        {
            var at = file.Path.Value ?? file.Json;
            findings.Add(new LineageFinding(LineageRules.HeaderUnreadable,
                $"The {header.Format} header of '{path}' cannot be read ({header.Problem}); its metadata could not be compared with this manifest. Check that the file is the complete model, in the format its name says.",
                at.Path, at.Range, LineageLevel.Declared));
            return findings;
        }

        var model = document.Model.Node;
        string? headerLicense = First(header, "general.license", "license");
        if (headerLicense is not null && model?.License.AsString() is { } declared && !SameLicense(declared, headerLicense))
        {
            Report(findings, model.License.Value!, $"'{path}' says its licence is '{headerLicense}' ({Where(header, "general.license", "license")}), but model.license is '{declared}'. Check which one is right.");
        }

        string? headerName = First(header, "general.name");
        if (headerName is not null && model?.Name.AsString() is { } name && !SameName(name, headerName))
        {
            Report(findings, model.Name.Value!, $"'{path}' names the model '{headerName}' (general.name), but model.name is '{name}'.");
        }

        var lineage = document.Lineage.Node;
        var parents = lineage?.Parents.Nodes ?? Array.Empty<Parent>();
        foreach (var (baseName, baseUrl, where) in BaseModels(header))
        {
            if (!parents.Any(p => Matches(p, baseName, baseUrl)))
            {
                var at = lineage?.Parents.Value ?? lineage?.Json ?? document.Json;
                Report(findings, at, $"'{path}' names base model '{baseName ?? baseUrl}' ({where}), which is not among lineage.parents. List it as a parent with its manifest, or correct the file's metadata.");
            }
        }

        if (header.Format == "gguf" && header["general.file_type"] is { Kind: Headers.HeaderValueKind.Integer } fileType
            && GgufFileTypes.IsQuantized(fileType.Integer) && lineage?.Derivation.AsString() == "from-scratch")
        {
            Report(findings, lineage.Derivation.Value!, $"'{path}' is a quantized GGUF (general.file_type {fileType.Integer}), but lineage.derivation is 'from-scratch'. A quantization derives from the full-precision model: use 'quantized' and list that model as a parent.");
        }

        if (header.Format == "onnx" && header["onnx.producer_name"]?.Text is { Length: > 0 } producer
            && ConversionTool(document) is { } tool && tool.Text is { } toolName && !SameProducer(producer, toolName))
        {
            Report(findings, tool, $"'{path}' was written by '{producer}' (ONNX producer_name), but weights.conversion names the tool '{toolName}'.");
        }

        return findings;
    }

    // ONNX producer_name values and the names their tools go by (package, library, command).
    private static readonly Dictionary<string, string[]> ProducerAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ML.NET"] = new[] { "microsoftml", "mlnet" },
        ["pytorch"] = new[] { "torch" },
        ["tf2onnx"] = new[] { "tf2onnx", "tensorflow" },
        ["skl2onnx"] = new[] { "skl2onnx", "sklearn", "scikitlearn" },
        ["onnxmltools"] = new[] { "onnxmltools" },
        ["keras2onnx"] = new[] { "keras2onnx", "keras" },
        ["optimum"] = new[] { "optimum" },
    };

    private static bool SameProducer(string producer, string tool)
    {
        string t = Normalize(tool);
        string p = Normalize(producer);
        if (t.Contains(p) || p.Contains(t))
        {
            return true;
        }

        return ProducerAliases.TryGetValue(producer.Trim(), out var aliases) && aliases.Any(a => t.Contains(a));
    }

    private static void Report(List<LineageFinding> findings, JsonValue at, string message) =>
        findings.Add(new LineageFinding(LineageRules.HeaderContradiction, message, at.Path, at.Range, LineageLevel.Declared));

    private static string? First(WeightHeader header, params string[] keys) =>
        keys.Select(k => header[k]).FirstOrDefault(v => v is { Kind: Headers.HeaderValueKind.String, Text.Length: > 0 })?.Text;

    private static string Where(WeightHeader header, params string[] keys) => keys.FirstOrDefault(k => header[k] is not null) ?? keys[0];

    /// <summary>The same licence when equal ignoring case, after mapping Hub ids, or when one expression contains the other's identifier.</summary>
    private static bool SameLicense(string declared, string header)
    {
        string mapped = HubLicenses.Map(header)?.Expression ?? header;
        if (string.Equals(declared.Trim(), header.Trim(), StringComparison.OrdinalIgnoreCase)
            || string.Equals(declared.Trim(), mapped.Trim(), StringComparison.OrdinalIgnoreCase)
            || string.Equals(declared.Trim(), "LicenseRef-" + header.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var tokens = declared.Split(new[] { ' ', '(', ')' }, StringSplitOptions.RemoveEmptyEntries);
        return tokens.Any(t => string.Equals(t, mapped, StringComparison.OrdinalIgnoreCase) || string.Equals(t, header, StringComparison.OrdinalIgnoreCase) || string.Equals(t, "LicenseRef-" + header, StringComparison.OrdinalIgnoreCase));
    }

    private static bool SameName(string declared, string header)
    {
        string a = Normalize(declared);
        string b = Normalize(header);
        return a.Length == 0 || b.Length == 0 || a.Contains(b) || b.Contains(a);
    }

    private static string Normalize(string text)
    {
        var normalized = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                normalized.Append(char.ToLowerInvariant(c));
            }
        }

        return normalized.ToString();
    }

    /// <summary>GGUF general.base_model.N.{name, repo_url}; safetensors and ONNX metadata "base_model".</summary>
    private static IEnumerable<(string? Name, string? Url, string Where)> BaseModels(WeightHeader header)
    {
        if (header["general.base_model.count"] is { Kind: Headers.HeaderValueKind.Integer } count)
        {
            for (long i = 0; i < Math.Min(count.Integer, 64); i++)
            {
                string prefix = "general.base_model." + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                string? name = header[prefix + ".name"]?.Text;
                string? url = header[prefix + ".repo_url"]?.Text;
                if (name is not null || url is not null)
                {
                    yield return (name, url, prefix);
                }
            }
        }

        if (header.Format != "gguf" && header["base_model"]?.Text is { Length: > 0 } baseModel)
        {
            yield return (baseModel, null, "metadata base_model");
        }
    }

    private static bool Matches(Parent parent, string? name, string? url)
    {
        var candidates = new List<string?> { parent.Name.AsString(), parent.Manifest.Node?.Url.AsString() };
        if (parent.Identifiers.Value is { Kind: JsonValueKind.Object } identifiers)
        {
            candidates.AddRange(identifiers.Properties.Select(p => p.Value.AsString()));
        }

        foreach (var candidate in candidates.Where(c => c is not null))
        {
            string c = Normalize(candidate!);
            if ((name is not null && (c.EndsWith(Normalize(name), StringComparison.Ordinal) || Normalize(name).EndsWith(c, StringComparison.Ordinal)))
                || (url is not null && (c.Length > 0 && Normalize(url).EndsWith(c, StringComparison.Ordinal))))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>weights.conversion.tool.name (or a tool given as a string): free-form vendor data, read by hand.</summary>
    private static JsonValue? ConversionTool(LineageDocument document)
    {
        var conversion = document.Weights.Node?.Conversion.Value;
        var tool = conversion?.Properties.FirstOrDefault(p => p.Name == "tool")?.Value;
        if (tool?.Kind == JsonValueKind.String)
        {
            return tool;
        }

        return tool?.Properties.FirstOrDefault(p => p.Name == "name")?.Value is { Kind: JsonValueKind.String } name ? name : null;
    }
}
