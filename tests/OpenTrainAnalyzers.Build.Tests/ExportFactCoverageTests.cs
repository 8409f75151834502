using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenTrain.Lineage;
using OpenTrainAnalyzers.Build.Export;
using OpenTrainAnalyzers.Build.Findings;

namespace OpenTrainAnalyzers.Build.Tests;

/// <summary>
/// Nothing the manifest says is lost on export: for every fixture and real-model manifest of the suite (and one manifest
/// that adds every optional fact no fixture has, such as an energy figure), each licence, revision, URL, justification,
/// access condition, collection/cleaning/labelling text, processing method, framework name and version, dataset source,
/// seed, parameter count, energy figure and metric value is found in the CycloneDX and the SPDX export, and each licence
/// in a licence field as often as the manifest gives it. The facts are read from the manifest's JSON by field name, not
/// from the exporters' typed model, so a mapping an exporter forgets is a missing fact here.
/// </summary>
public sealed class ExportFactCoverageTests
{
    private static readonly string RepoRoot = typeof(ExportFactCoverageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
    private static readonly string CoreFixtures = Path.Combine(RepoRoot, "tests", "OpenTrain.Lineage.Tests", "Fixtures");

    internal static readonly string[] ManifestPaths =
    {
        "samples/IrisDemo/models/iris-species.lineage.json",
        "tests/OpenTrain.Lineage.Tests/Fixtures/complete.lineage.json",
        "tests/OpenTrain.Lineage.Tests/Fixtures/real/pythia-70m.lineage.json",
        "tests/OpenTrain.Lineage.Tests/Fixtures/real/olmo-7b.lineage.json",
        "tests/OpenTrain.Lineage.Tests/Fixtures/real/mistral-7b-v0.1.lineage.json",
        "tests/OpenTrain.Lineage.Tests/Fixtures/real/mistral-7b-v0.1-gguf.lineage.json",
        EveryFact,
    };

    public static TheoryData<string> Manifests => new(ManifestPaths);

    private const string EveryFact = "every-optional-fact (complete.lineage.json plus the facts no fixture has)";

    [Fact]
    public void The_suite_lists_every_manifest_fixture()
    {
        // A fixture added later is covered too, or this fails.
        var listed = ManifestPaths.Where(m => m != EveryFact).Select(m => Path.GetFullPath(Path.Combine(RepoRoot, m))).ToHashSet();
        var onDisk = Directory.GetFiles(CoreFixtures, "*.lineage.json", SearchOption.AllDirectories).Select(Path.GetFullPath);
        Assert.All(onDisk, f => Assert.Contains(f, listed));
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Every_fact_reaches_cyclonedx_and_spdx_and_every_licence_a_licence_field(string manifest)
    {
        var (text, set) = Load(manifest);
        var facts = Facts(JsonNode.Parse(text)!);
        Assert.NotEmpty(facts);

        var cycloneDx = JsonNode.Parse(CycloneDxExport.Write(set))!;
        var spdx = JsonNode.Parse(SpdxExport.Write(set))!;
        var missing = new List<string>();
        foreach (var (format, export, licenceFields) in new[]
        {
            ("CycloneDX", cycloneDx, new[] { "expression", "name@license" }),
            ("SPDX", spdx, new[] { "simplelicensing_licenseExpression", "name@expandedlicensing_CustomLicense" }),
        })
        {
            var values = Values(export).ToList();
            foreach (var fact in facts.Where(f => f.Kind != "licence"))
            {
                if (!values.Any(v => Contains(v, fact.Value, fact.IsNumber)))
                {
                    missing.Add($"{format}: {fact.Kind} '{fact.Value}' ({fact.Path})");
                }
            }

            var licences = LicenceFieldValues(export, licenceFields).ToList();
            foreach (var group in facts.Where(f => f.Kind == "licence").GroupBy(f => f.Value))
            {
                int inFields = licences.Count(l => l == group.Key);
                if (inFields < group.Count())
                {
                    missing.Add($"{format}: licence '{group.Key}' is given {group.Count()} time(s) ({string.Join(", ", group.Select(g => g.Path))}) but sits in {inFields} licence field(s)");
                }
            }
        }

        Assert.True(missing.Count == 0, $"{facts.Count} facts, {missing.Count} lost:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void The_facts_cover_every_kind_the_issue_names()
    {
        // The walker itself must find each kind somewhere in the suite, or the test above proves nothing about it.
        var kinds = ManifestPaths.SelectMany(m => Facts(JsonNode.Parse(Load(m).Text)!)).Select(f => f.Kind).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "licence", "revision", "url", "justification", "accessConditions", "collection", "cleaning", "labelling", "processing method",
            "framework name", "framework version", "source", "seed", "parameterCount", "energy", "metric value",
        }, kinds);
    }

    private sealed record Fact(string Kind, string Value, string Path, bool IsNumber);

    /// <summary>The facts of a manifest, by field name, wherever they are (extensions are vendor data and left out).</summary>
    private static List<Fact> Facts(JsonNode root)
    {
        var facts = new List<Fact>();
        void Walk(JsonNode? node, string path, string? parentKey)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (key, value) in obj)
                    {
                        if (key == "extensions" && path == "$")
                        {
                            continue;
                        }

                        string child = path + "." + key;
                        if (value is JsonValue scalar)
                        {
                            AddScalar(key, scalar, child, parentKey, path);
                        }
                        else if (key == "seed" && value is not null)
                        {
                            facts.Add(new Fact("seed", value.ToJsonString(), child, false));
                        }
                        else
                        {
                            Walk(value, child, key);
                        }
                    }

                    break;
                case JsonArray array:
                    for (int i = 0; i < array.Count; i++)
                    {
                        Walk(array[i], path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", parentKey);
                    }

                    break;
            }
        }

        void AddScalar(string key, JsonValue value, string path, string? parentKey, string ownerPath)
        {
            string text = value.ToJsonString();
            bool isString = text.StartsWith('"');
            string raw = isString ? value.GetValue<string>() : text;
            string? kind = key switch
            {
                "license" when LicenseExpressions.Classify(raw) != LicenseForm.NoAssertion => "licence",
                "revision" => "revision",
                "url" or "licenseUrl" => "url",
                "justification" => "justification",
                "accessConditions" => "accessConditions",
                "collection" => "collection",
                "cleaning" => "cleaning",
                "criteria" => "labelling",
                "method" when parentKey == "processing" => "processing method",
                "name" when parentKey is "framework" or "supportingLibraries" => "framework name",
                "version" when parentKey is "framework" or "supportingLibraries" => "framework version",
                "name" when parentKey == "sources" => "source",
                "seed" => "seed",
                "parameterCount" => "parameterCount",
                "energyKwh" => "energy",
                "value" when parentKey == "metrics" => "metric value",
                _ => null,
            };
            if (kind is not null && raw.Trim().Length > 0)
            {
                facts.Add(new Fact(kind, raw.Trim(), path, !isString));
            }
        }

        Walk(root, "$", null);
        return facts;
    }

    /// <summary>Every string and number of an export (numbers as written).</summary>
    private static IEnumerable<string> Values(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, value) in obj)
                {
                    foreach (var text in Values(value))
                    {
                        yield return text;
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    foreach (var text in Values(item))
                    {
                        yield return text;
                    }
                }

                break;
            case JsonValue value:
                string json = value.ToJsonString();
                yield return json.StartsWith('"') ? value.GetValue<string>() : json;
                break;
        }
    }

    /// <summary>
    /// Licence field values: "field" anywhere, or "field@owner" for a field of an object under key owner (CycloneDX's
    /// licenses[].license.name) or of an element of SPDX type owner.
    /// </summary>
    private static IEnumerable<string> LicenceFieldValues(JsonNode? node, string[] fields, string? ownerKey = null)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (value is JsonValue scalar && scalar.ToJsonString().StartsWith('"'))
                    {
                        string text = scalar.GetValue<string>();
                        if (fields.Contains(key) || fields.Contains(key + "@" + ownerKey) || fields.Contains(key + "@" + (string?)obj["type"]))
                        {
                            yield return text;
                        }
                    }
                    else
                    {
                        foreach (var text in LicenceFieldValues(value, fields, key))
                        {
                            yield return text;
                        }
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    foreach (var text in LicenceFieldValues(item, fields, ownerKey))
                    {
                        yield return text;
                    }
                }

                break;
        }
    }

    /// <summary>A text fact is contained in a value; a number must be the value or a whole token of it.</summary>
    private static bool Contains(string value, string fact, bool isNumber) =>
        isNumber ? value == fact || Regex.IsMatch(value, @"(?<![\d.])" + Regex.Escape(fact) + @"(?![\d.]*\d)") : value.Contains(fact, StringComparison.Ordinal);

    internal static (string Text, ExportSet Set) Load(string manifest)
    {
        string path = Path.GetFullPath(Path.Combine(RepoRoot, manifest == EveryFact ? "tests/OpenTrain.Lineage.Tests/Fixtures/complete.lineage.json" : manifest));
        string text = File.ReadAllText(path);
        if (manifest == EveryFact)
        {
            text = WithEveryOptionalFact(text);
        }

        var lineage = LineageManifest.Read(text);
        var chain = LineageChain.Resolve(path, lineage, LineageLevel.Declared,
            parent => File.Exists(parent) ? ManifestFile.Of(File.ReadAllBytes(parent)) : ManifestFile.Missing("not found"));
        var model = new ExportedModel(Path.GetFileName(path), lineage, LineageLevel.Declared, chain.EffectiveLevel, chain.Parents, weightsVerified: false, Array.Empty<Suppression>());
        return (text, new ExportSet("FactCoverage", "1.0.0", LineageLevel.Declared, "1767225600", new[] { model }, "test"));
    }

    /// <summary>
    /// complete.lineage.json with what no fixture has: closed data described only as an aggregate with licensed sources,
    /// a restricted evaluation dataset, an energy figure, seed, parameter count, release date, languages, a licence URL,
    /// processing steps, a metric task, a supporting library and a closed inference component.
    /// </summary>
    private static string WithEveryOptionalFact(string text)
    {
        var root = JsonNode.Parse(text)!.AsObject();
        var model = root["model"]!.AsObject();
        model["releaseDate"] = "2025-01-15";
        model["languages"] = new JsonArray("en", "de");
        model["licenseUrl"] = "https://creativecommons.org/licenses/by/4.0/legalcode";
        var training = root["training"]!.AsObject();
        training["data"] = JsonNode.Parse("""
            {
              "availability": "closed",
              "description": "Forty thousand support tickets of the fixture shop, not released.",
              "justification": "The tickets contain customer correspondence that cannot be published.",
              "sources": [
                { "name": "Fixture shop support desk", "url": "https://fixture-shop.org/support" },
                { "name": "Public FAQ pages", "url": "https://fixture-shop.org/faq", "license": "CC-BY-SA-4.0", "retrieved": "2024-12-01" }
              ],
              "collection": "Every ticket closed in 2024, one message per ticket.",
              "cleaning": "Names, e-mail addresses and order numbers replaced by placeholders; tickets under ten words dropped.",
              "labeling": { "method": "human", "criteria": "Resolved tickets are positive, escalated tickets negative.",
                            "guidelines": { "url": "https://github.com/fixture/tickets/blob/7c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d/LABELS.md", "revision": "7c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d" } }
            }
            """);
        var processing = training["processing"]!.AsObject();
        processing["steps"] = JsonNode.Parse("""[ { "name": "scrub", "description": "replace personal data", "tool": "presidio 2.2.354" } ]""");
        var configuration = training["configuration"]!.AsObject();
        configuration["architecture"]!["parameterCount"] = 4200000;
        configuration["hyperparameters"]!["seed"] = JsonNode.Parse("[1234, 5678]");
        var code = training["code"]!.AsObject();
        code["entryPoint"] = "python train.py --config config.yaml";
        code["supportingLibraries"] = JsonNode.Parse("""[ { "name": "tokenizers", "version": "0.19.1", "license": "Apache-2.0" } ]""");
        code["compute"] = JsonNode.Parse("""{ "hardware": "1x NVIDIA A10G", "acceleratorHours": 3.5, "energyKwh": 1.25, "co2eqTonnes": 0.0004 }""");
        var evaluation = training["evaluation"]!.AsObject();
        evaluation["metrics"]![0]!["task"] = "sentiment classification";
        evaluation["datasets"] = JsonNode.Parse("""
            [ {
              "id": "heldout", "name": "Fixture held-out reviews", "availability": "restricted", "license": "CC-BY-NC-4.0",
              "accessConditions": "Free registration with the fixture shop's research programme.",
              "description": "Two thousand reviews written after the training cut-off.",
              "locations": [ { "url": "https://huggingface.co/datasets/fixture/heldout", "revision": "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b" } ],
              "sources": [ { "name": "Fixture shop reviews 2025" } ],
              "collection": "Reviews posted in January 2025.",
              "cleaning": "HTML stripped.",
              "labeling": { "method": "human", "criteria": "Same criteria as the training labels." }
            } ]
            """);
        root["inference"] = JsonNode.Parse("""
            { "availability": "closed", "description": "The serving stack of the fixture shop.", "justification": "The serving code is part of the shop's proprietary platform." }
            """);
        return root.ToJsonString();
    }
}
