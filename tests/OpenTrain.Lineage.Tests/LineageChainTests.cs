using System.Security.Cryptography;
using System.Text;

namespace OpenTrain.Lineage.Tests;

public class LineageChainTests
{
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    [Fact]
    public void A_fine_tune_of_an_open_science_base_stays_open_science()
    {
        Add("/m/base.lineage.json", Fixture.Complete);
        var result = Resolve(FineTune("base.lineage.json"));

        Assert.Empty(result.Findings);
        Assert.Equal(LineageLevel.OpenScience, result.EffectiveLevel);
    }

    [Fact]
    public void The_base_caps_the_effective_level_and_says_why()
    {
        Add("/m/base.lineage.json", Fixture.With("\"checkpoints\": {", "\"checkpointsGone\": {"));
        var (child, result) = ResolveWithChild(FineTune("base.lineage.json"));

        Assert.Equal(LineageLevel.OpenTooling, result.EffectiveLevel);
        var finding = Assert.Single(result.Findings);
        Assert.Equal("OTL0503", finding.Id);
        Assert.Equal(LineageLevel.OpenScience, finding.RequiredBy);
        Assert.Equal("$.lineage.parents[0].manifest.path", finding.JsonPath);
        Assert.Contains("OTL0300 $.training.checkpoints", finding.Message, StringComparison.Ordinal);
        Assert.Equal(Fixture.LineOf(child, "\"path\": \"base.lineage.json\""), finding.Range!.Value.Start.Line);
    }

    [Fact]
    public void A_changed_parent_manifest_fails_its_pin()
    {
        Add("/m/base.lineage.json", Fixture.Complete);
        string child = FineTune("base.lineage.json");
        Add("/m/base.lineage.json", Fixture.Complete + " ");

        var result = Resolve(child);

        Assert.Equal("OTL0502", Assert.Single(result.Findings).Id);
        Assert.Equal(LineageLevel.None, result.EffectiveLevel);
    }

    [Theory]
    [InlineData("gone.lineage.json", "OTL0501")]
    [InlineData("../base.lineage.json", "OTL0203")]
    public void A_missing_or_escaping_parent_is_an_error(string path, string id)
    {
        var result = Resolve(FineTune(path, sha: new string('a', 64)));

        Assert.Equal(id, Assert.Single(result.Findings).Id);
        Assert.Equal(LineageLevel.None, result.EffectiveLevel);
    }

    [Fact]
    public void A_parent_known_only_by_url_cannot_be_verified_offline()
    {
        string child = Fixture.With("\"lineage\": {\"derivation\": \"from-scratch\"}",
            "\"lineage\": {\"derivation\": \"finetune\", \"parents\": [{\"name\": \"base\", \"relation\": \"finetune\", \"manifest\": {\"url\": \"https://huggingface.co/base/lineage.json\", \"sha256\": \"" + new string('a', 64) + "\"}}]}");

        Assert.Equal("OTL0501", Assert.Single(Resolve(child).Findings).Id);
    }

    [Fact]
    public void A_cycle_is_reported_not_followed()
    {
        // a -> b -> a. Content pins make a real cycle impossible to pin both ways, so the cycle is detected before
        // b's (necessarily wrong) pin of a is checked.
        Add("/m/b.lineage.json", FineTune("a.lineage.json", sha: new string('b', 64)));
        string a = FineTune("b.lineage.json");
        Add("/m/a.lineage.json", a);

        var result = LineageChain.Resolve("/m/a.lineage.json", LineageManifest.Read(a), LineageLevel.OpenScience, Read);

        var finding = Assert.Single(result.Findings);
        Assert.Equal("OTL0504", finding.Id);
        Assert.Equal("$.lineage.parents[0].manifest.path", finding.JsonPath);
        Assert.Equal(LineageLevel.None, result.EffectiveLevel);
    }

    [Fact]
    public void A_chain_deeper_than_sixteen_stops()
    {
        Add("/m/m0.lineage.json", Fixture.Complete);
        for (int i = 1; i <= 18; i++)
        {
            Add($"/m/m{i}.lineage.json", FineTune($"m{i - 1}.lineage.json"));
        }

        var top = Encoding.UTF8.GetString(_files["/m/m18.lineage.json"]);
        var result = LineageChain.Resolve("/m/m18.lineage.json", LineageManifest.Read(top), LineageLevel.OpenScience, Read);

        Assert.Contains(result.Findings, f => f.Id == "OTL0505");
        Assert.Equal(LineageLevel.None, result.EffectiveLevel);
    }

    [Fact]
    public void A_weights_root_digest_that_differs_from_the_parent_is_an_error()
    {
        Add("/m/base.lineage.json", Fixture.With("\"format\": \"onnx\",", "\"format\": \"onnx\", \"rootDigest\": {\"sha256\": \"" + new string('c', 63) + "d\"},"));
        string child = FineTune("base.lineage.json").Replace("\"relation\": \"finetune\"", "\"relation\": \"finetune\", \"weightsRootDigest\": \"" + new string('e', 63) + "f\"");

        Assert.Equal("OTL0506", Assert.Single(Resolve(child).Findings).Id);
    }

    private LineageChainResult Resolve(string child) => ResolveWithChild(child).Result;

    private (string Child, LineageChainResult Result) ResolveWithChild(string child)
    {
        var manifest = LineageManifest.Read(child);
        var own = CompletenessPolicy.Evaluate(manifest);
        Assert.DoesNotContain(own.Findings, f => f.Severity == FindingSeverity.Error);
        return (child, LineageChain.Resolve("/m/child.lineage.json", manifest, own.AchievedLevel, Read));
    }

    private string FineTune(string parentPath, string? sha = null) =>
        Fixture.With(
            "\"lineage\": {\"derivation\": \"from-scratch\"}",
            "\"lineage\": {\"derivation\": \"finetune\", \"parents\": [{\"name\": \"base\", \"relation\": \"finetune\",\n    \"manifest\": {\"path\": \"" + parentPath + "\", \"sha256\": \""
                + (sha ?? (_files.TryGetValue("/m/" + parentPath, out var bytes) ? Sha(Encoding.UTF8.GetString(bytes)) : new string('0', 63) + "1")) + "\"}}]}");

    private void Add(string path, string text) => _files[path] = Encoding.UTF8.GetBytes(text);

    private ManifestFile Read(string path) => _files.TryGetValue(path, out var bytes) ? ManifestFile.Of(bytes) : ManifestFile.Missing("no such file");

    private static string Sha(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
}
