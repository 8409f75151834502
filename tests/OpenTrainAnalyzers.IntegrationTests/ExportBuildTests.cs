using System.IO.Compression;
using System.Text.Json;

namespace OpenTrainAnalyzers.IntegrationTests;

/// <summary>OpenTrainExport in a real `dotnet build` and `dotnet pack` against the packed nupkg.</summary>
[Collection(PackageCollection.Name)]
public sealed class ExportBuildTests
{
    private readonly PackageFixture _package;

    public ExportBuildTests(PackageFixture package) => _package = package;

    [Fact]
    public void A_build_with_the_switch_writes_the_three_exports_and_a_rebuild_rewrites_none()
    {
        string project = _package.CreateProject("OnnxApp");
        string exports = Path.Combine(project, "obj", "Debug", "net10.0", "opentrain");

        var first = _package.Build(project, "OpenTrainExport=cyclonedx+spdx+mot");
        var files = new[] { "bom.cdx.json", "bom.spdx.json", Path.Combine("mot", "iris-species.yml") }.Select(f => Path.Combine(exports, f)).ToList();
        var stamps = files.Where(File.Exists).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        var second = _package.Build(project, "OpenTrainExport=cyclonedx+spdx+mot");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.All(files, f => Assert.True(File.Exists(f), f + " was not written:\n" + first.Output));
        using var bom = JsonDocument.Parse(File.ReadAllText(files[0]));
        var model = bom.RootElement.GetProperty("components").EnumerateArray().First();
        Assert.Equal(("machine-learning-model", "iris-species"), (model.GetProperty("type").GetString(), model.GetProperty("name").GetString()));
        Assert.Contains(model.GetProperty("properties").EnumerateArray(), p => p.GetProperty("name").GetString() == "opentrain:weights:verified" && p.GetProperty("value").GetString() == "true");
        Assert.Contains("\"ai_AIPackage\"", File.ReadAllText(files[1]), StringComparison.Ordinal);
        Assert.All(files, f => Assert.Equal(stamps[f], File.GetLastWriteTimeUtc(f)));

        // The reports too are written only when they change. The app ships an undeclared model (OTL0207 warning), so
        // the gate runs on every build: this is the report writer's decision, not a skipped target's. (The second
        // build reused the digests the first computed: its JSON counts differ once.)
        var reports = new[] { "lineage.sarif", "lineage.json" }.Select(f => Path.Combine(exports, f)).ToList();
        var reportStamps = reports.ToDictionary(f => f, File.GetLastWriteTimeUtc);
        var third = _package.Build(project, "OpenTrainExport=cyclonedx+spdx+mot");
        Assert.True(third.ExitCode == 0, third.Output);
        Assert.Single(third.WithId("OTL0207").Distinct());
        Assert.All(reports, f => Assert.Equal(reportStamps[f], File.GetLastWriteTimeUtc(f)));

        // A configuration error stops before the exports: the last good BOM stays, byte for byte.
        string goodBom = File.ReadAllText(files[0]);
        var misconfigured = _package.Build(project, "OpenTrainExport=cyclonedx+spdx+mot", "OpenTrainRequiredLevel=mof-iv");
        Assert.NotEqual(0, misconfigured.ExitCode);
        Assert.Single(misconfigured.WithId("OTL0010").Distinct());
        Assert.Equal(goodBom, File.ReadAllText(files[0]));
        Assert.All(files, f => Assert.Equal(stamps[f], File.GetLastWriteTimeUtc(f)));
    }

    [Fact]
    public void Without_the_switch_nothing_is_exported()
    {
        string project = _package.CreateProject("OnnxApp");

        var build = _package.Build(project);

        Assert.True(build.ExitCode == 0, build.Output);
        Assert.False(File.Exists(Path.Combine(project, "obj", "Debug", "net10.0", "opentrain", "bom.cdx.json")));
    }

    [Fact]
    public void Pack_carries_the_exports_under_opentrain_in_the_package()
    {
        string project = _package.CreateProject("OnnxApp");
        string csproj = Path.Combine(project, "OnnxApp.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj)
            .Replace("<OutputType>Exe</OutputType>", "<OutputType>Library</OutputType><PackageId>Demo.IrisModels</PackageId><Version>2.0.0</Version>", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(project, "Program.cs"), """
            namespace Demo.IrisModels;

            public static class Models
            {
                public static Microsoft.ML.OnnxRuntime.InferenceSession Iris() => new("models/iris-species.onnx");
            }
            """);
        string output = Path.Combine(project, "out");

        var pack = DotNet.Run(project, _package.Environment, "pack", "-nologo", "-o", output, "-p:OpenTrainExport=cyclonedx+spdx+mot");

        Assert.True(pack.ExitCode == 0, pack.Output);
        using var nupkg = ZipFile.OpenRead(Path.Combine(output, "Demo.IrisModels.2.0.0.nupkg"));
        var entries = nupkg.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("opentrain/bom.cdx.json", entries);
        Assert.Contains("opentrain/bom.spdx.json", entries);
        Assert.Contains("opentrain/mot/iris-species.yml", entries);
        using var reader = new StreamReader(nupkg.GetEntry("opentrain/bom.cdx.json")!.Open());
        Assert.Contains("\"name\": \"Demo.IrisModels\"", reader.ReadToEnd(), StringComparison.Ordinal);
    }
}
