namespace OpenTrain.Lineage.Tests;

/// <summary>The OSI Open Source AI Definition 1.0 profile: orthogonal to the levels, reported only when enabled.</summary>
public class OsaidProfileTests
{
    [Fact]
    public void The_complete_fixture_meets_the_profile()
    {
        var evaluation = Fixture.Evaluate(Fixture.Complete);

        Assert.True(evaluation.Satisfies(CompletenessPolicy.OsaidProfile));
        Assert.Empty(evaluation.FindingsFor(LineageLevel.OpenScience, new[] { CompletenessPolicy.OsaidProfile }));
    }

    [Fact]
    public void Closed_training_code_fails_the_profile_without_lowering_the_level()
    {
        string json = Fixture.With(
            "\"availability\": \"open\",\n      \"license\": \"MIT\",\n      \"description\": \"The training loop and its launcher script.\",",
            "\"availability\": \"closed\", \"justification\": \"The launcher embeds credentials of our cluster.\",\n      \"license\": \"MIT\",\n      \"description\": \"The training loop and its launcher script.\",");

        var evaluation = Fixture.Evaluate(json);

        Assert.Equal(LineageLevel.OpenWeights, evaluation.AchievedLevel); // open-tooling needs open code; open-weights does not
        Assert.False(evaluation.Satisfies(CompletenessPolicy.OsaidProfile));
        var profile = Assert.Single(evaluation.FindingsFor(LineageLevel.Declared, new[] { "osaid-1.0" }));
        Assert.Equal(("OTL0303", "$.training.code.availability", "osaid-1.0"), (profile.Id, profile.JsonPath, profile.Profile));
        Assert.Empty(evaluation.FindingsFor(LineageLevel.Declared));
    }

    [Fact]
    public void A_level_and_the_profile_asking_for_the_same_element_report_it_once()
    {
        string json = Fixture.With(
            "\"availability\": \"open\",\n      \"license\": \"MIT\",\n      \"description\": \"The training loop and its launcher script.\",",
            "\"availability\": \"closed\", \"justification\": \"The launcher embeds credentials of our cluster.\",\n      \"license\": \"MIT\",\n      \"description\": \"The training loop and its launcher script.\",");

        var reported = Fixture.Evaluate(json).FindingsFor(LineageLevel.OpenTooling, new[] { "osaid-1.0" }).ToList();

        var finding = Assert.Single(reported);
        Assert.Null(finding.Profile);
    }

    [Fact]
    public void Closed_but_described_data_meets_the_profile()
    {
        string json = Fixture.With(
            "\"availability\": \"open\",\n      \"license\": \"CC-BY-4.0\",\n      \"description\": \"One labelled corpus",
            "\"availability\": \"closed\", \"justification\": \"The reviews contain customer names.\",\n      \"license\": \"CC-BY-4.0\",\n      \"description\": \"One labelled corpus")
            .Replace(
                "\"availability\": \"open\",\n          \"license\": \"CC-BY-4.0\",\n          \"description\": \"Ten thousand",
                "\"availability\": \"closed\", \"justification\": \"They contain customer names.\",\n          \"license\": \"CC-BY-4.0\",\n          \"description\": \"Ten thousand",
                StringComparison.Ordinal);

        var evaluation = Fixture.Evaluate(json);

        Assert.True(evaluation.Satisfies(CompletenessPolicy.OsaidProfile), string.Join("\n", evaluation.Findings));
        Assert.True(evaluation.AchievedLevel < LineageLevel.OpenScience);
    }

    [Fact]
    public void A_supporting_library_under_a_non_osi_licence_fails_the_profile()
    {
        string json = Fixture.With(
            "\"framework\": [{\"name\": \"PyTorch\", \"version\": \"2.3.1\"}]",
            "\"framework\": [{\"name\": \"PyTorch\", \"version\": \"2.3.1\"}], \"supportingLibraries\": [{\"name\": \"fastdedup\", \"version\": \"1.0\", \"license\": \"BUSL-1.1\"}]");

        var profile = Assert.Single(Fixture.Evaluate(json).FindingsFor(LineageLevel.Declared, new[] { "osaid-1.0" }));

        Assert.Equal(("OTL0402", "$.training.code.supportingLibraries[0].license"), (profile.Id, profile.JsonPath));
    }
}
