using System.Collections.Generic;
using System.Linq;
using OpenTrain.Lineage.Json;

namespace OpenTrain.Lineage;

/// <summary>
/// The structure of manifest v1: field names, value kinds and enumerations. Structure only — completeness per level
/// is <see cref="CompletenessPolicy"/>'s job. Unknown fields are warnings so newer manifests still build.
/// </summary>
internal sealed class Shape
{
    private Shape(JsonValueKind? kind)
    {
        Kind = kind;
    }

    public JsonValueKind? Kind { get; }

    public Dictionary<string, Shape>? Fields { get; private set; }

    public Shape? Item { get; private set; }

    public string[]? Allowed { get; private set; }

    public static Shape Any { get; } = new Shape(null);

    public static Shape String { get; } = new Shape(JsonValueKind.String);

    public static Shape Number { get; } = new Shape(JsonValueKind.Number);

    public static Shape Boolean { get; } = new Shape(JsonValueKind.Boolean);

    public static Shape FreeObject { get; } = new Shape(JsonValueKind.Object);

    public static Shape Enum(params string[] values) => new Shape(JsonValueKind.String) { Allowed = values };

    public static Shape Array(Shape item) => new Shape(JsonValueKind.Array) { Item = item };

    public static Shape Object(params (string Name, Shape Shape)[] fields) =>
        new Shape(JsonValueKind.Object) { Fields = fields.ToDictionary(f => f.Name, f => f.Shape) };

    public Shape With(params (string Name, Shape Shape)[] more)
    {
        var fields = new Dictionary<string, Shape>(Fields!);
        foreach (var (name, shape) in more)
        {
            fields[name] = shape;
        }

        return new Shape(Kind) { Fields = fields };
    }
}

internal static class ManifestSchema
{
    public static readonly string[] Availabilities = { "open", "restricted", "closed", "not-applicable" };

    private static readonly Shape Digest = Shape.Object(("sha256", Shape.String));

    public static readonly Shape Location = Shape.Object(
        ("url", Shape.String), ("path", Shape.String), ("revision", Shape.String), ("digest", Digest), ("description", Shape.String));

    private static readonly Shape Party = Shape.Object(("name", Shape.String), ("email", Shape.String), ("url", Shape.String));

    private static readonly Shape Disclosure = Shape.Object(
        ("availability", Shape.Enum(Availabilities)),
        ("locations", Shape.Array(Location)),
        ("license", Shape.String),
        ("licenseUrl", Shape.String),
        ("description", Shape.String),
        ("accessConditions", Shape.String),
        ("justification", Shape.String));

    private static readonly Shape Labeling = Shape.Object(
        ("method", Shape.Enum("human", "machine", "mixed", "none", "not-applicable")),
        ("criteria", Shape.String),
        ("guidelines", Location),
        ("workforce", Shape.String),
        ("annotationsPerItem", Shape.Number),
        ("tools", Shape.Any));

    private static readonly Shape Source = Shape.Object(
        ("name", Shape.String), ("url", Shape.String), ("license", Shape.String), ("retrieved", Shape.String), ("description", Shape.String));

    private static readonly Shape Dataset = Disclosure.With(
        ("id", Shape.String),
        ("ref", Shape.String),
        ("name", Shape.String),
        ("version", Shape.String),
        ("role", Shape.Enum("pretraining", "fine-tuning", "instruction-tuning", "preference", "validation", "test", "calibration", "other")),
        ("sources", Shape.Array(Source)),
        ("collection", Shape.String),
        ("cleaning", Shape.String),
        ("labeling", Labeling),
        ("augmentation", Shape.String),
        ("size", Shape.Object(("bytes", Shape.Number), ("records", Shape.Number), ("tokens", Shape.Number))),
        ("personalData", Shape.Enum("yes", "no", "unknown")),
        ("personalDataHandling", Shape.String),
        ("knownBiases", Shape.String),
        ("datasetType", Shape.Array(Shape.String)),
        ("dataCard", Location),
        ("croissant", Location));

    private static readonly Shape Library = Shape.Object(("name", Shape.String), ("version", Shape.String), ("license", Shape.String), ("purl", Shape.String));

    private static readonly Shape Metric = Shape.Object(
        ("dataset", Shape.String), ("split", Shape.String), ("metric", Shape.String), ("value", Shape.Any), ("task", Shape.String),
        ("slice", Shape.String), ("confidenceInterval", Shape.Object(("lower", Shape.Number), ("upper", Shape.Number))), ("date", Shape.String));

    private static readonly Shape Document = Disclosure.With(("coversData", Shape.Boolean));

    public static readonly Shape Root = Shape.Object(
        ("$schema", Shape.String),
        ("manifestVersion", Shape.String),
        ("manifestId", Shape.String),
        ("created", Shape.String),
        ("authors", Shape.Array(Party)),
        ("model", Shape.Object(
            ("name", Shape.String), ("version", Shape.String), ("producer", Party), ("license", Shape.String), ("licenseUrl", Shape.String),
            ("task", Shape.String), ("description", Shape.String),
            ("approach", Shape.Enum("supervised", "unsupervised", "reinforcement-learning", "semi-supervised", "self-supervised")),
            ("inputs", Shape.Array(Shape.String)), ("outputs", Shape.Array(Shape.String)), ("languages", Shape.Array(Shape.String)),
            ("intendedUse", Shape.String), ("limitations", Shape.String),
            ("identifiers", Shape.FreeObject))),
        ("weights", Shape.Object(
            ("format", Shape.Enum("onnx", "ort", "safetensors", "gguf", "pytorch", "torchscript", "tensorflow-savedmodel", "keras", "tflite", "coreml", "openvino", "mlnet", "other")),
            ("files", Shape.Array(Shape.Object(
                ("path", Shape.String), ("sha256", Shape.String), ("size", Shape.Number),
                ("role", Shape.Enum("model", "external-data", "adapter", "tokenizer", "vocabulary", "config", "other")),
                ("mediaType", Shape.String)))),
            ("rootDigest", Shape.Object(("sha256", Shape.String), ("method", Shape.Enum("sha256-of-concatenated-file-digests-sorted-by-path-segments")))),
            ("precision", Shape.String),
            ("parameterCount", Shape.Number),
            ("conversion", Shape.FreeObject))),
        ("lineage", Shape.Object(
            ("derivation", Shape.Enum("from-scratch", "finetune", "adapter", "merge", "quantized", "distilled", "converted")),
            ("parents", Shape.Array(Shape.Object(
                ("name", Shape.String),
                ("relation", Shape.Enum("finetune", "adapter", "merge", "quantized", "distilled", "converted")),
                ("manifest", Shape.Object(("path", Shape.String), ("url", Shape.String), ("sha256", Shape.String), ("assertedBy", Shape.Enum("producer", "third-party")))),
                ("version", Shape.String), ("identifiers", Shape.FreeObject), ("license", Shape.String),
                ("weightsRootDigest", Shape.String), ("claimedLevel", Shape.String)))))),
        ("training", Shape.Object(
            ("data", Disclosure.With(
                ("datasets", Shape.Array(Dataset)), ("sources", Shape.Array(Source)), ("collection", Shape.String),
                ("cleaning", Shape.String), ("labeling", Labeling))),
            ("processing", Disclosure.With(
                ("method", Shape.String),
                ("steps", Shape.Array(Shape.Object(("name", Shape.String), ("description", Shape.String), ("tool", Shape.String)))),
                ("inputs", Shape.Array(Shape.String)), ("outputs", Shape.Array(Shape.String)))),
            ("configuration", Shape.Object(
                ("architecture", Disclosure.With(("family", Shape.String), ("name", Shape.String), ("parameterCount", Shape.Number), ("definition", Location))),
                ("hyperparameters", Disclosure.With(("values", Shape.FreeObject), ("configFile", Location), ("seed", Shape.Any), ("selectionMethod", Shape.String))),
                ("optimizerState", Disclosure))),
            ("code", Disclosure.With(
                ("framework", Shape.Array(Library)), ("supportingLibraries", Shape.Array(Library)), ("entryPoint", Shape.String),
                ("stages", Shape.Array(Shape.Object(("name", Shape.String), ("objective", Shape.String), ("datasets", Shape.Array(Shape.String))))),
                ("compute", Shape.FreeObject))),
            ("evaluation", Disclosure.With(
                ("metrics", Shape.Array(Metric)), ("code", Disclosure), ("datasets", Shape.Array(Dataset)))),
            ("checkpoints", Disclosure))),
        ("inference", Disclosure),
        ("documentation", Shape.Object(
            ("modelCard", Document), ("dataCard", Document), ("technicalReport", Document), ("researchPaper", Document), ("sampleOutputs", Document))),
        ("attestations", Shape.Array(Shape.Object(
            ("type", Shape.Enum("openssf-model-signing", "slsa-provenance", "in-toto", "other")), ("location", Location),
            ("predicateType", Shape.String), ("identity", Shape.String), ("issuer", Shape.String)))),
        ("extensions", Shape.FreeObject));

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

        if (shape.Item is not null)
        {
            foreach (var item in value.Items)
            {
                Check(item, shape.Item, findings);
            }
        }

        if (shape.Fields is not null)
        {
            foreach (var property in value.Properties)
            {
                if (shape.Fields.TryGetValue(property.Name, out var fieldShape))
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
