using System.Collections.Generic;
using System.Linq;
using OpenTrain.Lineage.Json;

namespace OpenTrain.Lineage;

/// <summary>A field of an object shape: its shape and what it means (the description editors show).</summary>
internal sealed class Field
{
    public Field(string name, Shape shape, string description)
    {
        Name = name;
        Shape = shape;
        Description = description;
    }

    public string Name { get; }

    public Shape Shape { get; }

    public string Description { get; }
}

/// <summary>
/// The structure of manifest v1: field names, value kinds, enumerations and a description of every field. It is the
/// one source of truth for both the reader (wrong types OTL0101, unknown fields OTL0104) and the published JSON Schema,
/// which a test regenerates from this table. Completeness per level is <see cref="CompletenessPolicy"/>'s job.
/// </summary>
internal sealed class Shape
{
    private Shape(JsonValueKind? kind, string? definition = null)
    {
        Kind = kind;
        Definition = definition;
    }

    public JsonValueKind? Kind { get; }

    /// <summary>Name under $defs for shapes used in several places (location, disclosure, ...).</summary>
    public string? Definition { get; }

    public IReadOnlyList<Field>? Fields { get; private set; }

    public Dictionary<string, Shape>? FieldShapes { get; private set; }

    public Shape? Item { get; private set; }

    public string[]? Allowed { get; private set; }

    public bool Integer { get; private set; }

    /// <summary>The class of the typed model (OpenTrain.Lineage.Model) generated for this object shape.</summary>
    public string? TypeName { get; private set; }

    /// <summary>The shape this one extends (<see cref="With"/>): its typed class derives from the base's.</summary>
    public Shape? Base { get; private set; }

    public static Shape Any { get; } = new Shape(null);

    public static Shape String { get; } = new Shape(JsonValueKind.String);

    public static Shape Number { get; } = new Shape(JsonValueKind.Number);

    public static Shape WholeNumber { get; } = new Shape(JsonValueKind.Number) { Integer = true };

    public static Shape Boolean { get; } = new Shape(JsonValueKind.Boolean);

    /// <summary>An object whose members are free-form (vendor data, settings, identifiers).</summary>
    public static Shape FreeObject { get; } = new Shape(JsonValueKind.Object);

    public static Shape Enum(params string[] values) => new Shape(JsonValueKind.String) { Allowed = values };

    public static Shape Array(Shape item) => new Shape(JsonValueKind.Array) { Item = item };

    public static Shape Object(params Field[] fields) => Object(null, fields);

    public static Shape Object(string? definition, params Field[] fields) =>
        new Shape(JsonValueKind.Object, definition) { Fields = fields, FieldShapes = fields.ToDictionary(f => f.Name, f => f.Shape), TypeName = Pascal(definition) };

    /// <summary>This object's fields plus <paramref name="more"/>, under a new $defs name.</summary>
    public Shape With(string definition, params Field[] more)
    {
        var extended = Object(definition, Fields!.Concat(more).ToArray());
        extended.Base = this;
        return extended;
    }

    /// <summary>Names the typed class of an object shape that has no $defs name.</summary>
    public Shape Named(string typeName)
    {
        TypeName = typeName;
        return this;
    }

    private static string? Pascal(string? name) => name is null ? null : char.ToUpperInvariant(name[0]) + name.Substring(1);
}

internal static class ManifestSchema
{
    public const string Id = "urn:opentrainanalyzers:schema:training-lineage:1.0";

    public static readonly string[] Availabilities = { "open", "restricted", "closed", "not-applicable" };

    private static Field F(string name, Shape shape, string description) => new Field(name, shape, description);

    public static readonly Shape Location = Shape.Object(
        "location",
        F("url", Shape.String, "An https URL where the item can be obtained."),
        F("path", Shape.String, "A file in this repository, relative to the manifest, with '/' separators; pinned by the repository's own revision."),
        F("revision", Shape.String, "An immutable revision that pins the URL: a full commit hash, a DOI, a versioned arXiv id or a package URL pkg:type/name@version."),
        F("digest", Shape.Object(F("sha256", Shape.String, "SHA-256 of the content at the URL, 64 lowercase hex digits.")).Named("Digest"), "The digest that pins the URL's content."),
        F("description", Shape.String, "What is at this location."));

    private static readonly Shape Party = Shape.Object(
        "party",
        F("name", Shape.String, "Name of the person or organisation."),
        F("email", Shape.String, "Contact e-mail address."),
        F("url", Shape.String, "Web page of the person or organisation."));

    private static readonly Shape Disclosure = Shape.Object(
        "disclosure",
        F("availability", Shape.Enum(Availabilities), "open: anyone can obtain it without asking; restricted: obtainable under conditions; closed: not obtainable (say why in justification); not-applicable: does not exist for this model."),
        F("locations", Shape.Array(Location), "Where it can be obtained. Required when open or restricted."),
        F("license", Shape.String, "SPDX licence expression of this component (no inheritance from the model's licence). Required when open."),
        F("licenseUrl", Shape.String, "URL of the licence text, for licences outside the SPDX list."),
        F("description", Shape.String, "What this component is, in at least a sentence. Required unless not-applicable."),
        F("accessConditions", Shape.String, "How a restricted component can be obtained (registration, fee, approval)."),
        F("justification", Shape.String, "Why a closed component cannot be published, or why a not-applicable one does not exist."));

    private static readonly Shape Labeling = Shape.Object(
        "labeling",
        F("method", Shape.Enum("human", "machine", "mixed", "none", "not-applicable"), "How labels were produced; none or not-applicable for unlabelled or self-supervised data."),
        F("criteria", Shape.String, "What decided each label. Required unless the method is none or not-applicable."),
        F("guidelines", Location, "The instructions given to annotators (open-science requires them for human or mixed labelling)."),
        F("workforce", Shape.String, "Who labelled the data and under what conditions."),
        F("annotationsPerItem", Shape.Number, "How many annotations each item received."),
        F("tools", Shape.Any, "Labelling tools used."));

    private static readonly Shape Source = Shape.Object(
        "source",
        F("name", Shape.String, "Name of the source the data came from."),
        F("url", Shape.String, "Where the source is published."),
        F("license", Shape.String, "SPDX licence expression of the source."),
        F("retrieved", Shape.String, "When the data was retrieved (RFC 3339 date)."),
        F("description", Shape.String, "What was taken from this source."));

    private static readonly Shape Dataset = Disclosure.With(
        "dataset",
        F("id", Shape.String, "Local key of the dataset ([a-z0-9][a-z0-9._-]*) that metrics, stages and references use."),
        F("ref", Shape.String, "In evaluation.datasets: the id of a training dataset used again for evaluation."),
        F("name", Shape.String, "Name of the dataset."),
        F("version", Shape.String, "Version of the dataset."),
        F("role", Shape.Enum("pretraining", "fine-tuning", "instruction-tuning", "preference", "validation", "test", "calibration", "other"), "What the dataset was used for."),
        F("sources", Shape.Array(Source), "Where the data came from (at least one named source)."),
        F("collection", Shape.String, "How the data was obtained and selected."),
        F("cleaning", Shape.String, "Filtering, deduplication, normalisation and harmful-content filtering applied."),
        F("labeling", Labeling, "How the data was labelled."),
        F("augmentation", Shape.String, "Augmentation applied to the data."),
        F("size", Shape.Object(
            F("bytes", Shape.Number, "Size in bytes."),
            F("records", Shape.Number, "Number of records."),
            F("tokens", Shape.Number, "Number of tokens.")).Named("DatasetSize"), "Size of the dataset."),
        F("personalData", Shape.Enum("yes", "no", "unknown"), "Whether the data contains personal data."),
        F("personalDataHandling", Shape.String, "How personal data was handled (anonymisation, consent)."),
        F("knownBiases", Shape.String, "Known biases of the data."),
        F("datasetType", Shape.Array(Shape.String), "SPDX 3 dataset types (text, image, audio, ...)."),
        F("dataCard", Location, "The dataset's data card."),
        F("croissant", Location, "The dataset's Croissant metadata."));

    private static readonly Shape Library = Shape.Object(
        "library",
        F("name", Shape.String, "Name of the framework or library."),
        F("version", Shape.String, "Exact version used."),
        F("license", Shape.String, "SPDX licence expression."),
        F("purl", Shape.String, "Package URL, e.g. pkg:pypi/torch@2.3.1."));

    private static readonly Shape Metric = Shape.Object(
        "metric",
        F("dataset", Shape.String, "Id of the dataset the metric was measured on."),
        F("split", Shape.String, "Split of the dataset (test, validation, ...)."),
        F("metric", Shape.String, "Name of the metric (accuracy, f1, ...)."),
        F("value", Shape.Number, "The measured value, as a number. When the number is only in a published document, leave it out and give the document in the evaluation's locations or in reportedIn (a warning, OTL0315)."),
        F("reportedIn", Location, "Where this result is published when it is not transcribed, e.g. { \"url\": ..., \"revision\": ..., \"description\": \"Table 3\" }."),
        F("task", Shape.String, "Task evaluated."),
        F("slice", Shape.String, "Subset of the data the value applies to."),
        F("confidenceInterval", Shape.Object(
            F("lower", Shape.Number, "Lower bound."),
            F("upper", Shape.Number, "Upper bound.")).Named("ConfidenceInterval"), "Confidence interval of the value."),
        F("date", Shape.String, "When it was measured (RFC 3339 date)."));

    private static readonly Shape Document = Disclosure.With(
        "document",
        F("coversData", Shape.Boolean, "On a model card: true when it also documents the training data (it then stands in for a data card)."));

    public static readonly Shape Root = Shape.Object(
        F("$schema", Shape.String, "The schema of this file: " + Id + " (or a URL of its JSON Schema)."),
        F("manifestVersion", Shape.String, "Version of the manifest format: \"1.0\"."),
        F("manifestId", Shape.String, "Stable id of this manifest, e.g. urn:uuid:..."),
        F("created", Shape.String, "When this manifest was written (RFC 3339 date-time)."),
        F("authors", Shape.Array(Party), "Who wrote the manifest (may differ from the model's producer)."),
        F("model", Shape.Object(
            F("name", Shape.String, "Name of the model."),
            F("version", Shape.String, "Version of the model."),
            F("releaseDate", Shape.String, "When the producer released this version (RFC 3339 date, e.g. 2023-09-27); exports use it as the release date."),
            F("producer", Party, "Who produced the model."),
            F("license", Shape.String, "SPDX licence expression of the final parameters."),
            F("licenseUrl", Shape.String, "URL of the licence text, for licences outside the SPDX list."),
            F("task", Shape.String, "What the model does, in Hugging Face pipeline_tag vocabulary (text-classification, ...)."),
            F("description", Shape.String, "What the model is."),
            F("approach", Shape.Enum("supervised", "unsupervised", "reinforcement-learning", "semi-supervised", "self-supervised"), "Learning approach (CycloneDX ML-BOM)."),
            F("inputs", Shape.Array(Shape.String), "Inputs the model takes."),
            F("outputs", Shape.Array(Shape.String), "Outputs the model produces."),
            F("languages", Shape.Array(Shape.String), "Languages (ISO 639)."),
            F("intendedUse", Shape.String, "What the model is meant to be used for."),
            F("limitations", Shape.String, "Known limitations."),
            F("identifiers", Shape.FreeObject, "Other ids: purl, huggingface, huggingfaceRevision, doi, motRecord, url.")).Named("ModelSection"), "Identity of the model."),
        F("weights", Shape.Object(
            F("format", Shape.Enum("onnx", "ort", "safetensors", "gguf", "pytorch", "torchscript", "tensorflow-savedmodel", "keras", "tflite", "coreml", "openvino", "mlnet", "other"), "Format of the weights."),
            F("files", Shape.Array(Shape.Object(
                "weightFile",
                F("path", Shape.String, "The file, relative to the manifest, '/' separators, inside the manifest's directory."),
                F("sha256", Shape.String, "SHA-256 of the file, 64 lowercase hex digits; the build checks it."),
                F("size", Shape.WholeNumber, "Size of the file in bytes; the build checks it."),
                F("role", Shape.Enum("model", "external-data", "adapter", "tokenizer", "vocabulary", "config", "other"), "What the runtime reads the file for."),
                F("mediaType", Shape.String, "Media type of the file."))), "Every file the runtime reads: model, ONNX external data, tokenizer, config."),
            F("rootDigest", Shape.Object(
                F("sha256", Shape.String, "SHA-256 over the concatenated file digests sorted by path (OpenSSF model-signing subject)."),
                F("method", Shape.Enum("sha256-of-concatenated-file-digests-sorted-by-path-segments"), "How the root digest is computed.")).Named("RootDigest"), "One digest for all files, comparable with an OpenSSF model signature."),
            F("signature", Shape.Object(
                F("path", Shape.String, "The OpenSSF Model Signing (OMS) signature file (a sigstore bundle, e.g. model.sig), relative to the manifest like weight paths; the build verifies it against OpenTrainTrustedSigner.")).Named("WeightsSignature"), "A producer's OpenSSF model signature over the weight files (docs/signed-weights.md)."),
            F("precision", Shape.String, "Numeric precision (fp32, int8, q4_k_m, ...)."),
            F("parameterCount", Shape.Number, "Number of parameters."),
            F("conversion", Shape.FreeObject, "How the weights were converted (from, tool {name, version}, settings, description).")).Named("WeightsSection"), "The weight files the runtime loads."),
        F("lineage", Shape.Object(
            F("derivation", Shape.Enum("from-scratch", "finetune", "adapter", "merge", "quantized", "distilled", "pruned", "converted"), "How the model was derived (pruned: parameters, layers or heads removed from a parent, usually with healing training)."),
            F("parents", Shape.Array(Shape.Object(
                "parent",
                F("name", Shape.String, "Name of the parent model (e.g. its Hugging Face id)."),
                F("relation", Shape.Enum("finetune", "adapter", "merge", "quantized", "distilled", "pruned", "converted", "frozen-component"), "How this model derives from the parent (frozen-component: a pre-trained part trained elsewhere and used unchanged, e.g. a text encoder)."),
                F("manifest", Shape.Object(
                    F("path", Shape.String, "The parent's lineage manifest, vendored next to this one (relative path, no '..'); without it, the manifest is found by the parent's identifiers in a lineage source."),
                    F("url", Shape.String, "Where the parent's manifest is published (informational: builds resolve parents offline)."),
                    F("sha256", Shape.String, "SHA-256 of the parent manifest file: the pin of the reviewed parent."),
                    F("assertedBy", Shape.Enum("producer", "third-party"), "Who wrote the parent's manifest.")).Named("ParentManifest"), "The parent's lineage manifest."),
                F("version", Shape.String, "Version of the parent."),
                F("identifiers", Shape.FreeObject, "Ids of the parent (huggingface + huggingfaceRevision, url, purl, doi, motRecord): when manifest has no path, a lineage source supplies the manifest whose own model.identifiers agree with them."),
                F("license", Shape.String, "SPDX licence expression of the parent's weights."),
                F("weightsRootDigest", Shape.String, "Must equal the parent manifest's weights.rootDigest.sha256."),
                F("claimedLevel", Shape.String, "Informational: the level the parent claims; the build computes it."))), "The models this one derives from (required unless from-scratch).")).Named("LineageSection"), "Where the model came from."),
        F("training", Shape.Object(
            F("data", Disclosure.With(
                "trainingData",
                F("datasets", Shape.Array(Dataset), "Each training dataset."),
                F("sources", Shape.Array(Source), "When the data is closed and not itemised: the kinds of sources."),
                F("collection", Shape.String, "When closed and not itemised: how the data was obtained and selected."),
                F("cleaning", Shape.String, "When closed and not itemised: how it was filtered and cleaned."),
                F("labeling", Labeling, "When closed and not itemised: how it was labelled.")), "Component 1: the training data."),
            F("processing", Disclosure.With(
                "processing",
                F("method", Shape.String, "What the pipeline does to the data."),
                F("steps", Shape.Array(Shape.Object(
                    F("name", Shape.String, "Step name."),
                    F("description", Shape.String, "What the step does."),
                    F("tool", Shape.String, "Tool used.")).Named("ProcessingStep")), "Steps of the pipeline."),
                F("inputs", Shape.Array(Shape.String), "Dataset ids read."),
                F("outputs", Shape.Array(Shape.String), "Dataset ids produced.")), "Component 2: the data processing pipeline (code and method)."),
            F("configuration", Shape.Object(
                F("architecture", Disclosure.With(
                    "architecture",
                    F("family", Shape.String, "Architecture family (transformer, cnn, linear, ...)."),
                    F("name", Shape.String, "Architecture name."),
                    F("parameterCount", Shape.Number, "Number of parameters."),
                    F("definition", Location, "The code or config that defines the architecture.")), "The model architecture (its code)."),
                F("hyperparameters", Disclosure.With(
                    "hyperparameters",
                    F("values", Shape.FreeObject, "The hyperparameter values of the final run."),
                    F("configFile", Location, "The configuration file of the final run."),
                    F("seed", Shape.Any, "Random seed(s)."),
                    F("selectionMethod", Shape.String, "How the values were chosen.")), "The training hyperparameters."),
                F("optimizerState", Disclosure, "The final optimizer state.")).Named("ConfigurationSection"), "Component 3: architecture and hyperparameters."),
            F("code", Disclosure.With(
                "trainingCode",
                F("framework", Shape.Array(Library), "Training framework(s), each with name and version."),
                F("supportingLibraries", Shape.Array(Library), "Other libraries used in training (tokenizers, ...)."),
                F("entryPoint", Shape.String, "How training is started."),
                F("stages", Shape.Array(Shape.Object(
                    F("name", Shape.String, "Stage name."),
                    F("objective", Shape.String, "Training objective of the stage."),
                    F("datasets", Shape.Array(Shape.String), "Dataset ids used in the stage.")).Named("TrainingStage")), "Training stages."),
                F("compute", Shape.FreeObject, "Compute used (hardware, acceleratorHours, energyKwh, co2eqTonnes, region).")), "Component 4: the training code and framework."),
            F("evaluation", Disclosure.With(
                "evaluation",
                F("metrics", Shape.Array(Metric), "Published results (at least one)."),
                F("code", Disclosure, "The evaluation code."),
                F("datasets", Shape.Array(Dataset), "Evaluation datasets (or {ref} to a training dataset).")), "Component 5: evaluation metrics, data and results."),
            F("checkpoints", Disclosure, "Intermediate checkpoints (MOF Class I).")).Named("TrainingSection"), "The five components of open training."),
        F("inference", Disclosure, "The inference code (MOF Class II)."),
        F("documentation", Shape.Object(
            F("modelCard", Document, "The model card."),
            F("dataCard", Document, "The data card."),
            F("technicalReport", Document, "A technical report."),
            F("researchPaper", Document, "A research paper (MOF Class I)."),
            F("sampleOutputs", Document, "Sample model outputs.")).Named("DocumentationSection"), "Documentation of the model and its data."),
        F("attestations", Shape.Array(Shape.Object(
            F("type", Shape.Enum("openssf-model-signing", "slsa-provenance", "in-toto", "other"), "Kind of attestation."),
            F("location", Location, "Where the attestation is."),
            F("predicateType", Shape.String, "in-toto predicate type."),
            F("identity", Shape.String, "Signer identity."),
            F("issuer", Shape.String, "Identity issuer.")).Named("Attestation")), "Signatures and provenance attestations of the weights."),
        F("extensions", Shape.FreeObject, "Vendor data; ignored by the checks.")).Named("LineageDocument");

    /// <summary>Reports wrong kinds, values outside an enumeration (OTL0101) and unknown fields (OTL0104).</summary>
    public static void Check(JsonValue value, Shape shape, List<LineageFinding> findings)
    {
        if (shape.Kind is null)
        {
            return;
        }

        if (value.Kind != shape.Kind.Value)
        {
            if (value.Kind != JsonValueKind.Null)
            {
                findings.Add(new LineageFinding(
                    LineageRules.WrongType,
                    $"'{value.Path}' must be {Describe(shape.Kind.Value)}, not {Describe(value.Kind)}.",
                    value.Path,
                    value.Range,
                    LineageLevel.Declared));
            }

            return;
        }

        if (shape.Allowed is not null && value.Text is not null && System.Array.IndexOf(shape.Allowed, value.Text) < 0)
        {
            findings.Add(new LineageFinding(
                LineageRules.WrongType,
                $"'{value.Path}' is '{value.Text}'; use one of: {string.Join(", ", shape.Allowed)}.",
                value.Path,
                value.Range,
                LineageLevel.Declared));
        }

        if (shape.Integer && value.Text is not null && !value.TryGetInt64(out _))
        {
            findings.Add(new LineageFinding(LineageRules.WrongType, $"'{value.Path}' must be a whole number.", value.Path, value.Range, LineageLevel.Declared));
        }

        if (shape.Item is not null)
        {
            foreach (var item in value.Items)
            {
                Check(item, shape.Item, findings);
            }
        }

        if (shape.FieldShapes is not null)
        {
            foreach (var property in value.Properties)
            {
                if (shape.FieldShapes.TryGetValue(property.Name, out var fieldShape))
                {
                    Check(property.Value, fieldShape, findings);
                }
                else
                {
                    findings.Add(new LineageFinding(
                        LineageRules.UnknownField,
                        $"Unknown field '{property.Value.Path}' is ignored; check its spelling, or move vendor data under 'extensions'.",
                        property.Value.Path,
                        property.NameRange,
                        LineageLevel.Declared));
                }
            }
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Boolean => "true or false",
        _ => "null",
    };
}
