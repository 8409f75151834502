using System.Text.Json.Nodes;

namespace OpenTrain.Lineage.Tests;

/// <summary>
/// Level × component × failure class, table-driven: each row breaks one component of the complete (open-science)
/// fixture in one way and states the code, the element and the lowest level that must reject it. The manifest then
/// reaches exactly the level below.
/// </summary>
public class LevelMatrixTests
{
    // Component, and the level that first requires it open (§6.2).
    public static TheoryData<string, LineageLevel> OpenAt => new()
    {
        { "$.training.processing", LineageLevel.OpenScience },
        { "$.training.configuration.architecture", LineageLevel.OpenWeights },
        { "$.training.configuration.hyperparameters", LineageLevel.OpenTooling },
        { "$.training.code", LineageLevel.OpenTooling },
        { "$.training.evaluation", LineageLevel.OpenWeights },
        { "$.training.evaluation.code", LineageLevel.OpenTooling },
        { "$.training.checkpoints", LineageLevel.OpenScience },
        { "$.inference", LineageLevel.OpenTooling },
        { "$.documentation.modelCard", LineageLevel.OpenWeights },
        { "$.documentation.dataCard", LineageLevel.OpenWeights },
    };

    [Theory]
    [MemberData(nameof(OpenAt))]
    public void A_closed_component_is_rejected_from_the_level_that_needs_it_open(string component, LineageLevel level)
    {
        var evaluation = Evaluate(component, c =>
        {
            c["availability"] = "closed";
            c["justification"] = "Kept internal by the producer for this release.";
        });

        Assert.Contains(evaluation.LevelFindings(), f => f.Id == "OTL0303" && f.JsonPath == component + ".availability" && f.RequiredBy == level);
        Assert.Equal(level - 1, evaluation.AchievedLevel);
    }

    // Licence and pinning: the same levels, except hyperparameters, whose values are asked for at open-tooling but
    // whose open licence and pinned location only at open-science (§6.2 row 9).
    public static TheoryData<string, LineageLevel> OpenlyLicensedAndPinnedAt
    {
        get
        {
            var data = new TheoryData<string, LineageLevel>();
            foreach (var row in OpenAt)
            {
                string component = (string)row[0];
                data.Add(component, component.EndsWith("hyperparameters", StringComparison.Ordinal) ? LineageLevel.OpenScience : (LineageLevel)row[1]);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(OpenlyLicensedAndPinnedAt))]
    public void A_non_commercial_licence_is_rejected_from_the_same_level(string component, LineageLevel level)
    {
        var evaluation = Evaluate(component, c => c["license"] = "CC-BY-NC-4.0");

        Assert.Contains(evaluation.LevelFindings(), f => f.Id == "OTL0402" && f.JsonPath == component + ".license" && f.RequiredBy == level);
        Assert.Equal(level - 1, evaluation.AchievedLevel);
    }

    [Theory]
    [MemberData(nameof(OpenlyLicensedAndPinnedAt))]
    public void An_unpinned_location_is_rejected_from_the_same_level(string component, LineageLevel level)
    {
        var evaluation = Evaluate(component, c => c["locations"] = new JsonArray(new JsonObject { ["url"] = "https://github.com/fixture/repo/blob/main/file" }));

        Assert.Contains(evaluation.LevelFindings(), f => f.Id == "OTL0305" && f.JsonPath.StartsWith(component + ".locations", StringComparison.Ordinal) && f.RequiredBy == level);
        Assert.Equal(level - 1, evaluation.AchievedLevel);
    }

    [Fact]
    public void A_training_dataset_that_is_also_the_only_benchmark_costs_open_tooling_when_not_openly_licensed()
    {
        // The dataset itself must be open at open-science, but it is also what the only metric is measured on, and
        // open-tooling asks for one metric on an open dataset: the stricter of the two decides.
        var evaluation = Evaluate("$.training.data.datasets[0]", c => c["license"] = "CC-BY-NC-4.0");

        Assert.Contains(evaluation.LevelFindings(), f => f.Id == "OTL0402" && f.JsonPath == "$.training.data.datasets[0].license" && f.RequiredBy == LineageLevel.OpenScience);
        Assert.Contains(evaluation.LevelFindings(), f => f.Id == "OTL0303" && f.JsonPath == "$.training.evaluation.metrics" && f.RequiredBy == LineageLevel.OpenTooling);
        Assert.Equal(LineageLevel.OpenWeights, evaluation.AchievedLevel);
    }

    [Fact]
    public void An_unpinned_training_dataset_fails_open_science()
    {
        var evaluation = Evaluate("$.training.data.datasets[0]", c => c["locations"] = new JsonArray(new JsonObject { ["url"] = "https://huggingface.co/datasets/fixture/reviews/resolve/main/data.parquet" }));

        Assert.Contains(evaluation.LevelFindings(), f => f.Id == "OTL0305" && f.JsonPath.StartsWith("$.training.data.datasets[0].locations", StringComparison.Ordinal) && f.RequiredBy == LineageLevel.OpenScience);
        Assert.Equal(LineageLevel.OpenTooling, evaluation.AchievedLevel);
    }

    // Component, the level that first requires it to exist, and the code when it is removed.
    public static TheoryData<string, LineageLevel> RequiredAt => new()
    {
        { "$.training.data", LineageLevel.Declared },
        { "$.training.processing", LineageLevel.Declared },
        { "$.training.configuration.architecture", LineageLevel.Declared },
        { "$.training.configuration.hyperparameters", LineageLevel.Declared },
        { "$.training.code", LineageLevel.Declared },
        { "$.training.evaluation", LineageLevel.Declared },
        { "$.training.evaluation.code", LineageLevel.Declared },
        { "$.model", LineageLevel.Declared },
        { "$.weights", LineageLevel.Declared },
        { "$.lineage", LineageLevel.Declared },
        { "$.documentation.modelCard", LineageLevel.OpenWeights },
        { "$.documentation.dataCard", LineageLevel.OpenWeights },
        { "$.inference", LineageLevel.OpenTooling },
        { "$.training.checkpoints", LineageLevel.OpenScience },
    };

    [Theory]
    [MemberData(nameof(RequiredAt))]
    public void A_missing_component_is_reported_at_its_path_from_the_level_that_requires_it(string component, LineageLevel level)
    {
        var root = JsonNode.Parse(Fixture.Complete)!.AsObject();
        var (parent, name) = Locate(root, component);
        Assert.True(parent.Remove(name), component);

        var evaluation = Fixture.Evaluate(root.ToJsonString());

        Assert.Contains(evaluation.LevelFindings(), f => f.Id == "OTL0300" && f.JsonPath == component && f.RequiredBy == level);
        Assert.Equal(level - 1, evaluation.AchievedLevel);
    }

    [Theory]
    [InlineData("$.training.data.datasets[0].collection")]
    [InlineData("$.training.data.datasets[0].cleaning")]
    [InlineData("$.training.data.datasets[0].labeling.criteria")]
    [InlineData("$.training.processing.method")]
    [InlineData("$.training.code.description")]
    public void Placeholders_empties_and_evasions_in_narratives_fail_declared(string field)
    {
        foreach (var (value, code) in new[] { ("TODO", "OTL0302"), ("   ", "OTL0301"), ("Proprietary.", "OTL0302"), ("[More Information Needed]", "OTL0302") })
        {
            var root = JsonNode.Parse(Fixture.Complete)!.AsObject();
            var (parent, name) = Locate(root, field);
            parent[name] = value;

            var evaluation = Fixture.Evaluate(root.ToJsonString());

            Assert.Contains(evaluation.LevelFindings(), f => f.Id == code && f.JsonPath == field && f.RequiredBy == LineageLevel.Declared);
            Assert.Equal(LineageLevel.None, evaluation.AchievedLevel);
        }
    }

    private static LineageEvaluation Evaluate(string component, Action<JsonObject> change)
    {
        var root = JsonNode.Parse(Fixture.Complete)!.AsObject();
        JsonNode node = root;
        foreach (var segment in component.Substring(2).Split('.'))
        {
            node = Step(node, segment);
        }

        change(node.AsObject());
        return Fixture.Evaluate(root.ToJsonString());
    }

    /// <summary>The object holding the last segment of a simple JSON path ($.a.b[0].c), and that segment's name.</summary>
    private static (JsonObject Parent, string Name) Locate(JsonObject root, string path)
    {
        var segments = path.Substring(2).Split('.');
        JsonNode current = root;
        for (int i = 0; i < segments.Length - 1; i++)
        {
            current = Step(current, segments[i]);
        }

        return (current.AsObject(), segments[^1]);
    }

    private static JsonNode Step(JsonNode node, string segment)
    {
        int bracket = segment.IndexOf('[', StringComparison.Ordinal);
        if (bracket < 0)
        {
            return node[segment]!;
        }

        int index = int.Parse(segment[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
        return node[segment[..bracket]]![index]!;
    }
}
