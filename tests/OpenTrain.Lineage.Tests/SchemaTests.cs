using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using LineageKind = OpenTrain.Lineage.Json.JsonValueKind;

namespace OpenTrain.Lineage.Tests;

/// <summary>
/// The JSON Schema in docs/schema is generated from the reader's own structure table (ManifestSchema), so the schema
/// editors use and the reader the build uses cannot drift apart. It is validated with a real validator.
/// </summary>
public class SchemaTests
{
    private static readonly string SchemaPath = Path.Combine(
        typeof(SchemaTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!,
        "docs", "schema", "training-lineage-1.0.schema.json");

    [Fact]
    public void The_published_schema_is_the_one_generated_from_the_reader()
    {
        string generated = SchemaGenerator.Generate();
        if (Environment.GetEnvironmentVariable("OPENTRAIN_UPDATE_SCHEMA") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(SchemaPath)!);
            File.WriteAllText(SchemaPath, generated);
        }

        Assert.True(File.Exists(SchemaPath), "Missing " + SchemaPath + "; run: OPENTRAIN_UPDATE_SCHEMA=1 dotnet test tests/OpenTrain.Lineage.Tests --filter SchemaTests");
        Assert.True(
            File.ReadAllText(SchemaPath) == generated,
            "docs/schema is out of date with ManifestSchema.cs; run: OPENTRAIN_UPDATE_SCHEMA=1 dotnet test tests/OpenTrain.Lineage.Tests --filter SchemaTests");
    }

    [Fact]
    public void Every_field_has_a_description()
    {
        var schema = JsonNode.Parse(SchemaGenerator.Generate())!;
        var undescribed = new List<string>();
        Walk(schema, "$", undescribed);

        Assert.Empty(undescribed);
    }

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures"), "*.lineage.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(AppContext.BaseDirectory, file));
        }

        // The demo's real manifest too: what README's first command validates must also be schema-valid.
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Path.GetDirectoryName(SchemaPath)!, "..", "..", "samples"), "*.lineage.json", SearchOption.AllDirectories))
        {
            data.Add(Path.GetFullPath(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Every_fixture_is_valid_for_the_schema_and_the_reader_alike(string fixture)
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, fixture));
        var manifest = LineageManifest.Read(text);
        using var document = JsonDocument.Parse(text);
        var result = Schema().Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(result.IsValid, fixture + ": " + string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => d.InstanceLocation + " " + e.Value))));
        Assert.DoesNotContain(manifest.Findings, f => f.Severity == FindingSeverity.Error);
    }

    [Theory]
    [InlineData("\"size\": 12", "\"size\": \"12\"")]
    [InlineData("\"size\": 12", "\"size\": 12.5")]
    [InlineData("\"role\": \"fine-tuning\"", "\"role\": \"training\"")]
    [InlineData("\"availability\": \"open\"", "\"availability\": \"public\"")]
    [InlineData("\"task\": \"text-classification\"", "\"task\": \"text-classification\", \"taks\": 1")]
    [InlineData("\"derivation\": \"from-scratch\"", "\"derivation\": [\"from-scratch\"]")]
    public void Schema_and_reader_reject_the_same_structural_mistakes(string find, string replace)
    {
        string text = Fixture.With(find, replace);
        var manifest = LineageManifest.Read(text);
        using var document = JsonDocument.Parse(text);
        var result = Schema().Evaluate(document.RootElement);

        Assert.False(result.IsValid);
        Assert.Contains(manifest.Findings, f => f.Id is "OTL0101" or "OTL0104");
    }

    // Built once: the validator's global registry refuses a second schema with the same $id.
    private static readonly Lazy<JsonSchema> Compiled = new(() => JsonSchema.FromText(SchemaGenerator.Generate()));

    private static JsonSchema Schema() => Compiled.Value;

    private static void Walk(JsonNode node, string path, List<string> undescribed)
    {
        if (node is not JsonObject obj)
        {
            return;
        }

        if (obj["properties"] is JsonObject properties)
        {
            foreach (var (name, value) in properties)
            {
                if (value is JsonObject field && field["description"] is null && field["$ref"] is null)
                {
                    undescribed.Add(path + "." + name);
                }
            }
        }

        foreach (var (name, value) in obj)
        {
            if (value is not null)
            {
                Walk(value, path + "/" + name, undescribed);
            }
        }
    }
}

/// <summary>Writes ManifestSchema as JSON Schema draft 2020-12 (shared shapes under $defs).</summary>
internal static class SchemaGenerator
{
    public static string Generate()
    {
        var definitions = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        var root = Write(ManifestSchema.Root, definitions, inline: true);
        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = ManifestSchema.Id,
            ["title"] = "OpenTrainAnalyzers training-lineage manifest 1.0",
            ["description"] = "How a model came to be: its weight files (bound by SHA-256), its parents, and the five components of open training (data, processing, architecture and hyperparameters, training code, evaluation) with their availability and licences. Completeness per level (declared, open-weights, open-tooling, open-science) is checked by the OpenTrainAnalyzers build task; this schema checks structure. Generated from ManifestSchema.cs: do not edit by hand.",
        };
        foreach (var (name, value) in root)
        {
            schema[name] = value?.DeepClone();
        }

        schema["required"] = new JsonArray("manifestVersion", "model", "weights", "lineage", "training");
        var defs = new JsonObject();
        foreach (var (name, value) in definitions)
        {
            defs[name] = value;
        }

        schema["$defs"] = defs;
        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).Replace("\r\n", "\n") + "\n";
    }

    private static JsonObject Write(Shape shape, SortedDictionary<string, JsonObject> definitions, bool inline = false)
    {
        if (!inline && shape.Definition is { } name)
        {
            if (!definitions.ContainsKey(name))
            {
                definitions[name] = new JsonObject(); // placeholder first: shapes may refer to each other
                definitions[name] = Write(shape, definitions, inline: true);
            }

            return new JsonObject { ["$ref"] = "#/$defs/" + name };
        }

        var node = new JsonObject();
        switch (shape.Kind)
        {
            case null:
                break;
            case LineageKind.Object:
                node["type"] = "object";
                if (shape.Fields is { } fields)
                {
                    var properties = new JsonObject();
                    foreach (var field in fields)
                    {
                        var written = Write(field.Shape, definitions);
                        if (written["$ref"] is not null)
                        {
                            written = new JsonObject { ["$ref"] = written["$ref"]!.DeepClone(), ["description"] = field.Description };
                        }
                        else
                        {
                            written["description"] = field.Description;
                        }

                        properties[field.Name] = written;
                    }

                    node["properties"] = properties;
                    node["additionalProperties"] = false;
                }

                break;
            case LineageKind.Array:
                node["type"] = "array";
                node["items"] = Write(shape.Item!, definitions);
                break;
            case LineageKind.String:
                node["type"] = "string";
                if (shape.Allowed is { } allowed)
                {
                    node["enum"] = new JsonArray(allowed.Select(a => (JsonNode)System.Text.Json.Nodes.JsonValue.Create(a)!).ToArray());
                }

                break;
            case LineageKind.Number:
                node["type"] = shape.Integer ? "integer" : "number";
                break;
            case LineageKind.Boolean:
                node["type"] = "boolean";
                break;
        }

        return node;
    }
}
