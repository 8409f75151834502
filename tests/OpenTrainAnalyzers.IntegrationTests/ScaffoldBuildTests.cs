using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace OpenTrainAnalyzers.IntegrationTests;

/// <summary>
/// The scaffold command through the packed nupkg in a real `dotnet build`: a GGUF quantization of a fine-tune, as the
/// Hub serves it (tests/OpenTrainAnalyzers.Build.Tests/Fixtures/hub), becomes a manifest whose digests, parents and
/// licence are right and whose unknowns the next build reports once each; the command never overwrites; the gate's
/// header cross-check catches a licence edited away from the header's, and an unchanged rebuild reads no header byte.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class ScaffoldBuildTests
{
    private const string Folder = "tiny-chat-1b-instruct-GGUF";
    private const string Gguf = "tiny-chat-1b-instruct-Q4_K_M.gguf";

    private readonly PackageFixture _package;

    public ScaffoldBuildTests(PackageFixture package) => _package = package;

    [Fact]
    public void Scaffold_then_build_then_scaffold_again()
    {
        string project = _package.CreateProject("OnnxApp", withDemoModels: false);
        string models = Path.Combine(project, "models");
        CopyFixture(Path.Combine(models, Folder));
        string manifest = Path.Combine(models, Folder + ".lineage.json");

        var scaffold = Scaffold(project);

        Assert.True(scaffold.ExitCode == 0, scaffold.Output);
        Assert.Contains("$.model.license = Apache-2.0  <- tiny-chat-1b-instruct-GGUF/README.md license: apache-2.0", scaffold.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(scaffold.Diagnostics, d => d.Severity is "error" or "warning");
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        var file = json["weights"]!["files"]![0]!;
        string weights = Path.Combine(models, Folder, Gguf);
        Assert.Equal(Folder + "/" + Gguf, (string)file["path"]!);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(weights))).ToLowerInvariant(), (string)file["sha256"]!);
        Assert.Equal(new FileInfo(weights).Length, (long)file["size"]!);
        Assert.Equal("acme/tiny-chat-1b-instruct", (string)json["lineage"]!["parents"]![0]!["name"]!); // card and header agree
        Assert.Equal("Apache-2.0", (string)json["model"]!["license"]!);

        // The next build reports what the sources did not establish: each once, each located in the manifest.
        var build = _package.Build(project);
        var errors = build.Diagnostics.Where(d => d.Severity == "error").ToList();
        Assert.True(build.ExitCode != 0, build.Output);
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.True(e.File.EndsWith(Folder + ".lineage.json", StringComparison.Ordinal) && e.Line > 0, e.ToString()));
        Assert.Equal(errors.Count, errors.Select(e => (e.Id, e.Line, e.Column)).Distinct().Count());
        Assert.DoesNotContain(errors, e => e.Id is "OTL0200" or "OTL0201" or "OTL0202" or "OTL0206" or "OTL0100" or "OTL0101");
        Assert.DoesNotContain(build.Diagnostics, d => d.Id is "OTL0208" or "OTL0209");

        // Running the command again never overwrites.
        File.AppendAllText(manifest, "\n");
        byte[] edited = File.ReadAllBytes(manifest);
        var again = Scaffold(project);
        Assert.True(again.ExitCode != 0, again.Output);
        Assert.Contains(again.Diagnostics, d => d.Id == "OTL0014" && d.Severity == "error");
        Assert.Equal(edited, File.ReadAllBytes(manifest));
    }

    [Fact]
    public void A_licence_that_contradicts_the_gguf_header_warns_and_an_unchanged_rebuild_reads_no_header_byte()
    {
        string project = _package.CreateProject("OnnxApp", withDemoModels: false);
        string models = Path.Combine(project, "models");
        CopyFixture(Path.Combine(models, Folder));
        Assert.Equal(0, Scaffold(project).ExitCode);
        string manifest = Path.Combine(models, Folder + ".lineage.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"license\": \"Apache-2.0\"", "\"license\": \"MIT\"", StringComparison.Ordinal));

        var first = DotNet.Run(project, _package.Environment, "build", "-nologo", "-clp:NoSummary", "-v:n");
        var second = DotNet.Run(project, _package.Environment, "build", "-nologo", "-clp:NoSummary", "-v:n");

        // At -v:n MSBuild prints a diagnostic both where it happens and prefixed by its node: count distinct ones.
        var warning = Assert.Single(first.Diagnostics.Where(d => d.Id == "OTL0208").DistinctBy(d => (d.Line, d.Column, d.Message)));
        Assert.Contains("'apache-2.0'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("'MIT'", warning.Message, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllLines(manifest).Select((l, i) => (l, i)).First(x => x.l.Contains("\"MIT\"", StringComparison.Ordinal)).i + 1, warning.Line);
        Assert.Contains("read the headers of 1 weight file(s)", first.Output, StringComparison.Ordinal);
        Assert.Contains("read the headers of 0 weight file(s) (0 bytes), 1 from cache.", second.Output, StringComparison.Ordinal);
        Assert.Single(second.Diagnostics.Where(d => d.Id == "OTL0208").DistinctBy(d => (d.Line, d.Column, d.Message)));
    }

    private BuildResult Scaffold(string project) =>
        DotNet.Run(project, _package.Environment, "build", "-nologo", "-clp:NoSummary", "-t:OpenTrainScaffold", "-p:OpenTrainScaffoldPath=models/" + Folder);

    private void CopyFixture(string target)
    {
        string source = Path.Combine(_package.RepoRoot, "tests", "OpenTrainAnalyzers.Build.Tests", "Fixtures", "hub", Folder);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
    }
}
