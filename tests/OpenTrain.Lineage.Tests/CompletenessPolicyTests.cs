using OpenTrain.Lineage;

namespace OpenTrain.Lineage.Tests;

public class CompletenessPolicyTests
{
    [Fact]
    public void The_complete_fixture_reaches_open_science_with_no_errors()
    {
        var evaluation = Fixture.Evaluate(Fixture.Complete);

        Assert.Empty(evaluation.Findings);
        Assert.Equal(LineageLevel.OpenScience, evaluation.AchievedLevel);
    }

    [Fact]
    public void Missing_checkpoints_fail_only_open_science()
    {
        string json = Fixture.With("\"checkpoints\": {", "\"checkpointsRemoved\": {");

        var evaluation = Fixture.Evaluate(json);

        Assert.Equal(LineageLevel.OpenTooling, evaluation.AchievedLevel);
        var missing = Assert.Single(evaluation.LevelFindings(), f => f.Id == "OTL0300");
        Assert.Equal("$.training.checkpoints", missing.JsonPath);
        Assert.Equal(LineageLevel.OpenScience, missing.RequiredBy);
        Assert.DoesNotContain(evaluation.FindingsFor(LineageLevel.OpenTooling), f => f.Severity == FindingSeverity.Error);
    }

    [Theory]
    [InlineData("TODO")]
    [InlineData("[More Information Needed]")]
    [InlineData("tbd")]
    [InlineData("{{ cleaning }}")]
    [InlineData("Proprietary")]
    [InlineData("deduplicated")]
    public void Placeholder_narratives_fail_declared_at_their_line(string placeholder)
    {
        string json = Fixture.With("\"Exact duplicates removed, HTML stripped, reviews under five words dropped.\"", "\"" + placeholder + "\"");

        var evaluation = Fixture.Evaluate(json);

        var finding = Assert.Single(evaluation.LevelFindings());
        Assert.Equal("OTL0302", finding.Id);
        Assert.Equal("$.training.data.datasets[0].cleaning", finding.JsonPath);
        Assert.Equal(Fixture.LineOf(json, "\"cleaning\""), finding.Range!.Value.Start.Line);
        Assert.Equal(LineageLevel.None, evaluation.AchievedLevel);
    }

    [Fact]
    public void A_missing_model_name_is_reported_at_the_model_object()
    {
        string json = Fixture.With("\"name\": \"fixture-classifier\",", string.Empty);

        var finding = Assert.Single(Fixture.Evaluate(json).LevelFindings());

        Assert.Equal("OTL0300", finding.Id);
        Assert.Equal("$.model.name", finding.JsonPath);
        Assert.Equal(Fixture.LineOf(json, "\"model\""), finding.Range!.Value.Start.Line);
    }

    [Fact]
    public void A_non_commercial_licence_on_training_code_fails_open_tooling()
    {
        string json = Fixture.With(
            "\"license\": \"MIT\",\n      \"description\": \"The training loop",
            "\"license\": \"CC-BY-NC-4.0\",\n      \"description\": \"The training loop");

        var evaluation = Fixture.Evaluate(json);

        var finding = Assert.Single(evaluation.LevelFindings());
        Assert.Equal("OTL0402", finding.Id);
        Assert.Equal("$.training.code.license", finding.JsonPath);
        Assert.Equal(LineageLevel.OpenTooling, finding.RequiredBy);
        Assert.Equal(LineageLevel.OpenWeights, evaluation.AchievedLevel);
    }

    [Fact]
    public void An_unpinned_code_url_fails_open_tooling_and_warns_at_declared()
    {
        string json = Fixture.With(
            "https://github.com/fixture/train/blob/2e86cf8b45db2b56ae15569ca2f5de96ac0aa755/train.py",
            "https://github.com/fixture/train/blob/main/train.py");

        var evaluation = Fixture.Evaluate(json);

        Assert.Contains(evaluation.LevelFindings(), f => f.Id == "OTL0305" && f.Severity == FindingSeverity.Warning && f.RequiredBy == LineageLevel.Declared);
        Assert.Contains(evaluation.LevelFindings(), f => f.Id == "OTL0305" && f.Severity == FindingSeverity.Error && f.RequiredBy == LineageLevel.OpenTooling);
        Assert.Equal(LineageLevel.OpenWeights, evaluation.AchievedLevel);
    }

    [Theory]
    [InlineData("https://example.com/data")]
    [InlineData("https://localhost/data")]
    [InlineData("https://192.168.1.20/data")]
    [InlineData("file:///home/me/data")]
    [InlineData("https://github.com/your-org/data")]
    public void Placeholder_and_local_urls_are_errors(string url)
    {
        string json = Fixture.With("https://fixture-shop.org/reviews", url);

        var finding = Assert.Single(Fixture.Evaluate(json).LevelFindings());

        Assert.Equal("OTL0306", finding.Id);
        Assert.Equal(FindingSeverity.Error, finding.Severity);
    }

    [Theory]
    [InlineData("../model.onnx")]
    [InlineData("/opt/models/model.onnx")]
    [InlineData("C:/models/model.onnx")]
    [InlineData("sub\\\\model.onnx")]
    public void Weight_paths_must_stay_inside_the_manifest_directory(string path)
    {
        string json = Fixture.With("\"path\": \"model.onnx\"", "\"path\": \"" + path + "\"");

        var finding = Assert.Single(Fixture.Evaluate(json).LevelFindings());

        Assert.Equal("OTL0203", finding.Id);
        Assert.Equal("$.weights.files[0].path", finding.JsonPath);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public void Malformed_or_placeholder_digests_are_errors(string digest)
    {
        string json = Fixture.With("4f2d1c0b9a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817061234", digest);

        var finding = Assert.Single(Fixture.Evaluate(json).LevelFindings());

        Assert.Equal("OTL0206", finding.Id);
    }

    [Fact]
    public void None_is_a_labelling_method_not_a_placeholder()
    {
        string json = Fixture.With("\"method\": \"human\",\n            \"criteria\": \"Positive when the reviewer would buy again, negative otherwise.\",", "\"method\": \"none\",");

        Assert.DoesNotContain(Fixture.Evaluate(json).FindingsFor(LineageLevel.OpenTooling), f => f.JsonPath.Contains("labeling", StringComparison.Ordinal));
    }

    [Fact]
    public void A_fine_tune_without_parents_is_an_error()
    {
        string json = Fixture.With("\"derivation\": \"from-scratch\"", "\"derivation\": \"finetune\"");

        Assert.Equal("OTL0500", Assert.Single(Fixture.Evaluate(json).LevelFindings()).Id);
    }

    [Fact]
    public void Unknown_fields_warn_without_lowering_the_level()
    {
        string json = Fixture.With("\"task\": \"text-classification\"", "\"task\": \"text-classification\", \"taks\": \"typo\"");

        var evaluation = Fixture.Evaluate(json);

        var finding = Assert.Single(evaluation.LevelFindings());
        Assert.Equal("OTL0104", finding.Id);
        Assert.Equal(FindingSeverity.Warning, finding.Severity);
        Assert.Equal(LineageLevel.OpenScience, evaluation.AchievedLevel);
    }

    [Fact]
    public void Wrong_types_and_enumeration_values_are_errors()
    {
        string json = Fixture.With("\"size\": 12", "\"size\": \"12\"").Replace("\"role\": \"fine-tuning\"", "\"role\": \"training\"");

        var findings = Fixture.Evaluate(json).LevelFindings().Where(f => f.Id == "OTL0101").Select(f => f.JsonPath).ToList();

        Assert.Contains("$.weights.files[0].size", findings);
        Assert.Contains("$.training.data.datasets[0].role", findings);
    }

    [Fact]
    public void Closed_data_needs_a_justification_and_a_description_of_the_data()
    {
        string json = Fixture.With("\"availability\": \"open\",\n      \"license\": \"CC-BY-4.0\",\n      \"description\": \"One labelled corpus", "\"availability\": \"closed\",\n      \"license\": \"CC-BY-4.0\",\n      \"description\": \"One labelled corpus");

        var evaluation = Fixture.Evaluate(json);

        Assert.Contains(evaluation.LevelFindings(), f => f.Id == "OTL0300" && f.JsonPath == "$.training.data.justification" && f.RequiredBy == LineageLevel.Declared);
    }

    [Fact]
    public void Open_data_cannot_contain_a_closed_dataset()
    {
        string json = Fixture.With(
            "\"availability\": \"open\",\n          \"license\": \"CC-BY-4.0\",\n          \"description\": \"Ten thousand",
            "\"availability\": \"closed\",\n          \"justification\": \"The reviews contain customer names.\",\n          \"license\": \"CC-BY-4.0\",\n          \"description\": \"Ten thousand");

        var evaluation = Fixture.Evaluate(json);

        var contradiction = Assert.Single(evaluation.LevelFindings(), f => f.Id == "OTL0308");
        Assert.Equal("$.training.data.availability", contradiction.JsonPath);
        Assert.Equal(LineageLevel.None, evaluation.AchievedLevel);
    }

    [Fact]
    public void Not_applicable_is_refused_for_the_architecture()
    {
        string json = Fixture.With("\"availability\": \"open\",\n        \"license\": \"MIT\",\n        \"description\": \"A two-layer", "\"availability\": \"not-applicable\",\n        \"license\": \"MIT\",\n        \"description\": \"A two-layer");

        Assert.Contains(Fixture.Evaluate(json).LevelFindings(), f => f.Id == "OTL0307" && f.JsonPath == "$.training.configuration.architecture.availability");
    }

    [Fact]
    public void A_metric_on_an_unknown_dataset_is_an_error()
    {
        string json = Fixture.With("{\"dataset\": \"reviews\"", "{\"dataset\": \"review\"");

        var finding = Assert.Single(Fixture.Evaluate(json).LevelFindings());

        Assert.Equal("OTL0309", finding.Id);
        Assert.Equal("$.training.evaluation.metrics[0].dataset", finding.JsonPath);
    }

    [Fact]
    public void An_unsupported_manifest_version_is_reported()
    {
        string json = Fixture.With("\"manifestVersion\": \"1.0\"", "\"manifestVersion\": \"2.0\"");

        Assert.Equal("OTL0102", Assert.Single(Fixture.Evaluate(json).LevelFindings()).Id);
    }

    [Fact]
    public void A_manifest_that_is_not_an_object_reaches_no_level()
    {
        var evaluation = Fixture.Evaluate("[1, 2]");

        Assert.Equal("OTL0101", Assert.Single(evaluation.LevelFindings()).Id);
        Assert.Equal(LineageLevel.None, evaluation.AchievedLevel);
    }

    [Fact]
    public void A_research_paper_under_a_non_commercial_licence_is_not_open_science()
    {
        string json = Fixture.With(
            "\"license\": \"CC-BY-4.0\",\n      \"description\": \"The paper",
            "\"license\": \"CC-BY-NC-4.0\",\n      \"description\": \"The paper");

        var finding = Assert.Single(Fixture.Evaluate(json).LevelFindings());

        Assert.Equal("OTL0402", finding.Id);
        Assert.Equal("$.documentation.researchPaper.license", finding.JsonPath);
    }

    [Fact]
    public void NONE_as_the_model_licence_is_declared_but_not_open()
    {
        string json = Fixture.With("\"license\": \"CC-BY-4.0\",\n    \"task\"", "\"license\": \"NONE\",\n    \"task\"");

        var evaluation = Fixture.Evaluate(json);

        var finding = Assert.Single(evaluation.LevelFindings());
        Assert.Equal("OTL0404", finding.Id);
        Assert.Equal(LineageLevel.OpenWeights, finding.RequiredBy);
        Assert.Equal(LineageLevel.Declared, evaluation.AchievedLevel);
    }

    [Fact]
    public void An_invalid_licence_on_checkpoints_only_costs_open_science_and_is_reported_once()
    {
        string json = Fixture.With(
            "\"license\": \"CC-BY-4.0\",\n      \"description\": \"One checkpoint",
            "\"license\": \"CC BY\",\n      \"description\": \"One checkpoint");

        var evaluation = Fixture.Evaluate(json);

        var finding = Assert.Single(evaluation.LevelFindings());
        Assert.Equal("OTL0401", finding.Id);
        Assert.Equal(LineageLevel.OpenScience, finding.RequiredBy);
        Assert.Equal(LineageLevel.OpenTooling, evaluation.AchievedLevel);
    }

    [Fact]
    public void An_unpinned_location_is_one_finding_in_a_strict_build()
    {
        string json = Fixture.With(
            "https://github.com/fixture/train/blob/2e86cf8b45db2b56ae15569ca2f5de96ac0aa755/train.py",
            "https://github.com/fixture/train/blob/main/train.py");

        var reported = Fixture.Evaluate(json).FindingsFor(LineageLevel.OpenTooling).ToList();

        var finding = Assert.Single(reported);
        Assert.Equal("OTL0305", finding.Id);
        Assert.Equal(FindingSeverity.Error, finding.Severity);
    }

    [Fact]
    public void Inference_code_may_be_not_applicable_below_open_tooling()
    {
        string json = Fixture.With(
            "\"availability\": \"open\",\n    \"license\": \"MIT\",\n    \"description\": \"The ONNX Runtime wrapper that serves the model.\",",
            "\"availability\": \"not-applicable\", \"justification\": \"Served only through the vendor's hosted API.\",\n    \"license\": \"MIT\",\n    \"description\": \"The ONNX Runtime wrapper that serves the model.\",");

        var evaluation = Fixture.Evaluate(json);

        Assert.Equal(LineageLevel.OpenWeights, evaluation.AchievedLevel);
        Assert.Contains(evaluation.LevelFindings(), f => f.Id == "OTL0303" && f.JsonPath == "$.inference.availability" && f.RequiredBy == LineageLevel.OpenTooling);
    }

    [Fact]
    public void A_component_of_the_wrong_type_is_reported_once_by_the_reader_not_as_missing_fields()
    {
        string json = Fixture.With("\"model\": {", "\"model\": \"sentiment\", \"unused\": {");

        var evaluation = Fixture.Evaluate(json);

        Assert.Contains(evaluation.Findings, f => f.Id == "OTL0101" && f.JsonPath == "$.model");
        Assert.DoesNotContain(evaluation.Findings, f => f.JsonPath.StartsWith("$.model.", StringComparison.Ordinal));
        Assert.Equal(LineageLevel.None, evaluation.AchievedLevel);
    }
}
