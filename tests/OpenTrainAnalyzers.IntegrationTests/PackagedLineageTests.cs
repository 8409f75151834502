using System.IO.Compression;
using System.Text.Json;

namespace OpenTrainAnalyzers.IntegrationTests;

/// <summary>
/// Lineage that travels through NuGet (docs/packages.md), with real packages in the local feed: a library that ships
/// the demo's Iris model, its manifest and a wrapper loader is packed; apps that consume it (directly, transitively, or
/// without OpenTrainAnalyzers) are built with `dotnet build`.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class PackagedLineageTests
{
    private readonly PackageFixture _package;

    public PackagedLineageTests(PackageFixture package) => _package = package;

    [Fact]
    public void An_app_inherits_the_packaged_lineage_its_checks_and_its_loaders()
    {
        string id = NewLibraryId();
        // A line for a framework member: the library may declare it for itself, but in the app a package's lines count
        // only for the package's own assemblies (a trust boundary), so the app's File.ReadAllBytes is no model load.
        var library = PackLibrary(id, "M:System.IO.File.ReadAllBytes(System.String);path\n");
        Assert.True(library.ExitCode == 0, library.Output);
        using (var nupkg = ZipFile.OpenRead(Path.Combine(_package.Feed, id + ".1.0.0.nupkg")))
        {
            var entries = nupkg.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("contentFiles/any/any/models/iris-species.onnx", entries);
            Assert.Contains("contentFiles/any/any/models/iris-species.lineage.json", entries); // beside the weights it lists
            Assert.Contains("opentrain/OpenTrainLoaders.txt", entries);
        }

        string app = CreateApp("App", id, withAnalyzers: true, program: """
            using Acme.Iris;

            using var listed = IrisModels.Open("models/iris-species.onnx");
            using var unlisted = IrisModels.Open("models/unlisted.onnx");
            System.IO.File.ReadAllBytes("App.csproj");
            """);

        // (a) the inherited gate passes at declared, and (c) the app's calls into the library's loader are checked.
        var build = _package.Build(app);
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Contains($"iris-species from package {id} 1.0.0: open-tooling", build.Output, StringComparison.Ordinal);
        var unlisted = Assert.Single(build.WithId("OTA0001"));
        Assert.Contains("IrisModels.Open", unlisted.Message, StringComparison.Ordinal);
        Assert.Contains("models/unlisted.onnx", unlisted.Message, StringComparison.Ordinal);
        Assert.Equal(4, unlisted.Line); // not line 3, where the listed model is loaded
        Assert.DoesNotContain(build.Diagnostics, d => d.Id is "OTL0207" or "AD0001" or "MSB4018");
        var ignored = Assert.Single(build.WithId("OTA0008"));
        Assert.Contains($"package '{id}' may declare only members of its own assemblies", ignored.Message, StringComparison.Ordinal);

        // An unchanged rebuild reads no byte of the package's weights: their digests are cached in the app's obj/. (The
        // first rebuild hashes the output copy the first build made; the one after it reads nothing.) Since issue 19 an
        // unchanged rebuild after a clean pass skips the gate altogether. A report deleted by hand makes it run again
        // (to write the report), and, run, it still reads no weight byte.
        // (A user target that reads OpenTrainAchievedLevel: a skipped gate still sets it, from the run it stamped.)
        File.WriteAllText(Path.Combine(app, "Directory.Build.targets"), """
            <Project>
              <Target Name="ShowLevel" AfterTargets="OpenTrainValidateLineage">
                <Message Importance="high" Text="achieved level: [$(OpenTrainAchievedLevel)]" />
              </Target>
            </Project>
            """);
        DotNet.Run(app, _package.Environment, "build", "-nologo", "-clp:NoSummary");
        var skipped = DotNet.Run(app, _package.Environment, "build", "-nologo", "-clp:NoSummary", "-v:n");
        Assert.Contains("Skipping target \"_OpenTrainGate\"", skipped.Output, StringComparison.Ordinal);
        Assert.Contains("achieved level: [open-tooling]", skipped.Output, StringComparison.Ordinal);
        File.Delete(Path.Combine(app, "Directory.Build.targets"));
        File.Delete(Path.Combine(app, "obj", "Debug", "net10.0", "opentrain", "lineage.json"));
        var rebuild = DotNet.Run(app, _package.Environment, "build", "-nologo", "-clp:NoSummary", "-v:n");
        Assert.DoesNotContain("Skipping target \"_OpenTrainGate\"", rebuild.Output, StringComparison.Ordinal);
        Assert.Contains("OpenTrain: hashed 0 weight file(s) (0 bytes), 2 reused from cache.", rebuild.Output, StringComparison.Ordinal);

        // (f) the packaged manifest is in the report and the BOM.
        string opentrain = Path.Combine(app, "obj", "Debug", "net10.0", "opentrain");
        using (var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(opentrain, "lineage.json"))))
        {
            var model = Assert.Single(report.RootElement.GetProperty("models").EnumerateArray());
            Assert.Equal(id + "@1.0.0", model.GetProperty("package").GetString());
        }

        var exported = _package.Build(app, "OpenTrainExport=cyclonedx");
        Assert.True(exported.ExitCode == 0, exported.Output);
        string bom = File.ReadAllText(Path.Combine(opentrain, "bom.cdx.json"));
        Assert.Contains("\"name\": \"iris-species\"", bom, StringComparison.Ordinal);
        Assert.Contains($"\"value\": \"pkg:nuget/{id}@1.0.0\"", bom, StringComparison.Ordinal);
        Assert.Contains($"\"value\": \"{id}@1.0.0/contentFiles/any/any/models/iris-species.lineage.json\"", bom, StringComparison.Ordinal);
        Assert.DoesNotContain(_package.PackageCache, bom, StringComparison.Ordinal); // no machine path in the BOM

        // (a) the same package fails an app that requires more than the library's level, located in the packaged manifest.
        var strict = _package.Build(app, "OpenTrainRequiredLevel=open-science");
        Assert.NotEqual(0, strict.ExitCode);
        var errors = strict.Diagnostics.Where(d => d.Severity == "error").ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e =>
        {
            Assert.EndsWith(Path.Combine(id.ToLowerInvariant(), "1.0.0", "contentFiles", "any", "any", "models", "iris-species.lineage.json"), e.File, StringComparison.Ordinal);
            Assert.True(e.Line > 0);
            Assert.Contains($"(from package {id} 1.0.0)", e.Message, StringComparison.Ordinal);
        });

        // Suppressions cross the boundary, matched by package id.
        File.WriteAllText(Path.Combine(app, "Directory.Build.targets"), $"""
            <Project>
              <ItemGroup>
                <OpenTrainSuppress Include="OTL0300" Package="{id}" Element="$.training.checkpoints" Justification="The vendor publishes no checkpoints (ticket ML-7)." Until="2099-01-01" />
              </ItemGroup>
            </Project>
            """);
        var suppressed = _package.Build(app, "OpenTrainRequiredLevel=open-science");
        Assert.DoesNotContain(suppressed.Diagnostics, d => d.Id == "OTL0300" && d.Message.Contains("$.training.checkpoints", StringComparison.Ordinal));
        Assert.Contains(suppressed.Diagnostics, d => d.Severity == "error"); // the rest still fails
        File.Delete(Path.Combine(app, "Directory.Build.targets"));

        // (b) a byte changed in the output copy, then in the package cache: OTL0201 each time.
        string output = Path.Combine(app, "bin", "Debug", "net10.0", "models", "iris-species.onnx");
        Assert.True(File.Exists(output), "the package's model was not copied to the output");
        Flip(output);
        var tamperedOutput = _package.Build(app);
        var outputError = Assert.Single(tamperedOutput.WithId("OTL0201"));
        Assert.Contains("output folder", outputError.Message, StringComparison.Ordinal);
        File.Delete(output);
        string cached = Path.Combine(_package.PackageCache, id.ToLowerInvariant(), "1.0.0", "contentFiles", "any", "any", "models", "iris-species.onnx");
        Flip(cached);
        var tamperedCache = _package.Build(app);
        var cacheError = Assert.Single(tamperedCache.WithId("OTL0201"));
        Assert.DoesNotContain("output folder", cacheError.Message, StringComparison.Ordinal);
        Assert.NotEqual(0, tamperedCache.ExitCode);
    }

    [Fact]
    public void A_transitive_reference_inherits_the_same_and_an_app_without_the_analyzers_is_untouched()
    {
        string id = NewLibraryId();
        Assert.Equal(0, PackLibrary(id).ExitCode);

        // (d) app -> library B (no model, no OpenTrainAnalyzers) -> the library with the model. contentFiles reach the
        // consumers of B only when B lets them through (PrivateAssets="none"); the gate follows what NuGet delivers.
        string middle = Path.Combine(_package.Projects, "Middle-" + id);
        Directory.CreateDirectory(middle);
        File.Copy(_package.NuGetConfig, Path.Combine(middle, "nuget.config"));
        string middleId = id + ".Middle";
        File.WriteAllText(Path.Combine(middle, "Middle.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><PackageId>{middleId}</PackageId><Version>1.0.0</Version></PropertyGroup>
              <ItemGroup><PackageReference Include="{id}" Version="1.0.0" PrivateAssets="none" /></ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(middle, "Embed.cs"), "namespace Acme.Middle; public static class Embed { public static object Load() => Acme.Iris.IrisModels.Open(\"models/iris-species.onnx\"); }\n");
        var packMiddle = DotNet.Run(middle, _package.Environment, "pack", "-nologo", "-o", _package.Feed);
        Assert.True(packMiddle.ExitCode == 0, packMiddle.Output);

        string app = CreateApp("Transitive", middleId, withAnalyzers: true, program: """
            using var unlisted = Acme.Iris.IrisModels.Open("models/unlisted.onnx");
            """);
        var strict = _package.Build(app, "OpenTrainRequiredLevel=open-science");
        Assert.NotEqual(0, strict.ExitCode);
        Assert.All(strict.Diagnostics.Where(d => d.Severity == "error"), e => Assert.Contains($"(from package {id} 1.0.0)", e.Message, StringComparison.Ordinal));
        var build = _package.Build(app);
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Contains($"from package {id} 1.0.0: open-tooling", build.Output, StringComparison.Ordinal);
        Assert.Single(build.WithId("OTA0001"));

        // (e) the same package in an app without OpenTrainAnalyzers: nothing of ours runs or lands in the output.
        string plain = CreateApp("Plain", id, withAnalyzers: false, program: """
            using var model = Acme.Iris.IrisModels.Open("models/unlisted.onnx");
            """);
        var plainBuild = DotNet.Run(plain, _package.Environment, "build", "-nologo", "-clp:NoSummary", "-v:n");
        Assert.True(plainBuild.ExitCode == 0, plainBuild.Output);
        Assert.DoesNotContain(plainBuild.Diagnostics, d => d.Id.StartsWith("OT", StringComparison.Ordinal));
        Assert.DoesNotContain("OpenTrain", plainBuild.Output, StringComparison.Ordinal);
        string bin = Path.Combine(plain, "bin", "Debug", "net10.0");
        Assert.True(File.Exists(Path.Combine(bin, "models", "iris-species.onnx")));
        Assert.Empty(Directory.GetFiles(bin, "*.lineage.json", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(bin, "OpenTrain*", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_packaged_fine_tune_takes_its_vendored_parent_along_and_neither_side_checks_it_as_a_shipped_model()
    {
        // The library ships a fine-tune of a base model whose manifest it vendors in models/lineage/ (the base's weights
        // are not in the library). Its own build and the app's both check the base through the fine-tune's chain.
        string id = NewLibraryId();
        string library = CreateLibrary(id);
        string demo = File.ReadAllText(Path.Combine(library, "models", "iris-species.lineage.json"));
        string parent = demo.Replace("\"name\": \"iris-species\",", "\"name\": \"iris-base\",", StringComparison.Ordinal)
            .Replace("39935bdf-f394-473e-aeb2-77e35ad50e37", "6f1d2c9a-0000-4000-8000-000000000001", StringComparison.Ordinal);
        Directory.CreateDirectory(Path.Combine(library, "models", "lineage"));
        File.WriteAllText(Path.Combine(library, "models", "lineage", "iris-base.lineage.json"), parent);
        string sha = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(library, "models", "lineage", "iris-base.lineage.json")))).ToLowerInvariant();
        File.WriteAllText(Path.Combine(library, "models", "iris-species.lineage.json"), demo.Replace("\"derivation\": \"from-scratch\"",
            "\"derivation\": \"finetune\", \"parents\": [{\"name\": \"iris-base\", \"relation\": \"finetune\", \"manifest\": {\"path\": \"lineage/iris-base.lineage.json\", \"sha256\": \"" + sha + "\"}}]",
            StringComparison.Ordinal));

        var pack = DotNet.Run(library, _package.Environment, "pack", "-nologo", "-o", _package.Feed);
        Assert.True(pack.ExitCode == 0, pack.Output);
        Assert.DoesNotContain(pack.Diagnostics, d => d.Id == "OTL0200");
        using (var nupkg = ZipFile.OpenRead(Path.Combine(_package.Feed, id + ".1.0.0.nupkg")))
        {
            Assert.Contains("contentFiles/any/any/models/lineage/iris-base.lineage.json", nupkg.Entries.Select(e => e.FullName));
        }

        string app = CreateApp("Tuned", id, withAnalyzers: true, program: "System.Console.WriteLine();\n");
        var build = _package.Build(app);

        Assert.True(build.ExitCode == 0, build.Output);
        Assert.DoesNotContain(build.Diagnostics, d => d.Id.StartsWith("OTL", StringComparison.Ordinal) && d.Severity == "error");
        Assert.Contains($"1 lineage manifest(s) checked against 'declared' (iris-species from package {id} 1.0.0: open-tooling)", build.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Pack_fails_for_weights_without_a_manifest_and_for_a_layout_the_manifest_cannot_reach()
    {
        string id = NewLibraryId();
        string library = CreateLibrary(id);

        // Weights packed without a manifest.
        File.Copy(Path.Combine(_package.RepoRoot, "samples", "IrisDemo", "models", "vendor-flowers.onnx"), Path.Combine(library, "models", "vendor-flowers.onnx"));
        AddToProject(library, """<None Include="models\vendor-flowers.onnx" Pack="true" PackagePath="contentFiles/any/any/models/" />""");
        var undeclared = DotNet.Run(library, _package.Environment, "pack", "-nologo", "-o", Path.Combine(library, "out"));
        Assert.NotEqual(0, undeclared.ExitCode);
        var error = Assert.Single(undeclared.WithId("OTL0210"));
        Assert.Contains("vendor-flowers.onnx", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(library, "out")) && Directory.GetFiles(Path.Combine(library, "out"), "*.nupkg").Length > 0);

        // A manifest whose weight is packed where its path cannot reach it (flattened into another folder).
        File.Delete(Path.Combine(library, "models", "vendor-flowers.onnx"));
        string csproj = Path.Combine(library, "IrisLib.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj)
            .Replace("""<None Include="models\vendor-flowers.onnx" Pack="true" PackagePath="contentFiles/any/any/models/" />""", string.Empty, StringComparison.Ordinal)
            .Replace("PackagePath=\"contentFiles/any/any/models/\"", "PackagePath=\"contentFiles/any/any/weights/v1/iris.onnx\"", StringComparison.Ordinal));
        var escaping = DotNet.Run(library, _package.Environment, "pack", "-nologo", "-o", Path.Combine(library, "out"));
        Assert.NotEqual(0, escaping.ExitCode);
        var unresolved = Assert.Single(escaping.WithId("OTL0211"));
        Assert.EndsWith("iris-species.lineage.json", unresolved.File, StringComparison.Ordinal);
        Assert.True(unresolved.Line > 0);
    }

    private static string NewLibraryId() => "Acme.Iris" + Guid.NewGuid().ToString("N")[..8];

    private BuildResult PackLibrary(string id, string extraLoaderLines = "") => DotNet.Run(CreateLibrary(id, extraLoaderLines), _package.Environment, "pack", "-nologo", "-o", _package.Feed);

    private string CreateLibrary(string id, string extraLoaderLines = "")
    {
        string library = Path.Combine(_package.Projects, "IrisLib-" + id);
        Directory.CreateDirectory(Path.Combine(library, "models"));
        foreach (var file in new[] { "iris-species.onnx", "iris-species.lineage.json" })
        {
            File.Copy(Path.Combine(_package.RepoRoot, "samples", "IrisDemo", "models", file), Path.Combine(library, "models", file));
        }

        File.Copy(_package.NuGetConfig, Path.Combine(library, "nuget.config"));
        File.WriteAllText(Path.Combine(library, "IrisLib.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <!-- A library that ships a model, its lineage and a wrapper loader. -->
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <PackageId>{id}</PackageId>
                <Version>1.0.0</Version>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.ML.OnnxRuntime" Version="1.31.1" />
                <PackageReference Include="OpenTrainAnalyzers" Version="{PackageFixture.Version}" PrivateAssets="all" />
              </ItemGroup>
              <ItemGroup>
                <None Include="models\iris-species.onnx" Pack="true" PackagePath="contentFiles/any/any/models/" PackageCopyToOutput="true" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(library, "IrisModels.cs"), """
            using Microsoft.ML.OnnxRuntime;

            namespace Acme.Iris;

            public static class IrisModels
            {
                public static InferenceSession Open(string path) => new InferenceSession(path);
            }
            """);
        File.WriteAllText(Path.Combine(library, "OpenTrainLoaders.txt"), "M:Acme.Iris.IrisModels.Open(System.String);path\n" + extraLoaderLines);
        return library;
    }

    private string CreateApp(string name, string packageId, bool withAnalyzers, string program)
    {
        string app = Path.Combine(_package.Projects, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(app);
        File.Copy(_package.NuGetConfig, Path.Combine(app, "nuget.config"));
        string analyzers = withAnalyzers ? $"""<PackageReference Include="OpenTrainAnalyzers" Version="{PackageFixture.Version}" />""" : string.Empty;
        File.WriteAllText(Path.Combine(app, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{packageId}" Version="1.0.0" />
                {analyzers}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), program);
        return app;
    }

    private static void AddToProject(string project, string item)
    {
        string csproj = Directory.GetFiles(project, "*.csproj").Single();
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace("</Project>", $"  <ItemGroup>{item}</ItemGroup>\n</Project>", StringComparison.Ordinal));
    }

    private static void Flip(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        bytes[100] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
    }
}
