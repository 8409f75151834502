namespace OpenTrain.Lineage.Tests;

/// <summary>
/// Issue 25: the places where readers of the level table had to guess. Each test is one resolved point: the manifest
/// that was ambiguous, the level it gets and the finding that says why. The answers are stated once, in the generated
/// table of docs/manifest.md (and under "Reading the level table").
/// </summary>
public class LevelTableResolutionTests
{
    private const string ParentSha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    // The complete fixture (open-science) as a quantisation of a vendored parent: no training happened in this step.
    private static string Quantized(string json) => json.Replace(
        "\"lineage\": {\"derivation\": \"from-scratch\"}",
        "\"lineage\": {\"derivation\": \"quantized\", \"parents\": [{\"name\": \"fixture/base\", \"relation\": \"quantized\", "
        + "\"manifest\": {\"path\": \"base.lineage.json\", \"sha256\": \"" + ParentSha + "\", \"assertedBy\": \"third-party\"}}]}");

    private const string NotApplicableInference =
        "\"inference\": {\"availability\": \"not-applicable\", \"justification\": \"The weights are served by the parent's published runtime.\"},\n  \"documentation\"";

    private static LineageEvaluation Evaluate(string json) => Fixture.Evaluate(json);

    private static List<LineageFinding> Errors(LineageEvaluation evaluation) =>
        evaluation.LevelFindings().Where(f => f.Severity == FindingSeverity.Error).ToList();

    private static string WithInference(string json, string replacement)
    {
        int start = json.IndexOf("\"inference\": {", StringComparison.Ordinal);
        int end = json.IndexOf("\"documentation\"", start, StringComparison.Ordinal);
        Assert.True(start > 0 && end > start);
        return json.Substring(0, start) + replacement + json.Substring(end + "\"documentation\"".Length);
    }

    [Fact]
    public void The_complete_fixture_is_open_science_so_each_change_below_is_what_costs_the_level()
    {
        Assert.Equal(LineageLevel.OpenScience, Evaluate(Fixture.Complete).AchievedLevel);
        Assert.Equal(LineageLevel.OpenScience, Evaluate(Quantized(Fixture.Complete)).AchievedLevel);
    }

    // not-applicable: inference of a trained model is not open, so open-tooling fails where it asks for it.
    [Fact]
    public void Not_applicable_inference_of_a_trained_model_is_not_open_at_open_tooling()
    {
        var evaluation = Evaluate(WithInference(Fixture.Complete, NotApplicableInference));

        Assert.Equal(LineageLevel.OpenWeights, evaluation.AchievedLevel);
        var finding = Assert.Single(Errors(evaluation));
        Assert.Equal(("OTL0303", "$.inference.availability", LineageLevel.OpenTooling), (finding.Id, finding.JsonPath, finding.RequiredBy));
    }

    // not-applicable: for a quantisation the parent supplies inference and documents (and caps the chain's level).
    [Fact]
    public void Not_applicable_inference_and_model_card_of_a_quantisation_satisfy_their_rows()
    {
        string json = WithInference(Quantized(Fixture.Complete), NotApplicableInference);
        int card = json.IndexOf("\"modelCard\": {", StringComparison.Ordinal);
        int dataCard = json.IndexOf("\"dataCard\"", card, StringComparison.Ordinal);
        json = json.Substring(0, card)
            + "\"modelCard\": {\"availability\": \"not-applicable\", \"justification\": \"The parent's model card covers this quantisation.\"},\n    "
            + json.Substring(dataCard);

        var evaluation = Evaluate(json);

        Assert.Empty(Errors(evaluation));
        Assert.Equal(LineageLevel.OpenScience, evaluation.AchievedLevel);
    }

    [Fact]
    public void Not_applicable_is_never_accepted_for_the_evaluation_code()
    {
        var evaluation = Evaluate(Fixture.With(
            "\"code\": {\n        \"availability\": \"open\",\n        \"license\": \"MIT\",\n        \"description\": \"The evaluation script that computes accuracy.\",",
            "\"code\": {\n        \"availability\": \"not-applicable\", \"justification\": \"Accuracy was computed by hand.\",\n        \"license\": \"MIT\",\n        \"description\": \"The evaluation script that computes accuracy.\","));

        Assert.Equal(LineageLevel.None, evaluation.AchievedLevel);
        var finding = Assert.Single(Errors(evaluation));
        Assert.Equal(("OTL0307", "$.training.evaluation.code.availability", LineageLevel.Declared), (finding.Id, finding.JsonPath, finding.RequiredBy));
    }

    [Fact]
    public void Not_applicable_processing_of_a_trained_model_is_accepted_with_its_justification()
    {
        string json = Fixture.Complete;
        int start = json.IndexOf("\"processing\": {", StringComparison.Ordinal);
        int end = json.IndexOf("\"configuration\"", start, StringComparison.Ordinal);
        json = json.Substring(0, start) + "\"processing\": {\"availability\": \"not-applicable\", \"justification\": \"The corpus is used exactly as exported.\"},\n    " + json.Substring(end);

        Assert.Equal(LineageLevel.OpenScience, Evaluate(json).AchievedLevel);

        var unexplained = Evaluate(json.Replace(", \"justification\": \"The corpus is used exactly as exported.\"", string.Empty));
        Assert.Equal("OTL0307", Assert.Single(Errors(unexplained)).Id);
        Assert.Equal(LineageLevel.None, unexplained.AchievedLevel);
    }

    // Open benchmark: the evaluation row at open-tooling asks for one metric on an open, openly licensed dataset.
    [Fact]
    public void Metrics_only_on_a_non_commercial_dataset_stop_at_open_weights()
    {
        var evaluation = Evaluate(Fixture.With(
            "\"role\": \"fine-tuning\",\n          \"availability\": \"open\",\n          \"license\": \"CC-BY-4.0\"",
            "\"role\": \"fine-tuning\",\n          \"availability\": \"open\",\n          \"license\": \"CC-BY-NC-4.0\""));

        Assert.Equal(LineageLevel.OpenWeights, evaluation.AchievedLevel);
        Assert.Contains(Errors(evaluation), f => (f.Id, f.JsonPath, f.RequiredBy) == ("OTL0303", "$.training.evaluation.metrics", LineageLevel.OpenTooling));
    }

    // Paper and report: the document that satisfies open-weights has its licence and pin checked there.
    [Fact]
    public void A_paper_under_a_non_commercial_licence_fails_open_weights()
    {
        var evaluation = Evaluate(Fixture.With(
            "\"license\": \"CC-BY-4.0\",\n      \"description\": \"The paper that",
            "\"license\": \"CC-BY-NC-ND-4.0\",\n      \"description\": \"The paper that"));

        Assert.Equal(LineageLevel.Declared, evaluation.AchievedLevel);
        var finding = Assert.Single(Errors(evaluation));
        Assert.Equal(("OTL0402", "$.documentation.researchPaper.license", LineageLevel.OpenWeights), (finding.Id, finding.JsonPath, finding.RequiredBy));
    }

    [Fact]
    public void An_unpinned_paper_fails_open_weights()
    {
        var evaluation = Evaluate(Fixture.With("\"url\": \"https://arxiv.org/abs/2501.01234\", \"revision\": \"2501.01234v2\"", "\"url\": \"https://arxiv.org/abs/2501.01234\""));

        Assert.Equal(LineageLevel.Declared, evaluation.AchievedLevel);
        var finding = Assert.Single(Errors(evaluation));
        Assert.Equal(("OTL0305", LineageLevel.OpenWeights), (finding.Id, finding.RequiredBy));
        Assert.StartsWith("$.documentation.researchPaper.locations", finding.JsonPath, StringComparison.Ordinal);
    }

    // Licences that assert nothing (NOASSERTION, NONE, LicenseRef-) are valid SPDX: they pass declared and fail open-weights.
    [Theory]
    [InlineData("NOASSERTION")]
    [InlineData("NONE")]
    [InlineData("LicenseRef-Vendor-Model-License")]
    public void A_model_licence_that_asserts_no_open_terms_is_declared(string license)
    {
        var evaluation = Evaluate(Fixture.With("\"license\": \"CC-BY-4.0\",\n    \"task\"", $"\"license\": \"{license}\",\n    \"task\""));

        Assert.Equal(LineageLevel.Declared, evaluation.AchievedLevel);
        var finding = Assert.Single(Errors(evaluation));
        Assert.Equal(("OTL0404", "$.model.license", LineageLevel.OpenWeights), (finding.Id, finding.JsonPath, finding.RequiredBy));
    }

    [Fact]
    public void A_model_licence_that_is_not_spdx_fails_declared()
    {
        var evaluation = Evaluate(Fixture.With("\"license\": \"CC-BY-4.0\",\n    \"task\"", "\"license\": \"Apache 2\",\n    \"task\""));

        Assert.Equal(LineageLevel.None, evaluation.AchievedLevel);
        Assert.Equal(("OTL0401", LineageLevel.Declared), Errors(evaluation).Select(f => (f.Id, f.RequiredBy)).Single());
    }

    // A licence not open for its content costs the level that asks for the component open, never declared.
    [Fact]
    public void Training_code_under_a_content_licence_fails_open_tooling_not_declared()
    {
        var evaluation = Evaluate(Fixture.With(
            "\"license\": \"MIT\",\n      \"description\": \"The training loop",
            "\"license\": \"CC-BY-NC-4.0\",\n      \"description\": \"The training loop"));

        Assert.Equal(LineageLevel.OpenWeights, evaluation.AchievedLevel);
        var finding = Assert.Single(Errors(evaluation));
        Assert.Equal(("OTL0402", "$.training.code.license", LineageLevel.OpenTooling), (finding.Id, finding.JsonPath, finding.RequiredBy));
    }

    // Evaluation datasets at declared: a ref to a training dataset is enough; an own dataset is described like one.
    [Fact]
    public void An_evaluation_dataset_that_refers_to_a_training_dataset_needs_nothing_more()
    {
        var evaluation = Evaluate(Fixture.With("\"metrics\": [", "\"datasets\": [{\"ref\": \"reviews\"}],\n      \"metrics\": ["));

        Assert.Equal(LineageLevel.OpenScience, evaluation.AchievedLevel);
        Assert.Empty(Errors(evaluation));
    }

    [Fact]
    public void An_own_evaluation_dataset_with_only_a_description_fails_declared()
    {
        var evaluation = Evaluate(Fixture.With(
            "\"metrics\": [{\"dataset\": \"reviews\"",
            "\"datasets\": [{\"id\": \"probe\", \"name\": \"Probe set\", \"availability\": \"closed\", \"description\": \"Two hundred reviews written by staff.\", \"justification\": \"Written by staff under a confidentiality agreement.\"}],\n"
            + "      \"metrics\": [{\"dataset\": \"probe\", \"metric\": \"accuracy\", \"value\": 0.88}, {\"dataset\": \"reviews\""));

        Assert.Equal(LineageLevel.None, evaluation.AchievedLevel);
        var missing = Errors(evaluation).Where(f => f.RequiredBy == LineageLevel.Declared).Select(f => (f.Id, f.JsonPath)).ToList();
        Assert.Equal(
            new[]
            {
                ("OTL0300", "$.training.evaluation.datasets[0].sources"),
                ("OTL0300", "$.training.evaluation.datasets[0].collection"),
                ("OTL0300", "$.training.evaluation.datasets[0].cleaning"),
                ("OTL0300", "$.training.evaluation.datasets[0].labeling"),
            },
            missing);
    }

    // Unstated case: a restricted aggregate lists its datasets, like an open one.
    [Fact]
    public void A_restricted_aggregate_without_datasets_fails_declared()
    {
        string json = Fixture.Complete;
        int start = json.IndexOf("\"data\": {", StringComparison.Ordinal);
        int end = json.IndexOf("\"processing\"", start, StringComparison.Ordinal);
        json = json.Substring(0, start)
            + "\"data\": {\"availability\": \"restricted\", \"description\": \"Reviews licensed from the shop under contract.\", "
            + "\"locations\": [{\"url\": \"https://fixture-shop.org/data-access\"}], \"accessConditions\": \"Researchers sign the shop's data agreement.\"},\n    "
            + json.Substring(end);

        var evaluation = Evaluate(json);

        Assert.Equal(LineageLevel.None, evaluation.AchievedLevel);
        Assert.Contains(Errors(evaluation), f => (f.Id, f.JsonPath, f.RequiredBy) == ("OTL0300", "$.training.data.datasets", LineageLevel.Declared));
    }

    // Unstated case: closed training code need not name its framework; a framework it names is not checked.
    [Fact]
    public void Closed_training_code_with_a_framework_without_version_is_declared()
    {
        string json = Fixture.Complete;
        int start = json.IndexOf("\"code\": {", StringComparison.Ordinal);
        int end = json.IndexOf("\"evaluation\"", start, StringComparison.Ordinal);
        json = json.Substring(0, start)
            + "\"code\": {\"availability\": \"closed\", \"description\": \"The training loop and its launcher script.\", "
            + "\"justification\": \"The launcher embeds the lab's cluster credentials handling.\", \"framework\": [{\"name\": \"PyTorch\"}]},\n    "
            + json.Substring(end);

        var evaluation = Evaluate(json);

        Assert.Equal(LineageLevel.OpenWeights, evaluation.AchievedLevel);
        Assert.DoesNotContain(evaluation.LevelFindings(), f => f.JsonPath.Contains("framework", StringComparison.Ordinal));
        Assert.Equal(("OTL0303", "$.training.code.availability", LineageLevel.OpenTooling), Errors(evaluation).Select(f => (f.Id, f.JsonPath, f.RequiredBy)).Single());
    }

    // Unstated case: a converted model whose evaluation is not-applicable needs no metric.
    [Fact]
    public void A_quantisation_without_evaluation_needs_no_metric()
    {
        string json = Quantized(Fixture.Complete);
        int start = json.IndexOf("\"evaluation\": {", StringComparison.Ordinal);
        int end = json.IndexOf("\"checkpoints\"", start, StringComparison.Ordinal);
        json = json.Substring(0, start) + "\"evaluation\": {\"availability\": \"not-applicable\", \"justification\": \"No evaluation of the quantised file was published.\"},\n    " + json.Substring(end);

        var evaluation = Evaluate(json);

        Assert.Empty(Errors(evaluation));
        Assert.Equal(LineageLevel.OpenScience, evaluation.AchievedLevel);
        Assert.Equal("OTL0307", Assert.Single(Errors(Evaluate(json.Replace("\"derivation\": \"quantized\"", "\"derivation\": \"finetune\"")))).Id);
    }

    // Placeholders: a placeholder word is the whole value; a marker ([More Information Needed], {{…}}, lorem ipsum, "to be added") counts anywhere in it.
    [Theory]
    [InlineData("TODO", true)]
    [InlineData("Exact duplicates removed; TODO describe the HTML stripping.", false)]
    [InlineData("Exact duplicates removed. [More Information Needed]", true)]
    [InlineData("Exact duplicates removed, then {{ cleaning_steps }}.", true)]
    [InlineData("Exact duplicates removed; more steps to be added later.", true)]
    [InlineData("Unknown duplicates were kept when the review ids differ.", false)]
    public void A_placeholder_word_is_the_whole_value_and_a_marker_counts_anywhere(string cleaning, bool placeholder)
    {
        var evaluation = Evaluate(Fixture.With("\"cleaning\": \"Exact duplicates removed, HTML stripped, reviews under five words dropped.\"", $"\"cleaning\": \"{cleaning}\""));

        var atCleaning = evaluation.LevelFindings().Where(f => f.JsonPath == "$.training.data.datasets[0].cleaning").Select(f => f.Id).ToList();
        Assert.Equal(placeholder ? new[] { "OTL0302" } : Array.Empty<string>(), atCleaning);
        Assert.Equal(placeholder ? LineageLevel.None : LineageLevel.OpenScience, evaluation.AchievedLevel);
    }

    // arXiv: a versioned identifier (vN) is immutable, in the revision or in the URL; an unversioned one follows the latest version.
    [Theory]
    [InlineData("\"url\": \"https://arxiv.org/abs/2501.01234\", \"revision\": \"2501.01234v2\"", true)]
    [InlineData("\"url\": \"https://arxiv.org/abs/2501.01234\", \"revision\": \"arXiv:2501.01234v2\"", true)]
    [InlineData("\"url\": \"https://arxiv.org/abs/2501.01234v2\"", true)]
    [InlineData("\"url\": \"https://arxiv.org/pdf/2501.01234v2\"", true)]
    [InlineData("\"url\": \"https://arxiv.org/abs/2501.01234\", \"revision\": \"2501.01234\"", false)]
    [InlineData("\"url\": \"https://arxiv.org/abs/2501.01234\"", false)]
    [InlineData("\"url\": \"https://example-mirror.org/abs/2501.01234v2\"", false)]
    public void Versioned_arxiv_identifiers_pin_a_paper(string location, bool pinned)
    {
        var evaluation = Evaluate(Fixture.With("\"url\": \"https://arxiv.org/abs/2501.01234\", \"revision\": \"2501.01234v2\"", location));

        Assert.Equal(pinned ? LineageLevel.OpenScience : LineageLevel.Declared, evaluation.AchievedLevel);
        Assert.Equal(pinned ? 0 : 1, Errors(evaluation).Count(f => f.Id == "OTL0305"));
    }

    // "Reading the level table", the declared example: manifest.md's example 4 (Llama 3.1, closed data described on
    // the aggregate, closed processing and code, a vendor licence) on the complete fixture. The walk in the docs stops
    // at the model row's open-weights cell.
    [Fact]
    public void The_declared_worked_example_stops_at_the_model_licence()
    {
        string json = Fixture.Complete.Replace("\"license\": \"CC-BY-4.0\",\n    \"task\"", "\"license\": \"LicenseRef-Llama-3.1-Community-License\",\n    \"task\"");
        json = Replace(json, "\"data\": {", "\"processing\"",
            "\"data\": {\"availability\": \"closed\", \"description\": \"About 15T multilingual tokens from publicly available sources.\", "
            + "\"justification\": \"The corpus is not released; Meta describes it in its paper.\", "
            + "\"sources\": [{\"name\": \"Publicly available web data\"}, {\"name\": \"Code\"}], "
            + "\"collection\": \"Web crawl with a custom HTML parser, mixed by domain.\", "
            + "\"cleaning\": \"PII and unsafe-site filtering, MinHash deduplication, quality classifiers.\", "
            + "\"labeling\": {\"method\": \"none\"}},\n    ");
        json = Replace(json, "\"processing\": {", "\"configuration\"",
            "\"processing\": {\"availability\": \"closed\", \"description\": \"Extraction, deduplication and quality filtering of the crawl.\", "
            + "\"justification\": \"Pipeline code not released.\", \"method\": \"Extraction, deduplication, heuristic and classifier filtering, domain mixing.\"},\n    ");
        json = Replace(json, "\"code\": {\n      \"availability\": \"open\"", "\"evaluation\"",
            "\"code\": {\"availability\": \"closed\", \"description\": \"The pre-training loop on Meta's clusters.\", \"justification\": \"Training code not released.\"},\n    ");

        // The metric is measured on a public benchmark, described as an evaluation dataset (the training data is unitemised).
        json = json.Replace("\"metrics\": [{\"dataset\": \"reviews\"",
            "\"datasets\": [{\"id\": \"mmlu\", \"name\": \"MMLU\", \"availability\": \"open\", \"license\": \"MIT\", "
            + "\"description\": \"Multiple-choice questions in 57 subjects.\", "
            + "\"locations\": [{\"url\": \"https://huggingface.co/datasets/cais/mmlu\", \"revision\": \"c30699e8356da336a370243923dbaf21066bb9fe\"}], "
            + "\"sources\": [{\"name\": \"Exam and textbook questions collected by the MMLU authors\"}], "
            + "\"collection\": \"Questions gathered from freely available practice exams and textbooks.\", "
            + "\"cleaning\": \"Questions without a single correct answer removed by the authors.\", "
            + "\"labeling\": {\"method\": \"human\", \"criteria\": \"The answer key of the source exam.\"}}],\n      "
            + "\"metrics\": [{\"dataset\": \"mmlu\"");

        var evaluation = Evaluate(json);

        Assert.Equal(LineageLevel.Declared, evaluation.AchievedLevel);
        Assert.DoesNotContain(Errors(evaluation), f => f.RequiredBy == LineageLevel.Declared);
        Assert.Equal(new[] { "OTL0404 $.model.license" }, Errors(evaluation).Where(f => f.RequiredBy == LineageLevel.OpenWeights).Select(f => f.Id + " " + f.JsonPath));
        Assert.Contains(Errors(evaluation), f => (f.Id, f.JsonPath, f.RequiredBy) == ("OTL0303", "$.training.code.availability", LineageLevel.OpenTooling));
        Assert.Contains(Errors(evaluation), f => (f.Id, f.JsonPath, f.RequiredBy) == ("OTL0303", "$.training.processing.availability", LineageLevel.OpenScience));
    }

    // Format: a layer-pruned student is 'pruned', a trained step (issue 25 found 'converted' used for one).
    [Fact]
    public void A_pruned_model_is_a_trained_step_with_parents()
    {
        string pruned = Quantized(Fixture.Complete).Replace("\"derivation\": \"quantized\"", "\"derivation\": \"pruned\"").Replace("\"relation\": \"quantized\"", "\"relation\": \"pruned\"");

        var evaluation = Evaluate(pruned);
        Assert.DoesNotContain(evaluation.Findings, f => f.Severity != FindingSeverity.Info);
        Assert.Equal(LineageLevel.OpenScience, evaluation.AchievedLevel);

        var orphan = Evaluate(Fixture.With("\"derivation\": \"from-scratch\"", "\"derivation\": \"pruned\""));
        Assert.Equal(("OTL0500", LineageLevel.Declared), Errors(orphan).Select(f => (f.Id, f.RequiredBy)).Single());

        string untrained = Replace(pruned, "\"code\": {\n      \"availability\": \"open\"", "\"evaluation\"",
            "\"code\": {\"availability\": \"not-applicable\", \"justification\": \"Layers were dropped by a script.\"},\n    ");
        Assert.Equal(("OTL0307", "$.training.code.availability"), Errors(Evaluate(untrained)).Select(f => (f.Id, f.JsonPath)).Single());
    }

    // Format: a frozen pre-trained part is a parent with relation frozen-component; the chain caps the model by it.
    [Fact]
    public void A_frozen_component_caps_a_model_trained_from_scratch()
    {
        string encoder = Fixture.With("\"checkpoints\": {", "\"checkpointsGone\": {");
        string encoderSha = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(encoder))).ToLowerInvariant();
        string model = Fixture.With(
            "\"lineage\": {\"derivation\": \"from-scratch\"}",
            "\"lineage\": {\"derivation\": \"from-scratch\", \"parents\": [{\"name\": \"openai/clip-vit-large-patch14\", \"relation\": \"frozen-component\", "
            + "\"manifest\": {\"path\": \"clip.lineage.json\", \"sha256\": \"" + encoderSha + "\", \"assertedBy\": \"third-party\"}}]}");
        var manifest = LineageManifest.Read(model);
        var own = CompletenessPolicy.Evaluate(manifest);
        Assert.DoesNotContain(own.Findings, f => f.Severity != FindingSeverity.Info);
        Assert.Equal(LineageLevel.OpenScience, own.AchievedLevel);

        var chain = LineageChain.Resolve("/m/model.lineage.json", manifest, own.AchievedLevel,
            path => path == "/m/clip.lineage.json" ? ManifestFile.Of(System.Text.Encoding.UTF8.GetBytes(encoder)) : ManifestFile.Missing("no such file"));

        Assert.Equal(LineageLevel.OpenTooling, chain.EffectiveLevel);
        var finding = Assert.Single(chain.Findings, f => f.Severity == FindingSeverity.Error);
        Assert.Equal(("OTL0503", LineageLevel.OpenScience), (finding.Id, finding.RequiredBy));
    }

    private static string Replace(string json, string from, string until, string replacement)
    {
        int start = json.IndexOf(from, StringComparison.Ordinal);
        int end = json.IndexOf(until, start, StringComparison.Ordinal);
        Assert.True(start > 0 && end > start, from);
        return json.Substring(0, start) + replacement + json.Substring(end);
    }
}
