using System.Reflection;
using System.Text.Json.Nodes;
using OpenTrain.Lineage;
using OpenTrainAnalyzers.Build.Export;
using OpenTrainAnalyzers.Build.Findings;

namespace OpenTrainAnalyzers.Build.Tests;

/// <summary>
/// The component map is the exporters' one list of manifest components: every disclosure object of the format (read from
/// the published JSON Schema, which the structure table generates) must have a row, so a component added to the format
/// fails here until all three exports know what it becomes. And a parent is written once, even when its manifest is
/// one of the exported models.
/// </summary>
public sealed class ComponentMapTests
{
    private static readonly string RepoRoot = typeof(ComponentMapTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
    private static readonly string Real = Path.Combine(RepoRoot, "tests", "OpenTrain.Lineage.Tests", "Fixtures", "real");

    [Fact]
    public void Every_disclosure_object_of_the_format_has_a_row_in_the_map()
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoRoot, "docs", "schema", "training-lineage-1.0.schema.json")))!;
        var paths = DisclosurePaths(schema, schema, new List<string>()).ToList();
        Assert.True(paths.Count >= 10, "the schema walk found too few disclosure objects: " + string.Join(", ", paths));

        // One manifest with every disclosure object present, each with its own marker description.
        var root = new JsonObject { ["manifestVersion"] = "1.0" };
        foreach (var path in paths)
        {
            JsonObject owner = root;
            foreach (var segment in path.Split('.').SkipLast(1))
            {
                owner = (owner[segment] as JsonObject) ?? (JsonObject)(owner[segment] = new JsonObject());
            }

            owner[path.Split('.').Last()] = new JsonObject { ["availability"] = "closed", ["description"] = "marker " + path, ["justification"] = "why " + path };
        }

        var document = LineageManifest.Read(root.ToJsonString()).Document!;
        var mapped = ComponentMap.Of(document).Select(m => m.Node.Description.AsString()).ToList();

        Assert.All(paths, p => Assert.Contains("marker " + p, mapped));
        Assert.Equal(paths.Count, mapped.Count);
    }

    [Fact]
    public void A_parent_whose_manifest_is_an_exported_model_is_written_once()
    {
        var models = new[] { "mistral-7b-v0.1-gguf.lineage.json", "mistral-7b-v0.1.lineage.json" }.Select(name =>
        {
            string path = Path.Combine(Real, name);
            var manifest = LineageManifest.Read(File.ReadAllBytes(path));
            var chain = LineageChain.Resolve(path, manifest, LineageLevel.Declared, p => File.Exists(p) ? ManifestFile.Of(File.ReadAllBytes(p)) : ManifestFile.Missing("not found"));
            return new ExportedModel(name, manifest, LineageLevel.Declared, chain.EffectiveLevel, chain.Parents, weightsVerified: false, Array.Empty<Suppression>());
        }).ToList();
        var set = new ExportSet("ParentOnce", "1.0.0", LineageLevel.Declared, "1767225600", models, "test");
        Assert.Single(models[0].Parents);

        var bom = JsonNode.Parse(CycloneDxExport.Write(set))!;
        var modelsAndParents = bom["components"]!.AsArray().Select(c => (string)c!["bom-ref"]!).Where(r => r.StartsWith("model:", StringComparison.Ordinal) || r.StartsWith("parent:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, modelsAndParents.Count); // the two models, no third stand-in for the parent
        var childDependencies = bom["dependencies"]!.AsArray().Single(d => (string?)d!["ref"] == "model:mistral-7b-v0.1-gguf.lineage.json")!["dependsOn"]!.AsArray().Select(r => (string?)r).ToList();
        Assert.Contains("model:mistral-7b-v0.1.lineage.json", childDependencies);
        var pin = models[0].Parents[0].Entry.Manifest.Node!.Sha256.AsString()!;
        Assert.Contains(bom["components"]![0]!["properties"]!.AsArray(), p => (string?)p!["name"] == "opentrain:parent" && ((string?)p["value"])!.Contains(pin, StringComparison.Ordinal));

        var graph = JsonNode.Parse(SpdxExport.Write(set))!["@graph"]!.AsArray();
        var packages = graph.Where(e => (string?)e!["type"] == "ai_AIPackage").ToList();
        Assert.Equal(2, packages.Count);
        string parentId = (string)packages.Single(p => (string?)p!["name"] == "Mistral-7B-v0.1")!["spdxId"]!;
        string childId = (string)packages.Single(p => (string?)p!["name"] != "Mistral-7B-v0.1")!["spdxId"]!;
        var ancestry = Assert.Single(graph, e => (string?)e!["relationshipType"] == "ancestorOf")!;
        Assert.Equal(parentId, (string?)ancestry["from"]);
        Assert.Equal(childId, (string?)ancestry["to"]![0]);
        var metadata = Assert.Single(graph, e => (string?)e!["relationshipType"] == "hasMetadata")!;
        var manifestFile = graph.Single(e => (string?)e!["spdxId"] == (string?)metadata["to"]![0])!;
        Assert.Equal(pin, (string?)manifestFile["verifiedUsing"]![0]!["hashValue"]);
    }

    [Fact]
    public void A_training_and_an_evaluation_dataset_of_one_id_are_two_elements_with_distinct_references()
    {
        const string Manifest = """
            { "manifestVersion": "1.0", "model": { "name": "m" },
              "training": {
                "data": { "availability": "open", "datasets": [ { "id": "d", "name": "train", "availability": "open" } ] },
                "evaluation": { "availability": "open", "datasets": [ { "id": "d", "name": "eval", "availability": "open" }, { "ref": "missing" } ] } } }
            """;
        var model = new ExportedModel("m.lineage.json", LineageManifest.Read(Manifest), LineageLevel.None, LineageLevel.None, Array.Empty<ResolvedParent>(), weightsVerified: false, Array.Empty<Suppression>());
        var set = new ExportSet("Ids", null, LineageLevel.Declared, "1767225600", new[] { model }, "test");

        var references = JsonNode.Parse(CycloneDxExport.Write(set))!["components"]!.AsArray().Select(c => (string)c!["bom-ref"]!).ToList();
        var graph = JsonNode.Parse(SpdxExport.Write(set))!["@graph"]!.AsArray();
        var ids = graph.Select(e => (string?)e!["spdxId"]).Where(i => i is not null).ToList();

        Assert.Equal(references.Count, references.Distinct().Count());
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(2, graph.Count(e => (string?)e!["type"] == "dataset_DatasetPackage" && (string?)e["name"] is "train" or "eval"));
        var known = ids.ToHashSet();
        Assert.All(graph.Where(e => (string?)e!["type"] == "Relationship").SelectMany(r => r!["to"]!.AsArray()), to => Assert.True(known.Contains((string)to!) || (string)to! == "expandedlicensing_NoAssertionLicense", "unresolved " + to));
    }

    /// <summary>Dotted paths of the objects that carry 'availability' (a disclosure), arrays left out (datasets have their own list).</summary>
    private static IEnumerable<string> DisclosurePaths(JsonNode schema, JsonNode shape, List<string> path)
    {
        foreach (var (name, property) in shape["properties"]?.AsObject() ?? new JsonObject())
        {
            var target = property!["$ref"] is { } reference ? schema["$defs"]![((string)reference!).Substring("#/$defs/".Length)]! : property;
            if ((string?)target["type"] != "object")
            {
                continue;
            }

            var here = path.Append(name).ToList();
            if (target["properties"]?["availability"] is not null)
            {
                yield return string.Join(".", here);
            }

            if (here.Count < 4)
            {
                foreach (var nested in DisclosurePaths(schema, target, here))
                {
                    yield return nested;
                }
            }
        }
    }
}
