using OpenTrain.Lineage;

namespace OpenTrain.Lineage.Tests;

public class LicenseAndLevelTests
{
    [Theory]
    [InlineData("MIT", ContentKind.Code, "Open")]
    [InlineData("Apache-2.0 WITH LLVM-exception", ContentKind.Code, "Open")]
    [InlineData("MIT OR CC-BY-NC-4.0", ContentKind.Code, "Open")]
    [InlineData("MIT AND CC-BY-NC-4.0", ContentKind.Code, "NotOpen")]
    [InlineData("(MIT OR GPL-3.0-only) AND Apache-2.0", ContentKind.Code, "Open")]
    [InlineData("CC-BY-4.0", ContentKind.Code, "NotOpen")]
    [InlineData("CC-BY-4.0", ContentKind.Data, "Open")]
    [InlineData("MIT", ContentKind.Data, "Open")]
    [InlineData("CC-BY-SA-4.0", ContentKind.Document, "Open")]
    [InlineData("NOASSERTION", ContentKind.Data, "NoAssertion")]
    [InlineData("LicenseRef-Vendor", ContentKind.Data, "NoAssertion")]
    [InlineData("(MIT", ContentKind.Code, "Invalid")]
    [InlineData("MIT OR", ContentKind.Code, "Invalid")]
    [InlineData("MIT, Apache-2.0", ContentKind.Code, "Invalid")]
    [InlineData("Apache 2", ContentKind.Code, "Invalid")]
    [InlineData("Made-Up-1.0", ContentKind.Data, "Invalid")]
    [InlineData("GPL-2.0+", ContentKind.Code, "Open")]
    [InlineData("gpl-3.0-only", ContentKind.Code, "Open")]
    [InlineData("SSPL-1.0", ContentKind.Code, "NotOpen")]
    [InlineData("BUSL-1.1", ContentKind.Code, "NotOpen")]
    [InlineData("OpenMDW-1.0", ContentKind.Code, "Open")]
    [InlineData("CDLA-Permissive-2.0", ContentKind.Data, "Open")]
    public void Licence_expressions_are_judged_per_content_kind(string expression, ContentKind kind, string expected)
    {
        Assert.Equal(expected, Licenses.Judge(expression, kind).Status.ToString());
    }

    [Theory]
    [InlineData("declared", LineageLevel.Declared)]
    [InlineData(" Open-Weights ", LineageLevel.OpenWeights)]
    [InlineData("mof-ii", LineageLevel.OpenTooling)]
    [InlineData("open-science", LineageLevel.OpenScience)]
    public void Level_names_parse(string text, LineageLevel expected)
    {
        Assert.True(LineageLevels.TryParse(text, out var level));
        Assert.Equal(expected, level);
        Assert.True(LineageLevels.TryParse(level.ToName(), out var roundTrip));
        Assert.Equal(level, roundTrip);
    }

    [Theory]
    [InlineData("")]
    [InlineData("open")]
    [InlineData("mof-iv")]
    public void Unknown_level_names_are_refused(string text)
    {
        Assert.False(LineageLevels.TryParse(text, out _));
    }

    [Fact]
    public void The_embedded_spdx_list_is_versioned_and_complete()
    {
        Assert.Equal("spdx-license-list@6.12.0", SpdxLicenseList.Version);
        Assert.True(SpdxLicenseList.IsOsiApproved("MIT"));
        Assert.False(SpdxLicenseList.IsOsiApproved("CC-BY-4.0"));
        Assert.True(SpdxLicenseList.IsKnown("CC-BY-NC-ND-4.0"));
    }

    [Fact]
    public void Every_rule_has_a_unique_id_and_a_help_link_to_its_page()
    {
        Assert.Equal(LineageRules.All.Count, LineageRules.All.Select(r => r.Id).Distinct().Count());
        Assert.All(LineageRules.All, r => Assert.EndsWith("docs/rules/" + r.Id + ".md", r.HelpLink, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_rule_has_its_page_and_a_row_in_the_rules_index()
    {
        string rules = Path.Combine(Fixture.RepoRoot, "docs", "rules");
        string index = File.ReadAllText(Path.Combine(rules, "README.md"));
        Assert.All(LineageRules.All, r =>
        {
            string page = Path.Combine(rules, r.Id + ".md");
            Assert.True(File.Exists(page), $"{r.Id} has no page docs/rules/{r.Id}.md");
            string text = File.ReadAllText(page);
            Assert.StartsWith($"# {r.Id}: ", text, StringComparison.Ordinal);
            Assert.True(text.Contains("**Severity:** " + r.DefaultSeverity.ToString().ToLowerInvariant(), StringComparison.Ordinal),
                $"docs/rules/{r.Id}.md does not state the rule's severity ({r.DefaultSeverity})");
            Assert.Contains($"[{r.Id}]({r.Id}.md)", index, StringComparison.Ordinal);
        });
    }
}
