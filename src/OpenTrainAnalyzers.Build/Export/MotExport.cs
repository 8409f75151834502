using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using OpenTrain.Lineage;
using OpenTrain.Lineage.Model;

namespace OpenTrainAnalyzers.Build.Export;

/// <summary>
/// The LF AI Model Openness Tool's model YAML (lfai/model_openness_tool schema/mof_schema.json), one file per model: the
/// release and the 17 MOF components as the manifest establishes them. MOT reads a listed component as included, with
/// its own licence or, when the licence is omitted, the release's; so only components the manifest marks open are
/// listed (with "unlicensed" when no licence is given), and closed, restricted, not-applicable or absent ones are left
/// out: MOT then counts them as not available, which is what they are. Mapping: docs/exports.md.
/// </summary>
internal static class MotExport
{
    /// <summary>File name (without directory) and YAML text per model, in the order of the set.</summary>
    public static List<(string FileName, string Yaml)> Write(ExportSet set)
    {
        var files = new List<(string, string)>();
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var model in set.Models)
        {
            string stem = FileStem(model.Name);
            string fileName = stem + ".yml";
            for (int i = 2; !used.Add(fileName); i++)
            {
                fileName = stem + "-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".yml";
            }

            files.Add((fileName, Model(set, model)));
        }

        return files;
    }

    /// <summary>MOT's component order (mof.settings.yml); the YAML lists the included ones in this order.</summary>
    private static readonly string[] MotOrder =
    {
        "Datasets", "Data preprocessing code", "Model architecture", "Model parameters (Final)", "Model metadata", "Model parameters (Intermediate)",
        "Training code", "Inference code", "Evaluation code", "Evaluation data", "Evaluation results", "Model card", "Data card", "Technical report",
        "Research paper", "Sample model outputs", "Supporting libraries and tools",
    };

    private sealed class MotComponent
    {
        public MotComponent(string name, string description, string license, string? licensePath, string? path)
        {
            Name = name;
            Description = description;
            License = license;
            LicensePath = licensePath;
            Path = path;
        }

        public string Name { get; }

        public string Description { get; }

        public string License { get; }

        public string? LicensePath { get; }

        public string? Path { get; }
    }

    private static string Model(ExportSet set, ExportedModel model)
    {
        var document = model.Document;
        var identity = document.Model.Node;
        var training = document.Training.Node;
        var yaml = new StringBuilder();
        yaml.Append("# Written by OpenTrainAnalyzers from ").Append(model.RelativePath).Append(" (openness level ").Append(model.EffectiveLevel.ToName()).Append(").\n");
        yaml.Append("framework:\n  name: 'Model Openness Framework'\n  version: '1.0'\n  date: '2024-12-15'\n");
        yaml.Append("release:\n");
        Line(yaml, 2, "name", model.Name);
        Line(yaml, 2, "version", model.Version ?? string.Empty);
        if (ReleaseDate(identity?.ReleaseDate.AsString()) is { } date)
        {
            Line(yaml, 2, "date", date); // the producer's release, never the manifest's own date
        }

        yaml.Append("  license:\n    distribution:\n");
        string? license = Licence(identity?.License.AsString(), ContentKind.Data);
        Line(yaml, 6, "name", license);
        Line(yaml, 6, "path", Web(identity?.LicenseUrl.AsString()));
        Line(yaml, 2, "type", TypeOf(identity));
        Line(yaml, 2, "architecture", ArchitectureOf(training?.Configuration.Node?.Architecture.Node));
        if (TreatmentOf(document, model.Parents) is { } treatment)
        {
            Line(yaml, 2, "treatment", treatment);
        }

        // The model it derives from: a frozen component (a text encoder used unchanged) is a part, not the origin.
        var parent = document.Lineage.Node?.Parents.Nodes.FirstOrDefault(p => !p.IsFrozenComponent)?.Name.AsString();
        Line(yaml, 2, "origin", parent ?? string.Empty);
        var producer = identity?.Producer.Node;
        Line(yaml, 2, "producer", producer?.Name.AsString() ?? string.Empty);
        Line(yaml, 2, "contact", producer?.Email.AsString() ?? Web(producer?.Url.AsString()) ?? string.Empty);

        var components = new List<MotComponent>();
        foreach (var row in ComponentMap.Rows.Where(r => r.MotName is not null && r.Key != "dataCard"))
        {
            // MOT reads a listed component as included: only what the manifest marks open is listed.
            if (row.Select(document) is { } node && node.Availability.AsString() == "open")
            {
                components.Add(new MotComponent(row.MotName!, row.MotDescription, Licence(node.License.AsString(), row.Kind) ?? "unlicensed", Web(node.LicenseUrl.AsString()), PathOf(node.Locations.Nodes)));
            }
        }

        if (document.Weights.Node?.Files.Nodes.Count is > 0)
        {
            // The final parameters: the weights themselves, under the model's licence.
            components.Add(new MotComponent("Model parameters (Final)", "Trained model parameters, weights and biases", license ?? "unlicensed", Web(identity?.LicenseUrl.AsString()),
                document.Weights.Node.Files.Nodes[0].RelativePath));
        }

        if (DataCard(document) is { } dataCard)
        {
            components.Add(dataCard);
        }

        if (EvaluationData(model) is { } evaluationData)
        {
            components.Add(evaluationData);
        }

        if (SupportingLibraries(document) is { } libraries)
        {
            components.Add(libraries);
        }

        yaml.Append("  components:\n");
        foreach (var component in components.OrderBy(c => Array.IndexOf(MotOrder, c.Name)))
        {
            yaml.Append("    -\n");
            Line(yaml, 6, "name", component.Name);
            Line(yaml, 6, "description", component.Description);
            Line(yaml, 6, "license", component.License);
            if (component.LicensePath is not null)
            {
                Line(yaml, 6, "license_path", component.LicensePath);
            }

            if (component.Path is not null)
            {
                Line(yaml, 6, "component_path", component.Path);
            }
        }

        return yaml.ToString();
    }

    /// <summary>
    /// The data card in every form the gate accepts: documentation.dataCard; else a model card that covers the data
    /// (modelCard.coversData); else the cards of the training datasets when every one has one (no licence of their own
    /// in the manifest: 'unlicensed').
    /// </summary>
    private static MotComponent? DataCard(LineageDocument document)
    {
        const string Description = "Documentation for datasets including source, characteristics, and preprocessing details";
        var documentation = document.Documentation.Node;
        if (documentation?.DataCard.Node is { } card)
        {
            return card.Availability.AsString() == "open"
                ? new MotComponent("Data card", Description, Licence(card.License.AsString(), ContentKind.Document) ?? "unlicensed", Web(card.LicenseUrl.AsString()), PathOf(card.Locations.Nodes))
                : null;
        }

        if (documentation?.ModelCard.Node is { } modelCard && modelCard.CoversData.IsTrue && modelCard.Availability.AsString() == "open")
        {
            return new MotComponent("Data card", Description + " (the model card documents the data)", Licence(modelCard.License.AsString(), ContentKind.Document) ?? "unlicensed",
                Web(modelCard.LicenseUrl.AsString()), PathOf(modelCard.Locations.Nodes));
        }

        var datasets = document.Training.Node?.Data.Node?.Datasets.Nodes ?? Array.Empty<Dataset>();
        if (datasets.Count > 0 && datasets.All(d => d.DataCard.Node is not null))
        {
            return new MotComponent("Data card", Description + " (one card per dataset)", "unlicensed", null, PathOf(datasets.Select(d => d.DataCard.Node!).ToList()));
        }

        return null;
    }

    /// <summary>
    /// The evaluation data as one component when every evaluation dataset is open: the evaluation datasets, a reference
    /// to a training dataset and a training dataset a metric was measured on counting as that dataset; its one licence
    /// by <see cref="Licence"/>'s rule over all of theirs.
    /// </summary>
    private static MotComponent? EvaluationData(ExportedModel model)
    {
        var training = model.Document.Training.Node;
        var byId = (training?.Data.Node?.Datasets.Nodes ?? Array.Empty<Dataset>()).Where(d => d.Id.AsString() is not null).GroupBy(d => d.Id.AsString()!).ToDictionary(g => g.Key, g => g.First());
        var datasets = new List<Dataset>();

        // A metric measured on a training dataset's id (its test split) names evaluation data too.
        foreach (var id in (training?.Evaluation.Node?.Metrics.Nodes ?? Array.Empty<Metric>()).Select(m => m.Dataset.AsString()).Where(id => id is not null).Distinct())
        {
            if (byId.TryGetValue(id!, out var measured))
            {
                datasets.Add(measured);
            }
            else if (!(training?.Evaluation.Node?.Datasets.Nodes ?? Array.Empty<Dataset>()).Any(d => d.Id.AsString() == id || d.Ref.AsString() == id))
            {
                return null; // measured on data the manifest does not describe: MOT cannot be told it is open
            }
        }

        foreach (var entry in training?.Evaluation.Node?.Datasets.Nodes ?? Array.Empty<Dataset>())
        {
            if (entry.Ref.AsString() is { } reference)
            {
                if (!byId.TryGetValue(reference, out var referenced))
                {
                    return null;
                }

                datasets.Add(referenced);
            }
            else
            {
                datasets.Add(entry);
            }
        }

        datasets = datasets.Distinct().ToList();
        if (datasets.Count == 0 || datasets.Any(d => d.Availability.AsString() != "open"))
        {
            return null;
        }

        string joined = string.Join(" AND ", datasets.Select(d => d.License.AsString()).Where(l => l is not null).Distinct().Select(l => l!.Contains(" ") ? "(" + l + ")" : l));
        return new MotComponent("Evaluation data", "Data used for evaluating the model", datasets.Any(d => d.License.AsString() is null) ? "unlicensed" : Licence(joined, ContentKind.Data) ?? "unlicensed",
            null, PathOf(datasets.SelectMany(d => d.Locations.Nodes).ToList()));
    }

    /// <summary>Supporting libraries: listed when every framework and library names its licence; one licence for all of them.</summary>
    private static MotComponent? SupportingLibraries(LineageDocument document)
    {
        var libraries = ComponentMap.Libraries(document).Select(l => l.Library).ToList();
        var licences = libraries.Select(l => l.License.AsString()).ToList();
        if (libraries.Count == 0 || licences.Any(l => l is null || LicenseExpressions.Classify(l) != LicenseForm.Expression))
        {
            return null;
        }

        // The libraries are used together: MOT is given the licence of theirs it would rate lowest (see Licence).
        string joined = string.Join(" AND ", licences.Distinct().Select(l => l!.Contains(" ") ? "(" + l + ")" : l));
        return new MotComponent("Supporting libraries and tools", "Libraries and tools used in the model's development: " + string.Join(", ", libraries.Select(l => (l.Name.AsString() + " " + l.Version.AsString()).Trim())),
            Licence(joined, ContentKind.Code)!, null, null);
    }

    // MOT's type-appropriate licences per content type (web/modules/mof/mof-licenses.json, as read for the project's research).
    private static readonly Dictionary<ContentKind, HashSet<string>> TypeAppropriate = new()
    {
        [ContentKind.Code] = new(StringComparer.OrdinalIgnoreCase)
        {
            "0BSD", "AFL-1.1", "AFL-1.2", "AFL-2.0", "AFL-2.1", "AFL-3.0", "Apache-1.0", "Apache-1.1", "Apache-2.0", "ECL-1.0", "ECL-2.0", "ISC", "MIT", "MIT-0",
            "MulanPSL-1.0", "MulanPSL-2.0", "NCSA", "UPL-1.0",
        },
        [ContentKind.Data] = new(StringComparer.OrdinalIgnoreCase) { "CDLA-Permissive-1.0", "CDLA-Permissive-2.0", "C-UDA-1.0", "CC-PDDC", "CC0-1.0", "PDDL-1.0", "OpenMDW-1.0" },
        [ContentKind.Document] = new(StringComparer.OrdinalIgnoreCase) { "Apache-2.0", "CC-BY-4.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0", "FreeBSD-DOC", "CC-PDDC", "CC0-1.0", "OpenMDW-1.0" },
    };

    /// <summary>
    /// One licence per component, as MOT reads it (an identifier, not an expression). A single identifier is itself.
    /// For 'A OR B' the recipient may choose: the first alternative MOT finds type-appropriate, else the first. For any
    /// expression with AND (or WITH) every part applies: the first part MOT would not find type-appropriate, else the
    /// first, so that MOT never rates a component above its most restrictive licence. NOASSERTION and NONE: null.
    /// </summary>
    internal static string? Licence(string? license, ContentKind kind)
    {
        if (license is null || LicenseExpressions.Classify(license) == LicenseForm.NoAssertion)
        {
            return null;
        }

        string trimmed = license.Trim();
        var tokens = trimmed.Replace("(", " ").Replace(")", " ").Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 1 || LicenseExpressions.Classify(trimmed) != LicenseForm.Expression)
        {
            return trimmed;
        }

        var parts = new List<string>();
        for (int i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] is "AND" or "OR")
            {
                continue;
            }

            if (tokens[i] == "WITH" && parts.Count > 0 && i + 1 < tokens.Length)
            {
                parts[parts.Count - 1] += " WITH " + tokens[++i]; // an exception belongs to its licence
                continue;
            }

            parts.Add(tokens[i]);
        }

        bool appropriate(string id) => !id.Contains(" WITH ") && TypeAppropriate[kind].Contains(id);
        bool allAlternatives = !tokens.Contains("AND");
        return allAlternatives ? parts.FirstOrDefault(appropriate) ?? parts[0] : parts.FirstOrDefault(p => !appropriate(p)) ?? parts[0];
    }

    private static string? PathOf(IReadOnlyList<Location> locations) =>
        locations.Select(l => l.Url.AsString()).FirstOrDefault(ExportSet.IsWebUrl) ?? locations.Select(l => l.Path.AsString()).FirstOrDefault(p => p is not null);

    private static string? ReleaseDate(string? date) =>
        date is not null && DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : null;

    private static string? Web(string? url) => ExportSet.IsWebUrl(url) ? url : null;

    private static readonly (string Modality, string[] Words)[] Modalities =
    {
        ("text", new[] { "text", "token", "translation", "summarization", "question", "fill-mask", "sentence", "conversational", "language" }),
        ("image", new[] { "image", "vision", "object-detection", "depth", "segmentation", "visual" }),
        ("video", new[] { "video" }),
        ("audio", new[] { "audio", "speech", "voice" }),
        ("3d", new[] { "3d", "mesh", "point-cloud" }),
        ("code", new[] { "code" }),
    };

    /// <summary>
    /// MOT's release type from the task (Hub pipeline_tag vocabulary) and the declared inputs and outputs: code when the
    /// task is about code; multimodal when they name more than one of text, image, video and audio (image-text-to-text,
    /// visual question answering, captioning); else the one modality (images as vision when read, image when made).
    /// </summary>
    private static string TypeOf(ModelSection? identity)
    {
        var words = new[] { identity?.Task.AsString() }
            .Concat((identity?.Inputs.Items ?? Array.Empty<OpenTrain.Lineage.Json.JsonValue>()).Concat(identity?.Outputs.Items ?? Array.Empty<OpenTrain.Lineage.Json.JsonValue>()).Select(i => i.AsString()))
            .Where(w => w is not null).Select(w => w!.ToLowerInvariant()).ToList();
        if (words.Count == 0)
        {
            return string.Empty;
        }

        var found = Modalities.Where(m => words.Any(w => m.Words.Any(w.Contains))).Select(m => m.Modality).ToList();
        if (found.Contains("code"))
        {
            return "code";
        }

        if (found.Contains("3d"))
        {
            return "3d";
        }

        var media = found.Where(m => m is "text" or "image" or "video" or "audio").ToList();
        if (media.Count > 1)
        {
            // A task that only names the direction ("text-to-speech", "text-to-image") produces one medium.
            string? task = identity?.Task.AsString()?.ToLowerInvariant();
            if (task is not null && task.StartsWith("text-to-", StringComparison.Ordinal) && media.Count == 2)
            {
                return media.First(m => m != "text");
            }

            return "multimodal";
        }

        return media.Count == 1 ? media[0] switch { "text" => "language", "image" => "vision", var other => other } : "other";
    }

    /// <summary>
    /// MOT's architecture from the manifest's family and architecture name: transformer variants by the words that name
    /// them (decoder/causal/GPT-style, encoder/BERT-style, encoder-decoder/seq2seq), then diffusion, RNN, LSTM, CNN,
    /// NeRF, hybrid; anything else is 'other'.
    /// </summary>
    private static string ArchitectureOf(Architecture? architecture)
    {
        string? family = architecture?.Family.AsString();
        if (family is null)
        {
            return string.Empty;
        }

        string text = (family + " " + architecture!.Name.AsString()).ToLowerInvariant();
        bool Has(params string[] words) => words.Any(text.Contains);
        if (Has("diffusion", "unet2d"))
        {
            return "diffusion";
        }

        if (Has("nerf", "neural radiance"))
        {
            return "NeRF";
        }

        if (Has("hybrid"))
        {
            return "hybrid";
        }

        bool transformer = Has("transformer", "attention", "gpt", "bert", "llama", "mistral", "neox", "olmo", "t5", "bart", "qwen", "gemma", "falcon", "bloom");
        if (Has("encoder-decoder", "seq2seq", "t5", "bart") && transformer)
        {
            return "transformer encoder-decoder";
        }

        if (transformer && Has("decoder", "causal", "gpt", "llama", "mistral", "neox", "olmo", "qwen", "gemma", "falcon", "bloom"))
        {
            return "transformer decoder";
        }

        if (Has("lstm"))
        {
            return "LSTM";
        }

        if (Has("rnn", "recurrent", "gru"))
        {
            return "RNN";
        }

        if (Has("cnn", "convolution", "resnet", "efficientnet", "yolo", "vgg"))
        {
            return "CNN";
        }

        if (Has("encoder"))
        {
            return "encoder";
        }

        if (Has("decoder"))
        {
            return "decoder";
        }

        return transformer ? "transformer" : "other";
    }

    /// <summary>
    /// MOT's treatment: pre-trained for a model trained from scratch; for a fine-tune or adapter, chat fine-tuned when it
    /// was trained on preference data or is named a chat model, instruct fine-tuned when trained on instruction data or
    /// named an instruct model; a quantised or converted model keeps its parent's treatment. MOT has no value for a task
    /// fine-tune (a classifier head), a merge or a distillation: left out.
    /// </summary>
    private static string? TreatmentOf(LineageDocument document, IReadOnlyList<ResolvedParent> parents)
    {
        switch (document.Lineage.Node?.Derivation.AsString())
        {
            case "from-scratch":
                return "pre-trained";
            case "finetune":
            case "adapter":
                var roles = (document.Training.Node?.Data.Node?.Datasets.Nodes ?? Array.Empty<Dataset>()).Select(d => d.Role.AsString()).ToList();
                string name = (document.Model.Node?.Name.AsString() ?? string.Empty).ToLowerInvariant();
                if (roles.Contains("preference") || name.Contains("chat"))
                {
                    return "chat fine-tuned";
                }

                return roles.Contains("instruction-tuning") || name.Contains("instruct") ? "instruct fine-tuned" : null;
            case "quantized":
            case "converted":
                var bases = parents.Where(p => !p.Entry.IsFrozenComponent).ToList();
                return bases.Count == 1 && bases[0].Manifest?.Document is { } parent ? TreatmentOf(parent, bases[0].Parents) : null;
            default:
                return null;
        }
    }

    private static string FileStem(string name)
    {
        var stem = new string(name.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-').ToArray()).Trim('-', '.');
        return stem.Length == 0 ? "model" : stem;
    }

    /// <summary>A YAML line; strings are double-quoted with JSON escapes (a subset of YAML's), null is written empty.</summary>
    private static void Line(StringBuilder yaml, int indent, string key, string? value)
    {
        yaml.Append(' ', indent).Append(key).Append(':');
        if (value is not null)
        {
            yaml.Append(' ').Append('"');
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    yaml.Append(c).Append(value[++i]); // a pair is one character, written as UTF-8
                    continue;
                }

                switch (c)
                {
                    case '"':
                        yaml.Append("\\\"");
                        break;
                    case '\\':
                        yaml.Append("\\\\");
                        break;
                    case '\n':
                        yaml.Append("\\n");
                        break;
                    case '\t':
                        yaml.Append("\\t");
                        break;
                    default:
                        if (char.IsSurrogate(c))
                        {
                            yaml.Append("\\ufffd"); // a lone surrogate is not a character; YAML cannot carry it
                        }
                        else if (c < ' ' || c == '\u0085' || c == '\u2028' || c == '\u2029')
                        {
                            yaml.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            yaml.Append(c);
                        }

                        break;
                }
            }

            yaml.Append('"');
        }

        yaml.Append('\n');
    }
}
