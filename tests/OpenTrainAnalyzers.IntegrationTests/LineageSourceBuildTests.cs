using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenTrainAnalyzers.IntegrationTests;

/// <summary>
/// Lineage sources through the packed nupkg (docs/sharing-lineage.md): a base model's manifest reviewed once, in a folder
/// configured in Directory.Build.props or in a lineage-only package from the local feed, resolves the parent of the
/// demo's model by identity in a real `dotnet build`; the scaffold pins a base model it finds there.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class LineageSourceBuildTests
{
    private const string BaseId = "contoso/iris-base";
    private const string Revision = "0123456789abcdef0123456789abcdef01234567";

    private readonly PackageFixture _package;

    public LineageSourceBuildTests(PackageFixture package) => _package = package;

    [Fact]
    public void A_folder_source_in_Directory_Build_props_resolves_the_parent_and_a_tampered_source_fails_at_the_pin()
    {
        string project = _package.CreateProject("OnnxApp");
        string vetted = Directory.CreateDirectory(Path.Combine(_package.Projects, "vetted-" + Guid.NewGuid().ToString("N")[..8], "contoso")).FullName;
        string baseManifest = Path.Combine(vetted, "iris-base.lineage.json");
        string baseSha = WriteBase(baseManifest);
        UseFolderSource(project, Path.GetDirectoryName(vetted)!);
        string child = WriteChild(project, baseSha);

        var build = _package.Build(project);

        // (a) no OTL0501; the effective level is the minimum over the chain: the base caps the demo's open-tooling.
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.DoesNotContain(build.Diagnostics, d => d.Id.StartsWith("OTL05", StringComparison.Ordinal));
        Assert.Contains("iris-species: open-weights", build.Output, StringComparison.Ordinal);
        using (var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(project, "obj", "Debug", "net10.0", "opentrain", "lineage.json"))))
        {
            var parent = report.RootElement.GetProperty("models")[0].GetProperty("parents")[0];
            Assert.StartsWith("folder ", parent.GetProperty("source").GetString(), StringComparison.Ordinal);
            Assert.EndsWith("(contoso/iris-base.lineage.json)", parent.GetProperty("source").GetString(), StringComparison.Ordinal);
        }

        // (d) the source manifest is changed after review: the digest error, at the child's pin, on the next build
        // (the source file is an input of the incremental gate, which passed cleanly before).
        File.AppendAllText(baseManifest, "\n");
        var tampered = _package.Build(project);
        Assert.NotEqual(0, tampered.ExitCode);
        var error = Assert.Single(tampered.WithId("OTL0508").DistinctBy(d => (d.File, d.Line)));
        Assert.Equal(child, error.File);
        Assert.Equal(LineOf(child, baseSha), error.Line);
        Assert.Contains("not the pinned " + baseSha, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lineage_only_package_packed_with_dotnet_pack_resolves_the_same_parent_in_an_app()
    {
        string id = "Contoso.ModelLineage" + Guid.NewGuid().ToString("N")[..8];
        string lineage = Directory.CreateDirectory(Path.Combine(_package.Projects, id)).FullName;
        File.Copy(_package.NuGetConfig, Path.Combine(lineage, "nuget.config"));
        File.WriteAllText(Path.Combine(lineage, "ModelLineage.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>netstandard2.0</TargetFramework>
                <PackageId>{id}</PackageId>
                <Version>1.0.0</Version>
                <OpenTrainLineagePackage>true</OpenTrainLineagePackage>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="OpenTrainAnalyzers" Version="{PackageFixture.Version}" PrivateAssets="all" />
              </ItemGroup>
            </Project>
            """);
        string baseSha = WriteBase(Path.Combine(Directory.CreateDirectory(Path.Combine(lineage, "contoso")).FullName, "iris-base.lineage.json"));

        // (b) dotnet pack: the gate checks the manifest without weights, and packs it under opentrain/lineage/.
        var pack = DotNet.Run(lineage, _package.Environment, "pack", "-nologo", "-o", _package.Feed);
        Assert.True(pack.ExitCode == 0, pack.Output);
        Assert.DoesNotContain(pack.Diagnostics, d => d.Id.StartsWith("OTL", StringComparison.Ordinal) && d.Severity == "error");
        Assert.DoesNotContain(pack.Diagnostics, d => d.Id == "NU5128"); // no lib/ is what a lineage package is
        using (var nupkg = ZipFile.OpenRead(Path.Combine(_package.Feed, id + ".1.0.0.nupkg")))
        {
            var entries = nupkg.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("opentrain/lineage/contoso/iris-base.lineage.json", entries);
            // No assembly: a lineage package defaults IncludeBuildOutput to false.
            Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) || e.StartsWith("contentFiles/", StringComparison.Ordinal));
        }

        string project = _package.CreateProject("OnnxApp");
        string csproj = Directory.GetFiles(project, "*.csproj").Single();
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace("</Project>", $"  <ItemGroup><PackageReference Include=\"{id}\" Version=\"1.0.0\" /></ItemGroup>\n</Project>", StringComparison.Ordinal));
        WriteChild(project, baseSha);

        var build = _package.Build(project);

        Assert.True(build.ExitCode == 0, build.Output);
        Assert.DoesNotContain(build.Diagnostics, d => d.Id.StartsWith("OTL05", StringComparison.Ordinal));
        Assert.Contains("iris-species: open-weights", build.Output, StringComparison.Ordinal);
        Assert.All(build.Output.Split('\n').Where(l => l.Contains("lineage manifest(s) checked", StringComparison.Ordinal)),
            line => Assert.DoesNotContain("iris-base", line, StringComparison.Ordinal)); // a source, not one of the app's models
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(project, "obj", "Debug", "net10.0", "opentrain", "lineage.json")));
        Assert.Single(report.RootElement.GetProperty("models").EnumerateArray());
        Assert.Equal($"package {id} 1.0.0 (opentrain/lineage/contoso/iris-base.lineage.json)", report.RootElement.GetProperty("models")[0].GetProperty("parents")[0].GetProperty("source").GetString());
    }

    [Fact]
    public void The_scaffold_pins_a_base_model_that_a_source_holds_and_the_next_build_resolves_it()
    {
        const string folder = "tiny-chat-1b-instruct-GGUF";
        string project = _package.CreateProject("OnnxApp", withDemoModels: false);
        string models = Directory.CreateDirectory(Path.Combine(project, "models", folder)).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(_package.RepoRoot, "tests", "OpenTrainAnalyzers.Build.Tests", "Fixtures", "hub", folder)))
        {
            File.Copy(file, Path.Combine(models, Path.GetFileName(file)));
        }

        // The source is checked out inside the project folder here: its manifests are other models' lineage, not the app's.
        string vetted = Directory.CreateDirectory(Path.Combine(project, "vetted-lineage")).FullName;
        string baseSha = WriteBase(Path.Combine(vetted, "tiny-chat.lineage.json"), huggingFace: "acme/tiny-chat-1b-instruct", revision: null);
        UseFolderSource(project, vetted);

        // (c) the card names acme/tiny-chat-1b-instruct; the source holds its manifest: the pin is written, with its source.
        var scaffold = DotNet.Run(project, _package.Environment, "build", "-nologo", "-clp:NoSummary", "-t:OpenTrainScaffold", "-p:OpenTrainScaffoldPath=models/" + folder);
        Assert.True(scaffold.ExitCode == 0, scaffold.Output);
        Assert.Contains($"$.lineage.parents[0].manifest.sha256 = {baseSha}  <- lineage source folder ", scaffold.Output, StringComparison.Ordinal);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(project, "models", folder + ".lineage.json")))!;
        Assert.Equal(baseSha, (string)manifest["lineage"]!["parents"]![0]!["manifest"]!["sha256"]!);

        // The next build still reports what the card does not say, but not the parent: it resolves from the source.
        var build = _package.Build(project);
        Assert.Contains(build.Diagnostics, d => d.Severity == "error");
        Assert.DoesNotContain(build.Diagnostics, d => d.Id is "OTL0501" or "OTL0508" or "OTL0509");
        Assert.DoesNotContain(build.Diagnostics, d => d.File.Contains("vetted-lineage", StringComparison.Ordinal));
        Assert.Contains("1 lineage manifest(s) checked", build.Output, StringComparison.Ordinal);
    }

    /// <summary>The demo's manifest as a reviewed base model with an identity; its training code closed, so it reaches open-weights only.</summary>
    private string WriteBase(string path, string huggingFace = BaseId, string? revision = Revision)
    {
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(_package.RepoRoot, "samples", "IrisDemo", "models", "iris-species.lineage.json")))!;
        var identifiers = new JsonObject { ["huggingface"] = huggingFace };
        if (revision is not null)
        {
            identifiers["huggingfaceRevision"] = revision;
        }

        document["model"]!["identifiers"] = identifiers;
        document["model"]!["name"] = huggingFace.Split('/')[1];
        document["manifestId"] = "urn:uuid:" + Guid.NewGuid(); // another model than the demo's
        var code = document["training"]!["code"]!.AsObject();
        code["availability"] = "closed";
        code["justification"] = "The producer keeps its training program private.";
        foreach (var local in new[] { "locations", "entryPoint" })
        {
            code.Remove(local); // paths of the demo's repository: not this base model's
        }

        string text = document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(path, text);
        return Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();
    }

    /// <summary>The demo's model as a quantization of the base, pinned by identity and digest (no vendored path).</summary>
    private static string WriteChild(string project, string baseSha)
    {
        string path = Path.Combine(project, "models", "iris-species.lineage.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace(
            "\"derivation\": \"from-scratch\"",
            "\"derivation\": \"finetune\",\n    \"parents\": [{\"name\": \"iris-base\", \"relation\": \"finetune\",\n      \"identifiers\": {\"huggingface\": \""
                + BaseId + "\", \"huggingfaceRevision\": \"" + Revision + "\"},\n      \"manifest\": {\"sha256\": \"" + baseSha + "\"}}]",
            StringComparison.Ordinal));
        return path;
    }

    private static void UseFolderSource(string project, string folder)
    {
        string props = Path.Combine(project, "Directory.Build.props");
        File.WriteAllText(props, File.ReadAllText(props).Replace("</Project>", $"""
              <ItemGroup>
                <OpenTrainLineageSource Include="{Path.GetRelativePath(project, folder)}" />
              </ItemGroup>
            </Project>
            """, StringComparison.Ordinal));
    }

    private static int LineOf(string file, string text) =>
        File.ReadAllLines(file).Select((line, index) => (line, index)).First(x => x.line.Contains(text, StringComparison.Ordinal)).index + 1;
}
