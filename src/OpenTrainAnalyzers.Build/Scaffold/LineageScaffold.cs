using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using OpenTrain.Lineage;
using OpenTrain.Lineage.Headers;
using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;

namespace OpenTrainAnalyzers.Build.Scaffold;

/// <summary>One value the scaffold wrote, and where it comes from (printed by the command, one line each).</summary>
internal sealed class ScaffoldFact
{
    public ScaffoldFact(string path, string value, string source)
    {
        Path = path;
        Value = value;
        Source = source;
    }

    public string Path { get; }

    public string Value { get; }

    public string Source { get; }

    public override string ToString() => $"{Path} = {Value}  <- {Source}";
}

/// <summary>
/// Turns what a model folder establishes into a lineage manifest: the skeleton's fields, with each placeholder replaced
/// where a source says the value (model card front matter, config.json, weight headers, the files' own digests), and
/// each replacement recorded as a <see cref="ScaffoldFact"/>. Nothing is guessed: what no source establishes stays a
/// placeholder or absent, so the next build reports it exactly as it reports the code fix's skeleton.
/// </summary>
internal sealed class LineageScaffold
{

    // The Hub's base_model_relation values, which are the manifest's relation values too; "converted" is not one of the
    // Hub's, but a card that says it states the manifest's value unambiguously.
    private static readonly HashSet<string> Relations = new(StringComparer.Ordinal) { "finetune", "adapter", "merge", "quantized", "converted" };

    // Derivations in which nothing is trained: the level table accepts not-applicable data, processing,
    // hyperparameters, code and evaluation for them. A merge is one too, but what a merge did (its method and
    // weights) is the user's to state, so the scaffold leaves a merge's components open.
    private static readonly HashSet<string> UntrainedDerivations = new(StringComparer.Ordinal) { "quantized", "converted" };

    private readonly ModelFolder _folder;
    private readonly string _cardName;
    private readonly LineageSources _sources;

    // Set by Lineage: what established the derivation, and the parents it names (for justifications).
    private string _derivationSource = string.Empty;
    private readonly List<string> _parentNames = new();

    private LineageScaffold(ModelFolder folder, LineageSources sources)
    {
        _folder = folder;
        _sources = sources;
        _cardName = folder.Card is null ? "README.md" : ModelFolder.Relative(folder.ManifestDirectory, folder.Card.FilePath);
    }

    public List<ScaffoldFact> Facts { get; } = new();

    /// <summary>Elements left for a person to write (the build reports each); listed by the command.</summary>
    public List<string> LeftOpen { get; } = new();

    /// <param name="sources">Lineage sources where a named base model's reviewed manifest may be (docs/sharing-lineage.md).</param>
    public static (JsonValue Manifest, LineageScaffold Scaffold) Compose(ModelFolder folder, LineageSources? sources = null)
    {
        var scaffold = new LineageScaffold(folder, sources ?? LineageSources.None);
        return (scaffold.Build(), scaffold);
    }

    private CardNode? Card => _folder.Card?.Root;

    private JsonValue Build()
    {
        var main = _folder.ModelFiles.FirstOrDefault();
        var header = main?.Header is { IsComplete: true } complete ? complete : null;
        var (derivation, parents) = Lineage(header);

        var properties = new List<(string, JsonValue)>
        {
            (FieldNames.ManifestVersion, Text(LineageManifest.SupportedVersion)),
            (FieldNames.Model, Model(header, derivation)),
            (FieldNames.Weights, Weights(main, header, derivation)),
            (FieldNames.Lineage, derivation is null ? Object() : Object(parents.Count == 0
                ? new[] { (FieldNames.Derivation, Text(derivation)) }
                : new[] { (FieldNames.Derivation, Text(derivation)), (FieldNames.Parents, JsonValue.FromArray(parents.ToArray())) })),
            (FieldNames.Training, Training(header, derivation)),
        };

        if (_folder.Card is { } card)
        {
            string path = ModelFolder.Relative(_folder.ManifestDirectory, card.FilePath);
            properties.Add((FieldNames.Documentation, Object((FieldNames.ModelCard, Object(
                (FieldNames.Locations, JsonValue.FromArray(Object(
                    (FieldNames.Path, Text(path)),
                    (FieldNames.Digest, Object((FieldNames.Sha256, Text(card.Sha256))))))))))));
            Fact("$.documentation.modelCard.locations[0]", path + " (sha256 " + card.Sha256.Substring(0, 12) + "…)", "the model card file and its SHA-256");
        }

        // Printed in the manifest's order, whatever order the sources were read in.
        var order = new[] { "$.model", "$.weights", "$.lineage", "$.training", "$.documentation" };
        var sorted = Facts.OrderBy(f => Array.FindIndex(order, o => f.Path.StartsWith(o, StringComparison.Ordinal))).ToList();
        Facts.Clear();
        Facts.AddRange(sorted);
        var open = LeftOpen.OrderBy(p => Array.FindIndex(order, o => p.StartsWith(o, StringComparison.Ordinal))).ToList();
        LeftOpen.Clear();
        LeftOpen.AddRange(open);
        return Object(properties.ToArray());
    }

    private JsonValue Model(WeightHeader? header, string? derivation)
    {
        var model = new List<(string, JsonValue)>();

        string name = _folder.Name;
        string nameSource = "the " + (_folder.Files.Count == 1 && _folder.ManifestPath.EndsWith(Path.GetFileNameWithoutExtension(_folder.Files[0].FullPath) + ManifestSkeleton.Suffix, StringComparison.Ordinal) ? "file" : "folder") + "'s name";
        if (Card?.Get("model-index")?.Items.FirstOrDefault()?.Text("name") is { } indexName)
        {
            (name, nameSource) = (indexName, $"{_cardName} model-index[0].name");
        }
        else if (header?["general.name"]?.Text is { Length: > 0 } generalName)
        {
            (name, nameSource) = (generalName, $"{HeaderFile()} general.name");
        }
        else if (_folder.HubSnapshot is { } snapshot)
        {
            (name, nameSource) = (snapshot.Repository, "the Hugging Face cache folder's repository");
        }

        model.Add((FieldNames.Name, Text(name)));
        Fact("$.model.name", name, nameSource);

        string? version = header?["general.version"]?.Text ?? (header?.Format == "onnx" ? header["onnx.model_version"]?.Text : null);
        model.Add((FieldNames.Version, Text(Established("$.model.version", version, $"{HeaderFile()} {(header?.Format == "onnx" ? "model_version" : "general.version")}") ?? ManifestSkeleton.VersionTodo)));

        string? producer = null;
        string producerSource = string.Empty;
        if (derivation == "quantized" && (Card?.Text("quantized_by") ?? header?["general.quantized_by"]?.Text) is { Length: > 0 } quantizer)
        {
            producer = quantizer;
            producerSource = Card?.Text("quantized_by") is not null ? $"{_cardName} quantized_by (these weights are the quantization)" : $"{HeaderFile()} general.quantized_by (these weights are the quantization)";
        }
        else if (header?["general.organization"]?.Text is { Length: > 0 } organization)
        {
            (producer, producerSource) = (organization, $"{HeaderFile()} general.organization");
        }
        else if (_folder.HubSnapshot is { } snapshot)
        {
            (producer, producerSource) = (snapshot.Repository.Split('/')[0], "the owner of the Hugging Face repository");
        }

        model.Add((FieldNames.Producer, Object((FieldNames.Name, Text(Established("$.model.producer.name", producer, producerSource) ?? ManifestSkeleton.ProducerTodo)))));

        var license = License(header);
        model.Add((FieldNames.License, Text(license?.Expression ?? ManifestSkeleton.LicenseTodo)));
        if (license is null)
        {
            LeftOpen.Add("$.model.license");
        }
        else if (license.Url is { } url)
        {
            model.Add((FieldNames.LicenseUrl, Text(url)));
            Fact("$.model.licenseUrl", url, $"{_cardName} license_link");
        }

        string? task = Card?.Text("pipeline_tag");
        model.Add((FieldNames.Task, Text(Established("$.model.task", task, $"{_cardName} pipeline_tag") ?? ManifestSkeleton.TaskTodo)));

        var languages = Card?.Texts("language") ?? new List<(string, CardNode)>();
        if (languages.Count > 0)
        {
            model.Add((FieldNames.Languages, JsonValue.FromArray(languages.Select(l => Text(l.Text)).ToArray())));
            Fact("$.model.languages", string.Join(", ", languages.Select(l => l.Text)), $"{_cardName} language (line {languages[0].Node.Line})");
        }

        if (_folder.HubSnapshot is { } hub)
        {
            model.Add((FieldNames.Identifiers, Object(("huggingface", Text(hub.Repository)), ("huggingfaceRevision", Text(hub.Revision)))));
            Fact("$.model.identifiers", $"huggingface {hub.Repository} at {hub.Revision}", "the Hugging Face cache folder (models--…/snapshots/<revision>)");
        }

        return Object(model.ToArray());
    }

    private HubLicense? License(WeightHeader? header)
    {
        if (Card?.Get("license") is { Scalar: { } cardId } node)
        {
            var mapped = HubLicenses.Map(cardId, Card.Text("license_name"), Card.Text("license_link"));
            if (mapped is not null)
            {
                Fact("$.model.license", mapped.Expression, $"{_cardName} license: {cardId.Trim()} (line {node.Line}; {mapped.Why})");
                return mapped;
            }
        }

        foreach (var key in new[] { "general.license", "license" })
        {
            if (header?[key]?.Text is { Length: > 0 } headerId && HubLicenses.Map(headerId) is { } mapped)
            {
                Fact("$.model.license", mapped.Expression, $"{HeaderFile()} {key} '{headerId}' ({mapped.Why})");
                return mapped;
            }
        }

        return null;
    }

    private JsonValue Weights(FolderFile? main, WeightHeader? header, string? derivation)
    {
        var weights = new List<(string, JsonValue)>();
        var settings = new List<(string, JsonValue)>();
        string format = main?.Format ?? "other";
        weights.Add((FieldNames.Format, Text(format)));
        if (main is not null)
        {
            Fact("$.weights.format", format, $"{main.RelativePath}, recognised by {main.RecognisedBy}");
        }

        weights.Add((FieldNames.Files, JsonValue.FromArray(_folder.Files.Select(f => Object(
            (FieldNames.Path, Text(f.RelativePath)),
            (FieldNames.Sha256, Text(f.Sha256)),
            (FieldNames.Size, JsonValue.FromNumber(f.Size)),
            (FieldNames.Role, Text(f.Role)))).ToArray())));
        foreach (var file in _folder.Files)
        {
            Fact("$.weights.files", $"{file.RelativePath} ({file.Role}, {file.Size.ToString("N0", CultureInfo.InvariantCulture)} bytes)", $"the file, recognised by {file.RecognisedBy}; SHA-256 computed now");
        }

        if (header?.Format == "gguf" && header["general.file_type"] is { Kind: HeaderValueKind.Integer } fileType && GgufFileTypes.Names.TryGetValue(fileType.Integer, out var quantization))
        {
            weights.Add((FieldNames.Precision, Text(quantization.ToLowerInvariant())));
            Fact("$.weights.precision", quantization.ToLowerInvariant(), $"{HeaderFile()} general.file_type {fileType.Integer}");
            if (GgufFileTypes.IsQuantized(fileType.Integer))
            {
                settings.Add(("quantization", Text(quantization)));
                Fact("$.weights.conversion.settings.quantization", quantization, $"{HeaderFile()} general.file_type {fileType.Integer}");
                if (header["general.quantization_version"] is { Kind: HeaderValueKind.Integer } quantizationVersion)
                {
                    settings.Add(("quantizationVersion", JsonValue.FromNumber(quantizationVersion.Integer)));
                    Fact("$.weights.conversion.settings.quantizationVersion", quantizationVersion.Text!, $"{HeaderFile()} general.quantization_version");
                }
            }
        }
        else if (_folder.ModelFiles.Where(f => f.Header is { IsComplete: true, Format: "safetensors" }).ToList() is { Count: > 0 } tensors && tensors.Count == _folder.ModelFiles.Count())
        {
            var dtypes = tensors.SelectMany(f => f.Header!["safetensors.dtypes"]?.Items ?? Array.Empty<HeaderValue>()).Select(d => d.Text).Distinct().ToList();
            if (dtypes.Count == 1 && dtypes[0] is { } dtype)
            {
                weights.Add((FieldNames.Precision, Text(dtype.ToLowerInvariant())));
                Fact("$.weights.precision", dtype.ToLowerInvariant(), "the dtype of every tensor in the safetensors headers");
            }

            if (tensors.All(f => f.Header!.ParameterCount is not null))
            {
                long parameters = tensors.Sum(f => f.Header!.ParameterCount!.Value);
                weights.Add((FieldNames.ParameterCount, JsonValue.FromNumber(parameters)));
                Fact("$.weights.parameterCount", parameters.ToString("N0", CultureInfo.InvariantCulture), "the tensor shapes in the safetensors headers");
            }
        }

        var conversion = Conversion(header, derivation);
        if (settings.Count > 0)
        {
            conversion.Add(("settings", Object(settings.ToArray())));
        }

        if (conversion.Count > 0)
        {
            weights.Add((FieldNames.Conversion, Object(conversion.ToArray())));
        }

        return Object(weights.ToArray());
    }

    /// <summary>
    /// weights.conversion's from and tool for a quantization or conversion: the parent it was made from, and the tool
    /// the ONNX header names as its producer. GGUF and safetensors headers and the card name no tool, so it is left open.
    /// </summary>
    private List<(string, JsonValue)> Conversion(WeightHeader? header, string? derivation)
    {
        var conversion = new List<(string, JsonValue)>();
        if (derivation is null || !UntrainedDerivations.Contains(derivation))
        {
            return conversion;
        }

        // conversion.from is the format the weights were converted from (docs/manifest.md example 3: "safetensors"); the
        // parent is already in lineage.parents, and no file in the folder says the parent's format: left to the user.

        // The build compares every ONNX file's producer with the tool (OTL0208): a folder whose files were written by
        // different producers (a multimodal model's exported vision part beside the builder's decoder) names none.
        var producers = _folder.ModelFiles
            .Where(f => f.Header is { IsComplete: true, Format: "onnx" })
            .Select(f => f.Header!["onnx.producer_name"]?.Text?.Trim() ?? string.Empty)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (producers.Count > 1)
        {
            LeftOpen.Add($"$.weights.conversion.tool: the ONNX files name different producers ({string.Join(", ", producers.Select(p => p.Length == 0 ? "none" : p))}); say which tool produced these weights");
        }
        else if (header?.Format == "onnx" && header["onnx.producer_name"]?.Text is { Length: > 0 } producer)
        {
            var tool = new List<(string, JsonValue)> { (FieldNames.Name, Text(producer.Trim())) };
            Fact("$.weights.conversion.tool.name", producer.Trim(), $"{HeaderFile()} producer_name");
            if (header["onnx.producer_version"]?.Text is { Length: > 0 } producerVersion)
            {
                tool.Add((FieldNames.Version, Text(producerVersion.Trim())));
                Fact("$.weights.conversion.tool.version", producerVersion.Trim(), $"{HeaderFile()} producer_version");
            }
            else
            {
                LeftOpen.Add("$.weights.conversion.tool.version: the ONNX header names no producer_version");
            }

            conversion.Add((FieldNames.Tool, Object(tool.ToArray())));
        }
        else
        {
            LeftOpen.Add("$.weights.conversion.tool: the tool that produced these weights and its version (no source in the folder names them)");
        }

        return conversion;
    }

    /// <summary>derivation and one parent per base model (card base_model, GGUF general.base_model.N, metadata base_model).</summary>
    private (string? Derivation, List<JsonValue> Parents) Lineage(WeightHeader? header)
    {
        var bases = new List<(string Name, string? Url, string Source)>();
        foreach (var (text, node) in Card?.Texts("base_model") ?? new List<(string, CardNode)>())
        {
            bases.Add((text, "https://huggingface.co/" + text, $"{_cardName} base_model (line {node.Line})"));
        }

        if (header is not null)
        {
            long count = header["general.base_model.count"] is { Kind: HeaderValueKind.Integer } c ? Math.Min(c.Integer, 64) : 0;
            for (long i = 0; i < count; i++)
            {
                string prefix = "general.base_model." + i.ToString(CultureInfo.InvariantCulture);
                string? url = header[prefix + ".repo_url"]?.Text;
                string? repo = HubRepository(url);
                string? name = repo ?? header[prefix + ".name"]?.Text;
                if (name is not null && !bases.Any(b => SameModel(b.Name, b.Url, name, url)))
                {
                    bases.Add((name, url, $"{HeaderFile()} {prefix}"));
                }
            }

            if (header.Format != "gguf" && header["base_model"]?.Text is { Length: > 0 } metadataBase && !bases.Any(b => SameModel(b.Name, b.Url, metadataBase, null)))
            {
                bases.Add((metadataBase, "https://huggingface.co/" + metadataBase, $"{HeaderFile()} metadata base_model"));
            }
        }

        string? derivation = null;
        string derivationSource = string.Empty;
        bool quantizedGguf = header?.Format == "gguf" && header["general.file_type"] is { Kind: HeaderValueKind.Integer } fileType && GgufFileTypes.IsQuantized(fileType.Integer);
        if (Card?.Text("base_model_relation") is { } relation && Relations.Contains(relation))
        {
            (derivation, derivationSource) = (relation, $"{_cardName} base_model_relation");
            _derivationSource = $"{_cardName} base_model_relation: {relation}"; // the justifications quote the value too
        }
        else if (bases.Count > 0 && quantizedGguf)
        {
            (derivation, derivationSource) = ("quantized", $"{HeaderFile()} general.file_type {header!["general.file_type"]!.Integer} is a quantization");
        }
        else if (bases.Count > 0 && _folder.HasAdapterConfig)
        {
            (derivation, derivationSource) = ("adapter", "adapter_config.json in the folder (a PEFT adapter)");
        }

        if (derivation is null)
        {
            LeftOpen.Add("$.lineage.derivation");
            if (bases.Count > 0)
            {
                LeftOpen.Add("$.lineage.parents: " + string.Join(", ", bases.Select(b => b.Name)) + " (the sources do not say how this model derives from them)");
            }

            return (null, new List<JsonValue>());
        }

        Fact("$.lineage.derivation", derivation, derivationSource);
        _derivationSource = _derivationSource.Length > 0 ? _derivationSource : derivationSource;
        _parentNames.AddRange(bases.Select(b => b.Name));
        var parents = new List<JsonValue>();
        foreach (var (name, url, source) in bases)
        {
            var identifiers = new List<(string, JsonValue)>();
            if (HubRepository(url) is { } repository)
            {
                identifiers.Add(("huggingface", Text(repository)));
                if (HubRevision(url) is { } revision)
                {
                    identifiers.Add(("huggingfaceRevision", Text(revision)));
                }
            }

            if (url is not null)
            {
                identifiers.Add(("url", Text(url)));
            }

            string at = "$.lineage.parents[" + parents.Count.ToString(CultureInfo.InvariantCulture) + "]";
            var found = PinFromSources(at, name, Object(identifiers.ToArray()));
            if (found is { Identity: { HuggingFace: { } foundId, Revision: { } foundRevision } }
                && identifiers.Count > 0 && identifiers[0].Item1 == "huggingface" && !identifiers.Any(i => i.Item1 == "huggingfaceRevision")
                && string.Equals(identifiers[0].Item2.AsString(), foundId, StringComparison.OrdinalIgnoreCase))
            {
                // The card named the base model without a revision; the reviewed manifest the pin chooses states one.
                identifiers.Insert(1, ("huggingfaceRevision", Text(foundRevision)));
                Fact(at + ".identifiers.huggingfaceRevision", foundRevision, $"lineage source {found.Origin} (the manifest pinned below)");
            }

            var entry = new List<(string, JsonValue)> { (FieldNames.Name, Text(name)), (FieldNames.Relation, Text(derivation)), (FieldNames.Identifiers, Object(identifiers.ToArray())) };
            if (found is not null)
            {
                entry.Add((FieldNames.Manifest, Object((FieldNames.Sha256, Text(found.Sha256)))));
            }

            parents.Add(Object(entry.ToArray()));
            Fact(at, $"{name} ({derivation})", source);
        }

        return (derivation, parents);
    }

    /// <summary>
    /// The source manifest to pin as the parent's (<c>{ "sha256": … }</c>, found by identity at build time) when a lineage
    /// source holds exactly one manifest for its identity (and revision when the card pins one). Otherwise says what is
    /// left to do and returns null.
    /// </summary>
    private SourceManifest? PinFromSources(string at, string name, JsonValue identifiers)
    {
        var identity = LineageSources.IdentityOf(identifiers);
        var (matches, otherRevisions) = _sources.Find(identity);
        var distinct = LineageSources.DistinctContents(matches);
        if (distinct.Count == 1)
        {
            Fact(at + ".manifest.sha256", distinct[0].Sha256, $"lineage source {distinct[0].Origin} holds {name}'s manifest (review it: the pin says you did)");
            return distinct[0];
        }

        string searched = _sources.Searched.Count == 0
            ? "no lineage source is configured: add an OpenTrainLineageSource item or reference your organisation's lineage package (docs/sharing-lineage.md), or vendor the parent's manifest beside this one and pin it"
            : $"searched {string.Join("; ", _sources.Searched)}";
        LeftOpen.Add(distinct.Count > 1
            ? $"{at}.manifest: {distinct.Count} different source manifests describe {name} ({string.Join("; ", distinct.Select(d => d.Origin))}); pin the one you reviewed with its sha256"
            : $"{at}.manifest: {name}'s own lineage manifest ({identity}); {searched}"
                + (otherRevisions.Count == 0 ? string.Empty : $"; a source holds other revisions: {string.Join("; ", otherRevisions.Take(3).Select(m => m.Origin))}"));
        return null;
    }

    private JsonValue Training(WeightHeader? header, string? derivation)
    {
        // A derivation is only set when a source established it, so this never rests on a guess.
        bool untrained = derivation is not null && UntrainedDerivations.Contains(derivation);
        var training = new List<(string, JsonValue)>();
        var data = new List<(string, JsonValue)>();
        var trainingIds = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var datasets = Card?.Texts("datasets") ?? new List<(string, CardNode)>();
        string? calibration = untrained ? CalibrationEvidence(header) : null;
        string cardDatasets = datasets.Count == 0 ? string.Empty : $"the card names datasets ({string.Join(", ", datasets.Select(d => d.Text))}); {Noun(derivation)} trains on none, so they belong in the parent's manifest";
        if (untrained && calibration is null)
        {
            training.Add((FieldNames.Data, NotApplicable("$.training.data", derivation!,
                "no training happened in this step, so no training data was used; the parent's data is described in its manifest."
                + (datasets.Count == 0 ? string.Empty : $" The datasets the card names ({string.Join(", ", datasets.Select(d => d.Text))}) are the parent's.")
                + (derivation == "quantized" ? " No source in the folder names calibration data (an importance matrix, AWQ or GPTQ samples); if the quantizer used any, declare it here instead." : string.Empty),
                "uses no training data" + (datasets.Count == 0 ? string.Empty : $"; the card names datasets ({string.Join(", ", datasets.Select(d => d.Text))}), which are the parent's"))));
        }
        else if (untrained)
        {
            LeftOpen.Add($"$.training.data: {calibration} says the quantizer used calibration data, which is this model's data: declare it" + (cardDatasets.Length == 0 ? string.Empty : "; " + cardDatasets));
        }
        else if (datasets.Count > 0 && derivation is "quantized")
        {
            LeftOpen.Add("$.training.data: " + cardDatasets);
        }
        else if (datasets.Count > 0)
        {
            var items = new List<JsonValue>();
            foreach (var (hubId, node) in datasets)
            {
                string id = UniqueId(hubId, trainingIds.Values);
                trainingIds[hubId] = id;
                items.Add(Object(
                    (FieldNames.Id, Text(id)),
                    (FieldNames.Name, Text(hubId)),
                    (FieldNames.Locations, JsonValue.FromArray(Object((FieldNames.Url, Text(DatasetUrl(hubId))))))));
                Fact("$.training.data.datasets[" + (items.Count - 1).ToString(CultureInfo.InvariantCulture) + "]", $"{id}: {hubId}", $"{_cardName} datasets (line {node.Line})");
            }

            data.Add((FieldNames.Datasets, JsonValue.FromArray(items.ToArray())));
        }

        if (!untrained || calibration is not null)
        {
            training.Add((FieldNames.Data, Object(data.ToArray())));
        }

        if (!untrained)
        {
            training.Add((FieldNames.Processing, Object()));
            training.Add((FieldNames.Configuration, Object((FieldNames.Architecture, Architecture(header)), (FieldNames.Hyperparameters, Hyperparameters()))));
            training.Add((FieldNames.Code, Object()));
            training.Add((FieldNames.Evaluation, Evaluation(trainingIds)));
            LeftOpen.Add("$.training: the five components of training ($.training.data, processing, configuration, code, evaluation): availability, description and locations, as docs/manifest.md shows");
            return Object(training.ToArray());
        }

        // The architecture is the parent's, still there in these weights: it is filled as for any model, never
        // not-applicable (the level table refuses that). The other components do not exist for this step.
        training.Add((FieldNames.Processing, NotApplicable("$.training.processing", derivation!, "no data was processed.", "processes no data")));
        training.Add((FieldNames.Configuration, Object(
            (FieldNames.Architecture, Architecture(header)),
            (FieldNames.Hyperparameters, NotApplicable("$.training.configuration.hyperparameters", derivation!,
                "no training happened in this step, so there are no training hyperparameters; how the weights were produced belongs in weights.conversion.",
                "has no training hyperparameters")))));
        training.Add((FieldNames.Code, NotApplicable("$.training.code", derivation!,
            "no training happened in this step, so there is no training code; the tool that produced the weights belongs in weights.conversion.",
            "has no training code")));

        // Results the card publishes may have been measured on these weights: they are kept for the user to judge.
        // Only when the folder publishes none is the evaluation not-applicable (docs/manifest.md example 3).
        bool cardPublishesResults = (Card?.Get("model-index")?.Items ?? Array.Empty<CardNode>()).Any(entry => entry.Get("results")?.Items.Count > 0);
        if (cardPublishesResults)
        {
            training.Add((FieldNames.Evaluation, Evaluation(trainingIds)));
            LeftOpen.Add($"$.training.evaluation: {_cardName} publishes results; say whether they were measured on these weights (then describe the evaluation) or are the parent's (then make it not-applicable and leave them to the parent's manifest)");
        }
        else
        {
            string why = _folder.Card is null ? "the folder has no model card" : $"{_cardName} has no model-index results";
            training.Add((FieldNames.Evaluation, NotApplicable("$.training.evaluation", derivation!,
                $"nothing was trained in this step, and the folder publishes no evaluation of these weights ({why}); the parent's evaluation is in its manifest.",
                "publishes no evaluation of these weights: " + why)));
        }

        LeftOpen.Add("$.training.configuration.architecture: availability, description and locations of the code that defines the parent's architecture, as docs/manifest.md example 3 shows");
        return Object(training.ToArray());
    }

    /// <summary>
    /// A component that does not exist for a quantization or conversion: not-applicable, with a justification naming
    /// the source of the derivation and the parent, recorded as a fact.
    /// </summary>
    private JsonValue NotApplicable(string path, string derivation, string reason, string shortReason)
    {
        string parents = _parentNames.Count == 0 ? "its parent" : string.Join(" and ", _parentNames);
        string justification = $"These weights are {Noun(derivation)} of {parents} ({_derivationSource}): {reason}";
        Fact(path, "not-applicable", $"{_derivationSource}; {Noun(derivation)} of {parents} {shortReason}");
        return Object((FieldNames.Availability, Text("not-applicable")), (FieldNames.Justification, Text(justification)));
    }

    private static string Noun(string? derivation) => derivation == "converted" ? "a conversion" : "a quantization";

    // A key of config.json's quantization_config, not of the manifest (which has a field of the same name).
    private const string QuantizationDatasetKey = "dataset";

    /// <summary>Where a source says a quantizer calibrated on data (which is then this model's training data), else null.</summary>
    private string? CalibrationEvidence(WeightHeader? header)
    {
        // llama.cpp writes quantize.imatrix.* into a GGUF quantized with an importance matrix.
        if (header?["quantize.imatrix.dataset"]?.Text is { Length: > 0 } imatrixData)
        {
            return $"{HeaderFile()} quantize.imatrix.dataset '{imatrixData}'";
        }

        if (header?.Metadata.FirstOrDefault(m => m.Key.StartsWith("quantize.imatrix.", StringComparison.Ordinal)).Key is { } imatrixKey)
        {
            return $"{HeaderFile()} {imatrixKey}";
        }

        // transformers' quantization_config: GPTQ, AWQ, AQLM and AutoRound calibrate on samples; a named dataset says so for any method.
        if (_folder.Config?["quantization_config"] is { Kind: JsonValueKind.Object } quantization)
        {
            string configName = _folder.ConfigFile?.RelativePath ?? "config.json";
            if (quantization[QuantizationDatasetKey] is { Kind: not JsonValueKind.Null })
            {
                return $"{configName} quantization_config.dataset";
            }

            if (quantization["quant_method"]?.AsString() is { } method && method.ToLowerInvariant() is "gptq" or "awq" or "aqlm" or "autoround" or "auto-round")
            {
                return $"{configName} quantization_config.quant_method '{method}'";
            }
        }

        return null;
    }

    // genai_config.json's "model" object and its "type" (not the manifest's fields of those names).
    private const string GenAiModelKey = "model";
    private const string GenAiTypeKey = "type";

    private JsonValue Architecture(WeightHeader? header)
    {
        var architecture = new List<(string, JsonValue)>();
        var config = _folder.Config;
        string configName = _folder.ConfigFile?.RelativePath ?? "config.json";
        if (config?["model_type"]?.AsString() is { Length: > 0 } modelType)
        {
            architecture.Add((FieldNames.Family, Text(modelType)));
            Fact("$.training.configuration.architecture.family", modelType, $"{configName} model_type");
        }
        else if (_folder.GenAiConfig?[GenAiModelKey]?[GenAiTypeKey]?.AsString() is { Length: > 0 } genAiType)
        {
            // ONNX Runtime GenAI's model.type is the transformers model_type it was built from (phi3, llama, qwen2, ...).
            architecture.Add((FieldNames.Family, Text(genAiType)));
            Fact("$.training.configuration.architecture.family", genAiType, $"{_folder.GenAiConfigFile?.RelativePath ?? "genai_config.json"} model.type");
        }
        else if (header?["general.architecture"]?.Text is { Length: > 0 } ggufArchitecture)
        {
            architecture.Add((FieldNames.Family, Text(ggufArchitecture)));
            Fact("$.training.configuration.architecture.family", ggufArchitecture, $"{HeaderFile()} general.architecture");
        }

        if (config?["architectures"]?.Items.FirstOrDefault()?.AsString() is { Length: > 0 } className)
        {
            architecture.Add((FieldNames.Name, Text(className)));
            Fact("$.training.configuration.architecture.name", className, $"{configName} architectures[0]");
        }

        if (_folder.ConfigFile is { } file)
        {
            architecture.Add((FieldNames.Definition, Location(file)));
            Fact("$.training.configuration.architecture.definition", file.RelativePath, "the config file that defines the architecture, pinned by its SHA-256");
        }

        return Object(architecture.ToArray());
    }

    private JsonValue Hyperparameters()
    {
        if (_folder.Config is not { } config || _folder.ConfigFile is not { } file)
        {
            return Object();
        }

        // The values config.json states (sizes, dropout, initialisation, rope): scalars only, in the file's order.
        var values = config.Properties
            .Where(p => p.Value.Kind is JsonValueKind.Number or JsonValueKind.Boolean || (p.Value.Kind == JsonValueKind.String && !p.Name.StartsWith("_", StringComparison.Ordinal)))
            .Where(p => p.Name is not ("model_type" or "transformers_version"))
            .Select(p => (p.Name, p.Value))
            .ToArray();
        if (values.Length == 0)
        {
            return Object((FieldNames.ConfigFile, Location(file)));
        }

        Fact("$.training.configuration.hyperparameters.values", $"{values.Length} values ({string.Join(", ", values.Take(4).Select(v => v.Name))}{(values.Length > 4 ? ", …" : string.Empty)})", $"{file.RelativePath}");
        LeftOpen.Add("$.training.configuration.hyperparameters: the training run's own values (learning rate, batch size, epochs, seed) are not in config.json");
        return Object((FieldNames.Values, Object(values)), (FieldNames.ConfigFile, Location(file)));
    }

    private JsonValue Evaluation(Dictionary<string, string> trainingIds)
    {
        var metrics = new List<JsonValue>();
        var evaluationDatasets = new List<JsonValue>();
        var evaluationIds = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in Card?.Get("model-index")?.Items ?? Array.Empty<CardNode>())
        {
            foreach (var result in entry.Get("results")?.Items ?? Array.Empty<CardNode>())
            {
                var dataset = result.Get("dataset");
                string? hubId = dataset?.Text("type") ?? dataset?.Text("name");
                if (hubId is null)
                {
                    continue;
                }

                if (!trainingIds.TryGetValue(hubId, out var id) && !evaluationIds.TryGetValue(hubId, out id))
                {
                    id = UniqueId(hubId, trainingIds.Values.Concat(evaluationIds.Values));
                    evaluationIds[hubId] = id;
                    var location = new List<(string, JsonValue)> { (FieldNames.Url, Text(DatasetUrl(hubId))) };
                    if (dataset!.Text("revision") is { } revision)
                    {
                        location.Add((FieldNames.Revision, Text(revision)));
                    }

                    evaluationDatasets.Add(Object(
                        (FieldNames.Id, Text(id)),
                        (FieldNames.Name, Text(dataset.Text("name") ?? hubId)),
                        (FieldNames.Locations, JsonValue.FromArray(Object(location.ToArray())))));
                }
                else if (trainingIds.ContainsKey(hubId) && !evaluationIds.ContainsKey(hubId))
                {
                    evaluationIds[hubId] = id;
                    evaluationDatasets.Add(Object((FieldNames.Ref, Text(id))));
                }

                foreach (var metric in result.Get("metrics")?.Items ?? Array.Empty<CardNode>())
                {
                    string? type = metric.Text("type") ?? metric.Text("name");
                    if (type is null)
                    {
                        continue;
                    }

                    if (metric.Number("value") is not { } value)
                    {
                        LeftOpen.Add($"$.training.evaluation.metrics: {type} on {hubId} (line {metric.Line}) has no numeric value in the card");
                        continue;
                    }

                    var fields = new List<(string, JsonValue)> { (FieldNames.Dataset, Text(id)) };
                    if (dataset!.Text("split") is { } split)
                    {
                        fields.Add((FieldNames.Split, Text(split)));
                    }

                    fields.Add((FieldNames.Metric, Text(type)));
                    fields.Add((FieldNames.Value, JsonValue.FromNumber(value)));
                    if (result.Get("task")?.Text("type") is { } task)
                    {
                        fields.Add((FieldNames.Task, Text(task)));
                    }

                    if (dataset.Text("config") is { } config && config != "default")
                    {
                        fields.Add((FieldNames.Slice, Text(config)));
                    }

                    metrics.Add(Object(fields.ToArray()));
                    Fact("$.training.evaluation.metrics[" + (metrics.Count - 1).ToString(CultureInfo.InvariantCulture) + "]",
                        $"{type} = {value.ToString("R", CultureInfo.InvariantCulture)} on {hubId}{(dataset.Text("split") is { } s ? " (" + s + ")" : string.Empty)}",
                        $"{_cardName} model-index (line {metric.Line})");
                }
            }
        }

        if (metrics.Count == 0)
        {
            return Object();
        }

        return evaluationDatasets.Count == 0
            ? Object((FieldNames.Metrics, JsonValue.FromArray(metrics.ToArray())))
            : Object((FieldNames.Metrics, JsonValue.FromArray(metrics.ToArray())), (FieldNames.Datasets, JsonValue.FromArray(evaluationDatasets.ToArray())));
    }

    private JsonValue Location(FolderFile file) => Object(
        (FieldNames.Path, Text(file.RelativePath)),
        (FieldNames.Digest, Object((FieldNames.Sha256, Text(file.Sha256)))));

    private string HeaderFile() => _folder.ModelFiles.FirstOrDefault()?.RelativePath is { } path ? "the header of " + path : "the weight header";

    private string? Established(string path, string? value, string source)
    {
        if (value is null || value.Trim().Length == 0)
        {
            LeftOpen.Add(path);
            return null;
        }

        Fact(path, value.Trim(), source);
        return value.Trim();
    }

    private void Fact(string path, string value, string source) => Facts.Add(new ScaffoldFact(path, value, source));

    /// <summary>A dataset id ([a-z0-9][a-z0-9._-]*) from a Hub id: its last segment, made unique.</summary>
    private static string UniqueId(string hubId, IEnumerable<string> taken)
    {
        string last = hubId.Split('/').Last().ToLowerInvariant();
        var id = new System.Text.StringBuilder();
        foreach (char c in last)
        {
            id.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-' ? c : '-');
        }

        string stem = id.ToString().TrimStart('.', '_', '-');
        stem = stem.Length == 0 ? "dataset" : stem;
        string candidate = stem;
        var used = new HashSet<string>(taken, StringComparer.Ordinal);
        for (int n = 2; used.Contains(candidate); n++)
        {
            candidate = stem + "-" + n.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }

    private static string DatasetUrl(string hubId) => hubId.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? hubId : "https://huggingface.co/datasets/" + hubId;

    /// <summary>"org/name" from https://huggingface.co/org/name[/tree/rev...]; null for other URLs.</summary>
    private static string? HubRepository(string? url)
    {
        const string Hub = "https://huggingface.co/";
        if (url is null || !url.StartsWith(Hub, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var parts = url.Substring(Hub.Length).Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && parts[0] != "datasets" && parts[0] != "spaces" ? parts[0] + "/" + parts[1] : null;
    }

    /// <summary>A full commit in a Hub URL (…/tree/&lt;40 hex&gt;, …/commit/&lt;40 hex&gt;), else null.</summary>
    private static string? HubRevision(string? url)
    {
        var parts = url?.Split('/') ?? Array.Empty<string>();
        for (int i = 0; i + 1 < parts.Length; i++)
        {
            if (parts[i] is "tree" or "commit" or "blob" or "resolve" && parts[i + 1].Length == 40 && parts[i + 1].All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return parts[i + 1];
            }
        }

        return null;
    }

    private static bool SameModel(string name, string? url, string otherName, string? otherUrl) =>
        string.Equals(name, otherName, StringComparison.OrdinalIgnoreCase)
        || (url is not null && otherUrl is not null && string.Equals(HubRepository(url), HubRepository(otherUrl), StringComparison.OrdinalIgnoreCase))
        || (HubRepository(otherUrl) is { } repository && string.Equals(repository, name, StringComparison.OrdinalIgnoreCase));

    private static JsonValue Object(params (string Name, JsonValue Value)[] properties) => JsonValue.FromObject(properties);

    private static JsonValue Text(string text) => JsonValue.FromString(text);
}
