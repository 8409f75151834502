using System.Text;
using OpenTrain.Lineage.Json;

namespace OpenTrain.Lineage.Tests;

/// <summary>How a parent's identity matches a source manifest's own model.identifiers (docs/sharing-lineage.md).</summary>
public class LineageSourcesTests
{
    [Theory]
    [InlineData("""{"huggingface": "Fabrikam-ML/Aurora"}""", """{"huggingface": "fabrikam-ml/aurora"}""", true)]
    [InlineData("""{"huggingface": "https://huggingface.co/fabrikam-ml/aurora/"}""", """{"huggingface": "fabrikam-ml/aurora"}""", true)]
    [InlineData("""{"huggingface": "fabrikam-ml/aurora", "huggingfaceRevision": "ABC"}""", """{"huggingface": "fabrikam-ml/aurora", "huggingfaceRevision": "abc"}""", true)]
    [InlineData("""{"huggingface": "fabrikam-ml/aurora", "huggingfaceRevision": "abc"}""", """{"huggingface": "fabrikam-ml/aurora"}""", false)]
    [InlineData("""{"huggingface": "fabrikam-ml/aurora"}""", """{"huggingface": "fabrikam-ml/aurora", "huggingfaceRevision": "abc"}""", true)]
    [InlineData("""{"huggingface": "fabrikam-ml/aurora"}""", """{"huggingface": "fabrikam-ml/aurora-2"}""", false)]
    [InlineData("""{"url": "HTTPS://Models.Example.org/aurora/"}""", """{"url": "https://models.example.org/aurora"}""", true)]
    [InlineData("""{"url": "https://models.example.org/Aurora"}""", """{"url": "https://models.example.org/aurora"}""", false)]
    [InlineData("""{"purl": "pkg:huggingface/fabrikam-ml/aurora"}""", """{"purl": "pkg:huggingface/fabrikam-ml/aurora"}""", false)]
    public void A_parent_identity_matches_the_source_manifests_own(string parentIdentifiers, string sourceIdentifiers, bool matches)
    {
        var source = new SourceManifest("/s/a.lineage.json", "folder s (a.lineage.json)", Encoding.UTF8.GetBytes(
            Fixture.Complete.Replace("\"model\": {", "\"model\": {\n    \"identifiers\": " + sourceIdentifiers + ",", StringComparison.Ordinal)));
        Assert.True(source.Manifest.IsReadable);
        var sources = new LineageSources(new[] { "folder s" }, () => new[] { source });

        var (found, _) = sources.Find(LineageSources.IdentityOf(JsonParser.Parse(parentIdentifiers).Root));

        Assert.Equal(matches, found.Count == 1);
    }

    [Theory]
    [InlineData("\"fabrikam-ml/aurora\"")]
    [InlineData("[\"fabrikam-ml/aurora\"]")]
    [InlineData("{\"huggingface\": 42}")]
    [InlineData("{\"huggingface\": {\"id\": \"fabrikam-ml/aurora\"}}")]
    [InlineData("{\"huggingface\": \"   \"}")]
    [InlineData("null")]
    public void Identifiers_of_another_shape_identify_nothing_and_never_throw(string identifiers)
    {
        var source = new SourceManifest("/s/a.lineage.json", "folder s (a.lineage.json)", Encoding.UTF8.GetBytes(
            Fixture.Complete.Replace("\"model\": {", "\"model\": {\n    \"identifiers\": " + identifiers + ",", StringComparison.Ordinal)));
        var sources = new LineageSources(new[] { "folder s" }, () => new[] { source });

        Assert.True(source.Identity.IsEmpty);
        Assert.True(LineageSources.IdentityOf(JsonParser.Parse(identifiers).Root).IsEmpty);
        Assert.Empty(sources.Find(LineageSources.IdentityOf(JsonParser.Parse("""{"huggingface": "fabrikam-ml/aurora"}""").Root)).Matches);
    }

    [Fact]
    public void A_remembered_lookup_never_answers_another_identity()
    {
        // Lookups are remembered per identity; the memory must compare as the match does (a URL's path with case).
        var source = new SourceManifest("/s/a.lineage.json", "folder s (a.lineage.json)", Encoding.UTF8.GetBytes(
            Fixture.Complete.Replace("\"model\": {", "\"model\": {\n    \"identifiers\": {\"url\": \"https://models.example.org/Aurora\"},", StringComparison.Ordinal)));
        var sources = new LineageSources(new[] { "folder s" }, () => new[] { source });

        Assert.Single(sources.Find(LineageSources.IdentityOf(JsonParser.Parse("""{"url": "https://models.example.org/Aurora"}""").Root)).Matches);
        Assert.Empty(sources.Find(LineageSources.IdentityOf(JsonParser.Parse("""{"url": "https://models.example.org/aurora"}""").Root)).Matches);
        Assert.Empty(sources.Find(LineageSources.IdentityOf(JsonParser.Parse("""{"huggingface": "a/b", "huggingfaceRevision": "x"}""").Root)).Matches);
    }

    [Fact]
    public void Sources_are_read_on_the_first_lookup_only_and_an_unreadable_file_never_matches()
    {
        int loads = 0;
        var sources = new LineageSources(new[] { "folder s" }, () =>
        {
            loads++;
            return new[] { new SourceManifest("/s/broken.lineage.json", "folder s (broken.lineage.json)", Encoding.UTF8.GetBytes("{ \"model\": ")) };
        });

        Assert.Equal(0, loads);
        var identity = LineageSources.IdentityOf(JsonParser.Parse("""{"huggingface": "a/b"}""").Root);
        Assert.Empty(sources.Find(identity).Matches);
        Assert.Empty(sources.Find(identity).Matches);
        Assert.Equal(1, loads);
        Assert.Equal(1, sources.Unreadable);
    }
}
