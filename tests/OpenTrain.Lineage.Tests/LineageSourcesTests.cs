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
    // pkg:huggingface purls state the Hugging Face id and revision, whichever way either side writes it.
    [InlineData("""{"purl": "pkg:huggingface/fabrikam-ml/aurora"}""", """{"purl": "pkg:huggingface/fabrikam-ml/aurora"}""", true)]
    [InlineData("""{"purl": "pkg:huggingface/fabrikam-ml/aurora@abc"}""", """{"huggingface": "Fabrikam-ML/Aurora", "huggingfaceRevision": "ABC"}""", true)]
    [InlineData("""{"huggingface": "fabrikam-ml/aurora", "huggingfaceRevision": "abc"}""", """{"purl": "pkg:huggingface/fabrikam-ml/aurora@abc?download_url=https://hf.co"}""", true)]
    [InlineData("""{"purl": "pkg:huggingface/fabrikam-ml/aurora@abc"}""", """{"purl": "pkg:huggingface/fabrikam-ml/aurora@def"}""", false)]
    [InlineData("""{"purl": "pkg:huggingface/fabrikam-ml/aurora@abc"}""", """{"huggingface": "fabrikam-ml/aurora-2", "huggingfaceRevision": "abc"}""", false)]
    // Other purls compare without qualifiers; the type without case, the rest with it.
    [InlineData("""{"purl": "pkg:GitHub/fabrikam/aurora@v1.2?vcs=git"}""", """{"purl": "pkg:github/fabrikam/aurora@v1.2"}""", true)]
    [InlineData("""{"purl": "pkg:github/fabrikam/aurora@v1.2"}""", """{"purl": "pkg:github/fabrikam/aurora@v1.3"}""", false)]
    [InlineData("""{"purl": "pkg:github/fabrikam/Aurora@v1.2"}""", """{"purl": "pkg:github/fabrikam/aurora@v1.2"}""", false)]
    // DOIs without resolver prefix and without case.
    [InlineData("""{"doi": "https://doi.org/10.5281/ZENODO.1234"}""", """{"doi": "10.5281/zenodo.1234"}""", true)]
    [InlineData("""{"doi": "doi:10.5281/zenodo.1234"}""", """{"doi": "10.5281/zenodo.1235"}""", false)]
    [InlineData("""{"motRecord": "mot-1234"}""", """{"motRecord": "mot-1234"}""", true)]
    // Every kind both state must agree, and they must share one.
    [InlineData("""{"doi": "10.5281/zenodo.1234", "huggingface": "fabrikam-ml/aurora"}""", """{"doi": "10.5281/zenodo.1234", "huggingface": "fabrikam-ml/other"}""", false)]
    [InlineData("""{"doi": "10.5281/zenodo.1234", "huggingface": "fabrikam-ml/aurora"}""", """{"doi": "10.5281/zenodo.1234"}""", true)]
    [InlineData("""{"doi": "10.5281/zenodo.1234"}""", """{"huggingface": "fabrikam-ml/aurora"}""", false)]
    [InlineData("""{"url": "https://models.example.org/aurora", "doi": "10.5281/zenodo.1234"}""", """{"url": "https://models.example.org/aurora", "doi": "10.5281/zenodo.9"}""", false)]
    // A URL is compared only when the parent states no other id (it is often a project's page, not the model's).
    [InlineData("""{"huggingface": "fabrikam-ml/aurora", "url": "https://huggingface.co/fabrikam-ml/aurora"}""", """{"huggingface": "fabrikam-ml/aurora", "url": "https://fabrikam.example/aurora"}""", true)]
    [InlineData("""{"url": "https://fabrikam.example/aurora"}""", """{"huggingface": "fabrikam-ml/aurora", "url": "https://fabrikam.example/aurora"}""", true)]
    [InlineData("""{"huggingface": "fabrikam-ml/aurora", "url": "https://fabrikam.example/aurora"}""", """{"url": "https://fabrikam.example/aurora"}""", false)]
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
    [InlineData("{\"purl\": \"pkg:\"}")]
    [InlineData("{\"purl\": \"pkg:huggingface/@\", \"doi\": \"doi:\", \"motRecord\": \" \"}")]
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
        Assert.Empty(sources.Find(LineageSources.IdentityOf(JsonParser.Parse("""{"url": "https://models.example.org/Aurora", "doi": "10.1/x"}""").Root)).Matches); // a DOI the source does not state
    }

    [Fact]
    public void A_parent_pinned_to_a_revision_by_purl_names_the_source_of_another_revision()
    {
        var source = new SourceManifest("/s/a.lineage.json", "folder s (a.lineage.json)", Encoding.UTF8.GetBytes(
            Fixture.Complete.Replace("\"model\": {", "\"model\": {\n    \"identifiers\": {\"huggingface\": \"fabrikam-ml/aurora\", \"huggingfaceRevision\": \"def\"},", StringComparison.Ordinal)));
        var sources = new LineageSources(new[] { "folder s" }, () => new[] { source });

        var wanted = LineageSources.IdentityOf(JsonParser.Parse("""{"purl": "pkg:huggingface/fabrikam-ml/aurora@abc"}""").Root);
        var (matches, otherRevisions) = sources.Find(wanted);

        Assert.Equal("huggingface fabrikam-ml/aurora@abc", wanted.ToString());
        Assert.Empty(matches);
        Assert.Same(source, Assert.Single(otherRevisions));
    }

    [Theory]
    [InlineData("aaab", "aab", true)]
    [InlineData("abababc", "ababc", true)]
    [InlineData("xxAcMe/Tiny-Chat", "acme/tiny-chat", true)]
    [InlineData("acme/tiny-cha", "acme/tiny-chat", false)]
    [InlineData("aabaabaaab", "aabaaab", true)]
    [InlineData("aabaabaab", "aabaaab", false)]
    [InlineData("", "a", false)]
    public void The_text_search_finds_every_occurrence_a_naive_search_would(string haystack, string needle, bool found)
    {
        Assert.Equal(found, LineageSources.ContainsAsciiIgnoreCase(Encoding.UTF8.GetBytes(haystack), needle));
        Assert.Equal(haystack.Contains(needle, StringComparison.OrdinalIgnoreCase), found);
    }

    [Fact]
    public void The_text_search_agrees_with_a_naive_search_on_random_near_misses()
    {
        var random = new Random(23);
        string Word(int length) => new string(Enumerable.Range(0, length).Select(_ => "abAB"[random.Next(4)]).ToArray());
        for (int i = 0; i < 5000; i++)
        {
            string haystack = Word(random.Next(0, 40));
            string needle = Word(random.Next(1, 8));
            Assert.True(haystack.Contains(needle, StringComparison.OrdinalIgnoreCase) == LineageSources.ContainsAsciiIgnoreCase(Encoding.UTF8.GetBytes(haystack), needle), $"'{needle}' in '{haystack}'");
        }
    }

    [Fact]
    public void A_hostile_long_id_against_a_source_of_the_same_letter_is_answered_not_searched_for_ever()
    {
        // A packaged manifest controls its parents' ids: 100,000 'a's against 4 MB of near misses (runs of 99,999 'a's)
        // would be about 2e11 steps of a naive search.
        string id = new string('a', 100_000);
        string nearMisses = string.Concat(Enumerable.Repeat(new string('a', 99_999) + "b", 40));
        byte[] bytes = Encoding.UTF8.GetBytes(Fixture.Complete.Replace("\"model\": {", "\"model\": {\n    \"description\": \"" + nearMisses + "\",", StringComparison.Ordinal));
        var sources = new LineageSources(new[] { "folder s" }, () => new[] { new SourceManifest("/s/a.lineage.json", "folder s (a.lineage.json)", bytes) });
        var wanted = LineageSources.IdentityOf(JsonParser.Parse("{\"huggingface\": \"" + id + "\"}").Root);

        List<SourceManifest>? matches = null;
        var run = new Thread(() => matches = sources.Find(wanted).Matches) { IsBackground = true };
        run.Start();

        Assert.True(run.Join(TimeSpan.FromSeconds(60)), "the lookup hung (backstop)");
        Assert.Empty(matches!);
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
