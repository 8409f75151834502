using OpenTrain.Lineage;

namespace OpenTrain.Lineage.Tests;

/// <summary>The embedded licence classification, the Hub mapping and the policy's expression semantics.</summary>
public class LicensePolicyTests
{
    [Fact]
    public void Every_category_of_the_embedded_classification_has_at_least_one_licence()
    {
        Assert.Contains("non-commercial", LicenseCategories.All);
        Assert.Contains("permissive", LicenseCategories.All);
        Assert.Contains("unknown", LicenseCategories.All);
        var used = LicenseCategories.Licences.SelectMany(l => l.Value).ToHashSet(StringComparer.Ordinal);
        Assert.All(LicenseCategories.All, c => Assert.True(used.Contains(c), $"category '{c}' has no licence"));
        // Every licence's categories are declared ones: a typo in the table cannot create a category nobody can deny.
        Assert.All(LicenseCategories.Licences, l => Assert.All(l.Value, c => Assert.Contains(c, LicenseCategories.All)));
        Assert.True(LicenseCategories.Licences.Count() > 2000);
        Assert.StartsWith("oss-review-toolkit/ort-config@", LicenseCategories.Source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MIT", "permissive")]
    [InlineData("mit", "permissive")]
    [InlineData("CC0-1.0", "public-domain")]
    [InlineData("GPL-3.0-only", "copyleft")]
    [InlineData("GPL-2.0+", "copyleft")]
    [InlineData("CC-BY-NC-4.0", "non-commercial")]
    [InlineData("CC-BY-NC-SA-4.0", "non-commercial")]
    [InlineData("LicenseRef-scancode-llama-2-license-2023", "proprietary-free")]
    [InlineData("OpenMDW-1.0", "permissive")]
    [InlineData("NOASSERTION", "unknown")]
    [InlineData("NONE", "unknown")]
    [InlineData("", "unknown")]
    [InlineData("LicenseRef-Acme-Community-1.0", "unknown")]
    [InlineData("LicenseRef-scancode-no-such-key", "unknown")]
    public void Licence_ids_have_their_scancode_category(string id, string category) =>
        Assert.Contains(category, LicenseCategories.Of(id));

    [Fact]
    public void Non_commercial_is_only_added_to_creative_commons_nc_licences()
    {
        Assert.DoesNotContain("non-commercial", LicenseCategories.Of("CC-BY-4.0"));
        Assert.DoesNotContain("non-commercial", LicenseCategories.Of("CC-BY-ND-4.0"));
        Assert.Contains("source-available", LicenseCategories.Of("CC-BY-NC-4.0"));
    }

    public static TheoryData<string> HubIds() => new(LicenseCategories.HubIds.Concat(new[] { "cc-by-nc-4.0", "cc-by-nc-sa-4.0", "cc-by-nc-nd-4.0", "cc-by-nc-2.0" }));

    [Theory]
    [MemberData(nameof(HubIds))]
    public void Hub_licence_ids_map_to_a_category_the_way_the_scaffold_writes_them(string hubId)
    {
        // What the scaffold writes for the id (SPDX, or LicenseRef-<id>) is what the policy classifies.
        var written = HubLicenses.Map(hubId)!;
        var categories = LicenseCategories.Of(written.Expression);
        Assert.DoesNotContain("unknown", categories);
        Assert.Equal(categories, LicenseCategories.Of(hubId));
    }

    [Theory]
    [InlineData("llama2", "proprietary-free")]
    [InlineData("llama3", "proprietary-free")]
    [InlineData("llama3.1", "proprietary-free")]
    [InlineData("gemma", "proprietary-free")]
    [InlineData("openrail++", "proprietary-free")]
    [InlineData("creativeml-openrail-m", "proprietary-free")]
    [InlineData("bigscience-bloom-rail-1.0", "proprietary-free")]
    [InlineData("cc-by-nc-4.0", "non-commercial")]
    public void Model_licences_people_meet_have_their_category(string hubId, string category) =>
        Assert.Contains(category, LicenseCategories.Of(HubLicenses.Map(hubId)!.Expression));

    [Fact]
    public void Other_with_a_license_name_is_unknown_unless_the_name_is_classified()
    {
        Assert.Equal(new[] { "unknown" }, LicenseCategories.Of(HubLicenses.Map("other", "Acme Model Licence")!.Expression));
    }

    [Theory]
    [InlineData("MIT", "non-commercial", true)]
    [InlineData("CC-BY-NC-4.0", "non-commercial", false)]
    [InlineData("MIT OR CC-BY-NC-4.0", "non-commercial", true)]
    [InlineData("MIT AND CC-BY-NC-4.0", "non-commercial", false)]
    [InlineData("(CC-BY-NC-4.0 OR CC-BY-NC-SA-4.0) AND MIT", "non-commercial", false)]
    [InlineData("(CC-BY-NC-4.0 OR Apache-2.0) AND MIT", "non-commercial", true)]
    [InlineData("GPL-2.0-only WITH Classpath-exception-2.0", "copyleft", false)]
    [InlineData("Apache-2.0 WITH LLVM-exception", "copyleft", true)]
    [InlineData("MIT", "MIT", false)]
    [InlineData("mit", "MIT", false)]
    [InlineData("NOASSERTION", "unknown", false)]
    [InlineData("MIT AND (", "unknown", false)]
    [InlineData("MIT AND (", "non-commercial", true)]
    [InlineData("LicenseRef-Acme-1.0", "LicenseRef-Acme-1.0", false)]
    [InlineData("LicenseRef-llama3.1", "llama3.1", false)]
    [InlineData("LicenseRef-openrail-plus-plus", "openrail++", false)]
    [InlineData("LicenseRef-llama3.1", "LicenseRef-llama3.2", true)]
    public void Denylist_follows_spdx_expression_semantics(string expression, string denied, bool allowed) =>
        Assert.Equal(allowed, LicensePolicy.Parse(denied, null, null).Judge(expression).Allowed);

    [Theory]
    [InlineData("MIT", true)]
    [InlineData("CC-BY-SA-4.0", false)]
    [InlineData("CC-BY-SA-4.0 OR CC0-1.0", true)]
    [InlineData("Apache-2.0 AND GPL-3.0-only", false)]
    [InlineData("NOASSERTION", false)]
    [InlineData(null, false)]
    public void Allowlist_denies_everything_not_on_it(string? expression, bool allowed) =>
        Assert.Equal(allowed, LicensePolicy.Parse(null, "permissive;public-domain", null).Judge(expression).Allowed);

    [Fact]
    public void A_denied_expression_names_each_offending_licence_with_its_category_and_rule()
    {
        var verdict = LicensePolicy.Parse("non-commercial;GPL-3.0-only", null, null).Judge("(MIT AND CC-BY-NC-4.0) OR GPL-3.0-only");
        Assert.False(verdict.Allowed);
        Assert.Equal(new[] { "CC-BY-NC-4.0", "GPL-3.0-only" }, verdict.Denied.Select(d => d.Id));
        Assert.Equal("OpenTrainDeniedLicenses 'non-commercial'", verdict.Denied[0].Rule);
        Assert.Equal("OpenTrainDeniedLicenses 'GPL-3.0-only'", verdict.Denied[1].Rule);
        Assert.Contains("non-commercial", verdict.Denied[0].Categories);
    }

    [Fact]
    public void The_denying_rule_names_the_entry_as_the_property_wrote_it()
    {
        var verdict = LicensePolicy.Parse("llama3.1", null, null).Judge("LicenseRef-llama3.1");
        Assert.Equal("OpenTrainDeniedLicenses 'llama3.1'", Assert.Single(verdict.Denied).Rule);
    }

    [Fact]
    public void Policy_entries_and_scopes_that_mean_nothing_are_problems_and_scope_fails_closed()
    {
        var policy = LicensePolicy.Parse("non-comercial;MIT", "Apache2", "weights;trainingdata");
        Assert.Equal(3, policy.Problems.Count);
        Assert.Contains(policy.Problems, p => p.Contains("'non-comercial'", StringComparison.Ordinal));
        Assert.Contains(policy.Problems, p => p.Contains("'trainingdata'", StringComparison.Ordinal));
        Assert.Equal(LicenseScope.Weights, policy.Scope);
        Assert.Equal(LicensePolicy.DefaultScope, LicensePolicy.Parse("MIT", null, "nonsense").Scope);
        Assert.False(LicensePolicy.Parse(" ; ", "", null).IsActive);
    }

    [Fact]
    public void Hostile_expressions_never_throw()
    {
        var policy = LicensePolicy.Parse("unknown", null, null);
        foreach (var text in new[] { "(((((", ")", "AND", "MIT WITH", "MIT WITH (", "OR OR", new string('(', 1_000_000), "MIT\u0000", "WITH WITH WITH" })
        {
            Assert.False(policy.Judge(text).Allowed);
        }
    }
}
