using System.Text.Json.Nodes;
using CsCheck;

namespace OpenTrain.Lineage.Tests;

/// <summary>
/// Disclosure never costs a level (issue 15): a truthful manifest that says more never reaches a lower level than one
/// that says less, unless what it adds is less open than what was there. The extra disclosure may warn.
/// </summary>
public class DisclosureTests
{
    private static readonly string RealDirectory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "real");

    private static readonly string[] Benchmarks = { "accuracy", "f1", "exact-match", "pass@1", "bleu", "rouge-l", "perplexity", "mcc", "auroc" };

    /// <summary>The complete fixture with nine more metrics on its dataset, every other one without a value.</summary>
    private static JsonObject WithTenMetrics(JsonObject root)
    {
        var metrics = Evaluation(root)["metrics"]!.AsArray();
        string dataset = (string)metrics[0]!["dataset"]!;
        for (int i = 0; i < 9; i++)
        {
            var metric = new JsonObject { ["dataset"] = dataset, ["split"] = "test", ["metric"] = Benchmarks[i] };
            if (i % 2 == 1)
            {
                metric["value"] = 0.5 + (i / 100.0);
            }

            metrics.Add(metric);
        }

        return root;
    }

    [Fact]
    public void Metrics_without_values_cost_nothing_when_the_results_are_published_and_warn_at_each_metric()
    {
        var baseline = Fixture.Evaluate(Fixture.Complete);
        string json = WithTenMetrics(Parse(Fixture.Complete)).ToJsonString();

        var evaluation = Fixture.Evaluate(json);

        Assert.Equal(LineageLevel.OpenScience, baseline.AchievedLevel);
        Assert.Equal(baseline.AchievedLevel, evaluation.AchievedLevel);
        var warnings = evaluation.LevelFindings().Where(f => f.Id == "OTL0315").ToList();
        Assert.Equal(new[] { 1, 3, 5, 7, 9 }.Select(i => $"$.training.evaluation.metrics[{i}]"), warnings.Select(w => w.JsonPath));
        Assert.All(warnings, w => Assert.Equal(FindingSeverity.Warning, w.Severity));
        Assert.All(warnings, w => Assert.Equal(LineageLevel.Declared, w.RequiredBy));

        // Located at the metric object itself: the line of each valueless metric's opening brace.
        var lines = json.Split('\n');
        Assert.All(warnings, w => Assert.Contains("{", lines[w.Range!.Value.Start.Line - 1]));

        // Reported in a strict build too, once each, as warnings.
        Assert.Equal(5, evaluation.FindingsFor(LineageLevel.OpenScience).Count(f => f.Id == "OTL0315" && f.Severity == FindingSeverity.Warning));
    }

    [Fact]
    public void Without_a_results_document_metrics_without_values_stay_errors()
    {
        var root = WithTenMetrics(Parse(Fixture.Complete));
        var evaluation = Evaluation(root);
        evaluation["availability"] = "closed";
        evaluation["justification"] = "The producer keeps the evaluation report internal.";
        evaluation.Remove("locations");
        evaluation.Remove("license");

        var result = Fixture.Evaluate(root.ToJsonString());

        var missing = result.LevelFindings().Where(f => f.Id == "OTL0300" && f.JsonPath.EndsWith(".value", StringComparison.Ordinal)).ToList();
        Assert.Equal(new[] { 1, 3, 5, 7, 9 }.Select(i => $"$.training.evaluation.metrics[{i}].value"), missing.Select(f => f.JsonPath));
        Assert.All(missing, f => Assert.Equal(LineageLevel.Declared, f.RequiredBy));
        Assert.DoesNotContain(result.LevelFindings(), f => f.Id == "OTL0315");
        Assert.Equal(LineageLevel.None, result.AchievedLevel);
    }

    [Fact]
    public void A_metric_can_point_at_its_own_table_when_the_evaluation_itself_is_closed()
    {
        var root = Parse(Fixture.Complete);
        var evaluation = Evaluation(root);
        evaluation["availability"] = "closed";
        evaluation["justification"] = "The producer keeps the full evaluation report internal.";
        evaluation.Remove("locations");
        evaluation.Remove("license");
        var metric = evaluation["metrics"]![0]!.AsObject();
        metric.Remove("value");
        metric["reportedIn"] = new JsonObject { ["url"] = "https://arxiv.org/abs/2310.06825", ["revision"] = "2310.06825v1", ["description"] = "Table 2" };

        var pinned = Fixture.Evaluate(root.ToJsonString());
        Assert.Contains(pinned.LevelFindings(), f => f.Id == "OTL0315" && f.JsonPath == "$.training.evaluation.metrics[0]");
        Assert.DoesNotContain(pinned.LevelFindings(), f => f.JsonPath.StartsWith("$.training.evaluation.metrics[0]", StringComparison.Ordinal) && f.Severity == FindingSeverity.Error);
        Assert.Equal(LineageLevel.Declared, pinned.AchievedLevel); // the closed evaluation costs open-weights, nothing else

        metric["reportedIn"]!.AsObject().Remove("revision");
        var unpinned = Fixture.Evaluate(root.ToJsonString());
        Assert.Contains(unpinned.LevelFindings(), f => f.Id == "OTL0305" && f.JsonPath == "$.training.evaluation.metrics[0].reportedIn.url" && f.RequiredBy == LineageLevel.OpenWeights);
        Assert.Equal(LineageLevel.Declared, unpinned.AchievedLevel);
    }

    [Fact]
    public void An_extra_unpinned_location_beside_a_pinned_one_warns()
    {
        var root = Parse(Fixture.Complete);
        var locations = root["training"]!["code"]!["locations"]!.AsArray();
        locations.Add(new JsonObject { ["url"] = "https://github.com/fixture/train" });

        var evaluation = Fixture.Evaluate(root.ToJsonString());

        Assert.Equal(LineageLevel.OpenScience, evaluation.AchievedLevel);
        var finding = Assert.Single(evaluation.LevelFindings(), f => f.Id == "OTL0305" && f.JsonPath == $"$.training.code.locations[{locations.Count - 1}].url");
        Assert.Equal(FindingSeverity.Warning, finding.Severity);
    }

    [Fact]
    public void A_further_framework_without_a_version_warns_but_the_first_must_be_complete()
    {
        var root = Parse(Fixture.Complete);
        var frameworks = root["training"]!["code"]!["framework"]!.AsArray();
        frameworks.Add(new JsonObject { ["name"] = "DeepSpeed" });

        var evaluation = Fixture.Evaluate(root.ToJsonString());
        Assert.Equal(LineageLevel.OpenScience, evaluation.AchievedLevel);
        Assert.Contains(evaluation.LevelFindings(), f => f.Id == "OTL0300" && f.JsonPath == $"$.training.code.framework[{frameworks.Count - 1}].version" && f.Severity == FindingSeverity.Warning);

        frameworks[0]!.AsObject().Remove("version");
        Assert.Contains(Fixture.Evaluate(root.ToJsonString()).LevelFindings(), f => f.Id == "OTL0300" && f.JsonPath == "$.training.code.framework[0].version" && f.Severity == FindingSeverity.Error);
    }

    [Theory]
    [InlineData("$.inference", LineageLevel.OpenWeights)]
    [InlineData("$.documentation.modelCard", LineageLevel.Declared)]
    [InlineData("$.documentation.dataCard", LineageLevel.Declared)]
    public void A_half_written_optional_component_costs_no_more_than_leaving_it_out(string component, LineageLevel expected)
    {
        var without = Parse(Fixture.Complete);
        var (parent, name) = Locate(without, component);
        parent.Remove(name);
        var withHalf = Parse(Fixture.Complete);
        var (parent2, name2) = Locate(withHalf, component);
        parent2[name2] = new JsonObject { ["availability"] = "closed", ["description"] = "Kept by the vendor." }; // no justification

        var left = Fixture.Evaluate(without.ToJsonString());
        var half = Fixture.Evaluate(withHalf.ToJsonString());

        Assert.Equal(expected, left.AchievedLevel);
        Assert.True(half.AchievedLevel >= left.AchievedLevel, $"{half.AchievedLevel} < {left.AchievedLevel}");
    }

    /// <summary>
    /// Over every fixture: adding a metric (with or without a value) to an evaluation that has a results document, or
    /// a source, a processing step, a description, an extra unpinned location beside a pinned one, or a further
    /// framework never lowers the level.
    /// </summary>
    [Fact]
    public void Adding_disclosure_never_lowers_the_level()
    {
        var fixtures = new[] { Fixture.Complete }
            .Concat(Directory.GetFiles(RealDirectory, "*.lineage.json").Select(File.ReadAllText))
            .Concat(new[] { File.ReadAllText(Path.Combine(Fixture.RepoRoot, "samples", "IrisDemo", "models", "iris-species.lineage.json")) })
            .ToArray();
        var levels = fixtures.Select(f => Fixture.Evaluate(f).AchievedLevel).ToArray();
        var words = Gen.OneOf<string>("the", "data", "was", "filtered", "by", "language", "and", "deduplicated", "with", "exact", "hashes", "per", "document");
        var sentence = words.Array[3, 12].Select(w => string.Join(" ", w) + ".");

        var additions = Gen.OneOf(
            Gen.Select(Gen.Int[0, 1000], Gen.Bool, Gen.OneOf<string>(Benchmarks), (i, valued, metric) => (Action<JsonObject>)(root => AddMetric(root, i, valued, metric))),
            Gen.Select(Gen.Int[0, 1000], Gen.OneOf<string>("Common Crawl", "Wikipedia dumps", "arXiv", "Project Gutenberg"), (i, source) => (Action<JsonObject>)(root => AddSource(root, i, source))),
            sentence.Select(text => (Action<JsonObject>)(root => AddStep(root, text))),
            Gen.Select(Gen.Int[0, 1000], sentence, (i, text) => (Action<JsonObject>)(root => AddDescription(root, i, text))),
            Gen.Int[0, 1000].Select(i => (Action<JsonObject>)(root => AddUnpinnedLocation(root, i))),
            Gen.Int[0, 1].Select(_ => (Action<JsonObject>)(root => (root["training"]?["code"]?["framework"] as JsonArray)?.Add(new JsonObject { ["name"] = "DeepSpeed" }))));

        Gen.Select(Gen.Int[0, fixtures.Length - 1], additions.Array[1, 4]).Sample((index, changes) =>
        {
            var root = Parse(fixtures[index]);
            foreach (var change in changes)
            {
                change(root);
            }

            var after = Fixture.Evaluate(root.ToJsonString()).AchievedLevel;
            return after >= levels[index];
        }, iter: 400, threads: 1);
    }

    private static void AddMetric(JsonObject root, int pick, bool valued, string metric)
    {
        if (root["training"]?["evaluation"] is not JsonObject evaluation
            || (string?)evaluation["availability"] is not ("open" or "restricted")
            || evaluation["locations"] is not JsonArray { Count: > 0 }
            || evaluation["metrics"] is not JsonArray metrics)
        {
            return; // only evaluations that have a results document
        }

        var ids = metrics.Select(m => (string?)m?["dataset"]).Where(id => id is not null).Distinct().ToList();
        if (ids.Count == 0)
        {
            return;
        }

        var added = new JsonObject { ["dataset"] = ids[pick % ids.Count], ["split"] = "test", ["metric"] = metric };
        if (valued)
        {
            added["value"] = 0.42;
        }

        metrics.Add(added);
    }

    private static void AddSource(JsonObject root, int pick, string source)
    {
        var datasets = (root["training"]?["data"]?["datasets"] as JsonArray)?.OfType<JsonObject>().Where(d => d["sources"] is JsonArray).ToList();
        if (datasets is { Count: > 0 })
        {
            datasets[pick % datasets.Count]["sources"]!.AsArray().Add(new JsonObject { ["name"] = source });
        }
    }

    private static void AddStep(JsonObject root, string text)
    {
        if (root["training"]?["processing"] is JsonObject processing)
        {
            if (processing["steps"] is not JsonArray steps)
            {
                processing["steps"] = steps = new JsonArray();
            }

            steps.Add(new JsonObject { ["name"] = "filter", ["description"] = text });
        }
    }

    private static void AddDescription(JsonObject root, int pick, string text)
    {
        var without = Components(root).Where(c => c["description"] is null).ToList();
        if (without.Count > 0)
        {
            without[pick % without.Count]["description"] = text;
        }
    }

    private static void AddUnpinnedLocation(JsonObject root, int pick)
    {
        var located = Components(root).Where(c => c["locations"] is JsonArray { Count: > 0 }).ToList();
        if (located.Count > 0)
        {
            located[pick % located.Count]["locations"]!.AsArray().Add(new JsonObject { ["url"] = "https://github.com/fixture/project" });
        }
    }

    private static IEnumerable<JsonObject> Components(JsonObject root)
    {
        var training = root["training"];
        return new[]
        {
            training?["data"], training?["processing"], training?["configuration"]?["architecture"], training?["configuration"]?["hyperparameters"],
            training?["code"], training?["evaluation"], training?["evaluation"]?["code"], training?["checkpoints"], root["inference"],
            root["documentation"]?["modelCard"], root["documentation"]?["dataCard"], root["documentation"]?["technicalReport"], root["documentation"]?["researchPaper"],
        }.OfType<JsonObject>();
    }


    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    private static JsonObject Evaluation(JsonObject root) => root["training"]!["evaluation"]!.AsObject();

    private static (JsonObject Parent, string Name) Locate(JsonObject root, string path)
    {
        var segments = path.Substring(2).Split('.');
        JsonObject parent = root;
        foreach (var segment in segments.Take(segments.Length - 1))
        {
            parent = parent[segment]!.AsObject();
        }

        return (parent, segments[^1]);
    }
}
