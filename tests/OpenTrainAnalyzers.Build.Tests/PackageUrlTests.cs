using OpenTrain.Lineage.Json;
using OpenTrainAnalyzers.Build.Export;

namespace OpenTrainAnalyzers.Build.Tests;

/// <summary>The package URL exports give a model or parent: the stated one, else one made from its Hub id, never a guess.</summary>
public class PackageUrlTests
{
    [Theory]
    [InlineData("""{"purl": "pkg:github/fabrikam/aurora@v1", "huggingface": "fabrikam/aurora"}""", "pkg:github/fabrikam/aurora@v1")]
    [InlineData("""{"huggingface": "fabrikam/aurora", "huggingfaceRevision": "ABC123"}""", "pkg:huggingface/fabrikam/aurora@abc123")]
    [InlineData("""{"huggingface": "https://huggingface.co/fabrikam/aurora"}""", "pkg:huggingface/fabrikam/aurora")]
    // A branch name is not a revision the purl spec allows (a commit hash): no version rather than a wrong one.
    [InlineData("""{"huggingface": "fabrikam/aurora", "huggingfaceRevision": "main"}""", "pkg:huggingface/fabrikam/aurora")]
    // A name that would need percent-encoding, or no Hub id at all: nothing is made up.
    [InlineData("""{"huggingface": "fabrikam/au rora"}""", null)]
    [InlineData("""{"doi": "10.5281/zenodo.1234", "url": "https://fabrikam.example/aurora"}""", null)]
    [InlineData("""{"purl": "not a purl"}""", null)]
    public void The_package_url_is_stated_or_made_from_the_hub_id_only(string identifiers, string? expected) =>
        Assert.Equal(expected, ExportSet.PackageUrl(JsonParser.Parse(identifiers).Root));
}
