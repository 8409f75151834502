using System.Text.Json;

namespace OpenTrainAnalyzers.IntegrationTests;

/// <summary>The build gate's habits in a real `dotnet build`: the hash cache, the reports, shipped weights, suppressions.</summary>
[Collection(PackageCollection.Name)]
public sealed class GateTests
{
    private readonly PackageFixture _package;

    public GateTests(PackageFixture package) => _package = package;

    [Fact]
    public void An_unchanged_rebuild_hashes_nothing_and_the_undeclared_model_copied_to_output_is_reported()
    {
        string project = _package.CreateProject("OnnxApp");
        // Files written moments before they are hashed are not cached (their timestamp could still hide a change);
        // the copies were just made, so date them like weights that have sat in a repository.
        File.SetLastWriteTimeUtc(Path.Combine(project, "models", "iris-species.onnx"), DateTime.UtcNow.AddHours(-1));

        var first = _package.Build(project);
        var firstReport = Summary(project);
        var second = DotNet.Run(project, _package.Environment, "build", "-nologo", "-clp:NoSummary", "-v:n");
        var secondReport = Summary(project);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Equal(1, firstReport.GetProperty("hashing").GetProperty("hashedFiles").GetInt32());
        Assert.Equal(new FileInfo(Path.Combine(project, "models", "iris-species.onnx")).Length, firstReport.GetProperty("hashing").GetProperty("hashedBytes").GetInt64());
        Assert.Equal(0, secondReport.GetProperty("hashing").GetProperty("hashedFiles").GetInt32());
        Assert.Equal(1, secondReport.GetProperty("hashing").GetProperty("reusedFromCache").GetInt32());
        Assert.Contains("OpenTrain: hashed 0 weight file(s) (0 bytes), 1 reused from cache.", second.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(project, "obj", "Debug", "net10.0", "opentrain", "lineage.sarif")));

        // vendor-flowers.onnx is a None item copied to the output that no manifest declares.
        var undeclared = Assert.Single(ProjectDiagnostics(first, "OTL0207").Distinct());
        Assert.Equal(("warning", Path.Combine(project, "OnnxApp.csproj")), (undeclared.Severity, undeclared.File));
        Assert.Contains("'models/vendor-flowers.onnx' (None item, CopyToOutputDirectory=PreserveNewest)", undeclared.Message, StringComparison.Ordinal);
        Assert.Contains(firstReport.GetProperty("findings").EnumerateArray(), f => f.GetProperty("id").GetString() == "OTL0207" && f.GetProperty("logged").GetBoolean());
        Assert.Equal("iris-species", Assert.Single(firstReport.GetProperty("models").EnumerateArray()).GetProperty("name").GetString());
    }

    [Fact]
    public void An_expired_suppression_refires_and_a_stale_one_warns()
    {
        string project = _package.CreateProject("OnnxApp");
        string csproj = Path.Combine(project, "OnnxApp.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace("</Project>", """
              <ItemGroup>
                <OpenTrainSuppress Include="OTL0207" Element="models/vendor-flowers.onnx" Justification="Vendor asked for its lineage (VEND-7)." Until="2020-01-31" />
                <OpenTrainSuppress Include="OTL0300" Manifest="models/iris-species.lineage.json" Element="$.training.checkpoints" Justification="Checkpoints follow with v2." />
              </ItemGroup>
            </Project>
            """, StringComparison.Ordinal));

        var build = _package.Build(project);

        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Single(ProjectDiagnostics(build, "OTL0207").Distinct());
        var expired = Assert.Single(ProjectDiagnostics(build, "OTL0601").Distinct());
        Assert.Equal(csproj, expired.File);
        Assert.Contains("'OTL0207' (element 'models/vendor-flowers.onnx') expired on 2020-01-31", expired.Message, StringComparison.Ordinal);
        var stale = Assert.Single(ProjectDiagnostics(build, "OTL0602").Distinct());
        Assert.Contains("'OTL0300' (manifest 'models/iris-species.lineage.json', element '$.training.checkpoints') matches no finding", stale.Message, StringComparison.Ordinal);

        var statuses = Summary(project).GetProperty("suppressions").EnumerateArray().Select(s => (s.GetProperty("id").GetString(), s.GetProperty("status").GetString()));
        Assert.Equal(new (string?, string?)[] { ("OTL0207", "expired"), ("OTL0300", "stale") }, statuses);
    }

    private static JsonElement Summary(string project) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(project, "obj", "Debug", "net10.0", "opentrain", "lineage.json"))).RootElement.Clone();

    private static IEnumerable<BuildDiagnostic> ProjectDiagnostics(BuildResult build, string id) => build.WithId(id);
}
