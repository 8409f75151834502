using System;
using System.Collections.Generic;
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

    private static string Model(ExportSet set, ExportedModel model)
    {
        var document = model.Document;
        var identity = document.Model.Node;
        var training = document.Training.Node;
        var documentation = document.Documentation.Node;
        var yaml = new StringBuilder();
        yaml.Append("# Written by OpenTrainAnalyzers from ").Append(model.RelativePath).Append(" (openness level ").Append(model.EffectiveLevel.ToName()).Append(").\n");
        yaml.Append("framework:\n  name: 'Model Openness Framework'\n  version: '1.0'\n  date: '2024-12-15'\n");
        yaml.Append("release:\n");
        Line(yaml, 2, "name", model.Name);
        Line(yaml, 2, "version", model.Version ?? string.Empty);
        if (set.Timestamp is { } time)
        {
            Line(yaml, 2, "date", time.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }

        yaml.Append("  license:\n    distribution:\n");
        string? license = Licence(identity?.License.AsString());
        Line(yaml, 6, "name", license);
        Line(yaml, 6, "path", Web(identity?.LicenseUrl.AsString()));
        Line(yaml, 2, "type", TypeOf(identity?.Task.AsString()));
        Line(yaml, 2, "architecture", ArchitectureOf(training?.Configuration.Node?.Architecture.Node?.Family.AsString()));
        if (document.Lineage.Node?.Derivation.AsString() == "from-scratch")
        {
            Line(yaml, 2, "treatment", "pre-trained");
        }

        var parent = document.Lineage.Node?.Parents.Nodes.FirstOrDefault()?.Name.AsString();
        Line(yaml, 2, "origin", parent ?? string.Empty);
        var producer = identity?.Producer.Node;
        Line(yaml, 2, "producer", producer?.Name.AsString() ?? string.Empty);
        Line(yaml, 2, "contact", producer?.Email.AsString() ?? Web(producer?.Url.AsString()) ?? string.Empty);

        var components = new List<(string Name, string Description, Disclosure? Source, string? FallbackLicense)>
        {
            ("Datasets", "Training, validation and testing datasets used for the model", training?.Data.Node, null),
            ("Data preprocessing code", "Code for data cleansing, normalization, and augmentation", training?.Processing.Node, null),
            ("Model architecture", "Well commented code for the model's architecture", training?.Configuration.Node?.Architecture.Node, null),
            ("Model parameters (Final)", "Trained model parameters, weights and biases", null, license),
            ("Model metadata", "Any model metadata including training configuration and optimizer states", training?.Configuration.Node?.Hyperparameters.Node, null),
            ("Model parameters (Intermediate)", "Trained model parameters, weights and biases", training?.Checkpoints.Node, null),
            ("Training code", "Code used for training the model", training?.Code.Node, null),
            ("Inference code", "Code used for running the model to make predictions", document.Inference.Node, null),
            ("Evaluation code", "Code used for evaluating the model", training?.Evaluation.Node?.Code.Node, null),
            ("Evaluation data", "Data used for evaluating the model", EvaluationData(training), null),
            ("Evaluation results", "The results from evaluating the model", training?.Evaluation.Node, null),
            ("Model card", "Model details including performance metrics, intended use, and limitations", documentation?.ModelCard.Node, null),
            ("Data card", "Documentation for datasets including source, characteristics, and preprocessing details", documentation?.DataCard.Node, null),
            ("Technical report", "Technical report detailing capabilities and usage instructions for the model", documentation?.TechnicalReport.Node, null),
            ("Research paper", "Research paper detailing the development and capabilities of the model", documentation?.ResearchPaper.Node, null),
            ("Sample model outputs", "Examples of outputs generated by the model", documentation?.SampleOutputs.Node, null),
        };

        yaml.Append("  components:\n");
        foreach (var (name, description, source, fallback) in components)
        {
            string? componentLicense;
            string? path;
            string? licensePath = null;
            if (source is null)
            {
                // The final parameters: the weights themselves, under the model's licence.
                if (name != "Model parameters (Final)" || document.Weights.Node?.Files.Nodes.Count is null or 0)
                {
                    continue;
                }

                componentLicense = fallback ?? "unlicensed";
                path = document.Weights.Node.Files.Nodes[0].RelativePath;
                licensePath = Web(identity?.LicenseUrl.AsString());
            }
            else
            {
                if (source.Availability.AsString() != "open")
                {
                    continue; // closed, restricted, not-applicable: not an open component for MOT
                }

                componentLicense = Licence(source.License.AsString()) ?? "unlicensed";
                path = ExportSet.UrlLocations(source).FirstOrDefault()?.Url.AsString() ?? source.Locations.Nodes.FirstOrDefault()?.Path.AsString();
                licensePath = Web(source.LicenseUrl.AsString());
            }

            yaml.Append("    -\n");
            Line(yaml, 6, "name", name);
            Line(yaml, 6, "description", description);
            Line(yaml, 6, "license", componentLicense);
            if (licensePath is not null)
            {
                Line(yaml, 6, "license_path", licensePath);
            }

            if (path is not null)
            {
                Line(yaml, 6, "component_path", path);
            }
        }

        // Supporting libraries: open when every framework and library is named under an OSI-style licence the
        // manifest gives; MOT has no place for the list itself.
        var libraries = (training?.Code.Node?.Framework.Nodes ?? Array.Empty<Library>()).Concat(training?.Code.Node?.SupportingLibraries.Nodes ?? Array.Empty<Library>()).ToList();
        var licences = libraries.Select(l => Licence(l.License.AsString())).ToList();
        if (libraries.Count > 0 && licences.All(l => l is not null))
        {
            yaml.Append("    -\n");
            Line(yaml, 6, "name", "Supporting libraries and tools");
            Line(yaml, 6, "description", "Libraries and tools used in the model's development: " + string.Join(", ", libraries.Select(l => (l.Name.AsString() + " " + l.Version.AsString()).Trim())));
            Line(yaml, 6, "license", licences.Distinct().Count() == 1 ? licences[0] : string.Join(" AND ", licences.Distinct().Select(l => l!.Contains(" ") ? "(" + l + ")" : l)));
        }

        return yaml.ToString();
    }

    /// <summary>The evaluation datasets as one component: open when every one of them is.</summary>
    private static Disclosure? EvaluationData(TrainingSection? training)
    {
        var own = training?.Evaluation.Node?.Datasets.Nodes.Where(d => d.Ref.Value is null).ToList();
        return own is { Count: 1 } ? own[0] : null;
    }

    private static string? Licence(string? license) =>
        license is not null && LicenseExpressions.Classify(license) != LicenseForm.NoAssertion ? license.Trim() : null;

    private static string? Web(string? url) => ExportSet.IsWebUrl(url) ? url : null;

    private static string TypeOf(string? task)
    {
        if (task is null)
        {
            return string.Empty;
        }

        string t = task.ToLowerInvariant();
        if (t.Contains("video"))
        {
            return "video";
        }

        if (t.Contains("audio") || t.Contains("speech"))
        {
            return "audio";
        }

        if (t.Contains("image") || t.Contains("object-detection") || t.Contains("vision") || t.Contains("depth"))
        {
            return "vision";
        }

        if (t.Contains("text") || t.Contains("token") || t.Contains("translation") || t.Contains("summarization") || t.Contains("question") || t.Contains("fill-mask") || t.Contains("sentence"))
        {
            return "language";
        }

        return "other";
    }

    private static string ArchitectureOf(string? family) => family?.ToLowerInvariant() switch
    {
        null => string.Empty,
        "transformer" => "transformer",
        "transformer decoder" or "decoder-only transformer" => "transformer decoder",
        "transformer encoder-decoder" or "encoder-decoder transformer" => "transformer encoder-decoder",
        "decoder" => "decoder",
        "encoder" => "encoder",
        "diffusion" => "diffusion",
        "rnn" => "RNN",
        "cnn" => "CNN",
        "lstm" => "LSTM",
        "nerf" => "NeRF",
        "hybrid" => "hybrid",
        _ => "other",
    };

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
