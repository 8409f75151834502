using System.Security.Cryptography;
using System.Text.Json;

namespace OpenTrainAnalyzers.IntegrationTests;

/// <summary>
/// The licence policy in a real `dotnet build` with the packed nupkg: the demo model becomes a fine-tune of a vendored
/// base whose training dataset is CC-BY-NC-4.0; denying non-commercial fails the build with one OTL0700, located in the
/// base's manifest (not the app's), with the chain, and the JSON report lists the decision; then the same dataset in a
/// model that comes from a NuGet package: the error is located in the packaged manifest and names the package.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class LicensePolicyBuildTests
{
    private readonly PackageFixture _package;

    public LicensePolicyBuildTests(PackageFixture package) => _package = package;

    [Fact]
    public void Denying_non_commercial_fails_the_build_at_the_vendored_bases_dataset_licence()
    {
        string project = _package.CreateProject("OnnxApp");
        string models = Path.Combine(project, "models");
        string app = Path.Combine(models, "iris-species.lineage.json");
        string text = File.ReadAllText(app);

        // The base: the demo manifest under another name, its dataset under a NonCommercial licence.
        const string datasetLicence = "\"id\": \"iris\",\n          \"name\": \"Iris (R. A. Fisher 1936; UCI Machine Learning Repository data set 53)\",\n          \"role\": \"other\",\n          \"availability\": \"open\",\n          \"license\": \"CC-BY-4.0\"";
        Assert.Contains(datasetLicence, text, StringComparison.Ordinal);
        string baseText = text.Replace(datasetLicence, datasetLicence.Replace("CC-BY-4.0", "CC-BY-NC-4.0", StringComparison.Ordinal), StringComparison.Ordinal)
            .Replace("\"name\": \"iris-species\"", "\"name\": \"iris-base\"", StringComparison.Ordinal);
        string basePath = Path.Combine(models, "iris-base.lineage.json");
        File.WriteAllText(basePath, baseText);
        string sha = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(basePath))).ToLowerInvariant();
        File.WriteAllText(app, text.Replace("\"derivation\": \"from-scratch\"",
            "\"derivation\": \"finetune\",\n    \"parents\": [{\"name\": \"iris-base\", \"relation\": \"finetune\", \"manifest\": {\"path\": \"iris-base.lineage.json\", \"sha256\": \"" + sha + "\"}}]",
            StringComparison.Ordinal));

        // First a build without the policy: a clean pass, remembered (gate.stamp), so an unchanged rebuild skips the gate.
        // Setting the policy changes no file; the gate must run again because the policy is part of what it remembers.
        // (The sample's undeclared vendor model is OTL0207; NoWarn, in both builds, lets the first one pass clean.)
        var withoutPolicy = _package.Build(project, "NoWarn=OTL0207");
        Assert.True(withoutPolicy.ExitCode == 0, withoutPolicy.Output);
        Assert.True(File.Exists(Path.Combine(project, "obj", "Debug", "net10.0", "opentrain", "gate.stamp")), withoutPolicy.Output);

        var build = _package.Build(project, "NoWarn=OTL0207", "OpenTrainDeniedLicenses=non-commercial");

        Assert.True(build.ExitCode != 0, build.Output);
        var denied = Assert.Single(build.WithId("OTL0700").Distinct());
        Assert.Equal(("error", basePath), (denied.Severity, denied.File));
        Assert.Equal(File.ReadAllLines(basePath).Select((l, i) => (l, i)).First(x => x.l.Contains("CC-BY-NC-4.0", StringComparison.Ordinal)).i + 1, denied.Line);
        Assert.Contains("Lineage: iris-species (finetune) → iris-base (from-scratch) → dataset 'iris'.", denied.Message, StringComparison.Ordinal);

        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(project, "obj", "Debug", "net10.0", "opentrain", "lineage.json"))).RootElement;
        var decisions = report.GetProperty("models").EnumerateArray()
            .Single(m => m.GetProperty("name").GetString() == "iris-species")
            .GetProperty("licenseDecisions").EnumerateArray().ToList();
        Assert.Contains(decisions, d => d.GetProperty("decision").GetString() == "denied" && d.GetProperty("license").GetString() == "CC-BY-NC-4.0");

        // The same NC dataset in a model that arrives in a NuGet package: the error is in the packaged manifest, package named.
        string id = "Acme.NcModel" + Guid.NewGuid().ToString("N")[..8];
        string library = Path.Combine(_package.Projects, "NcLib-" + id);
        Directory.CreateDirectory(Path.Combine(library, "models"));
        File.Copy(Path.Combine(models, "iris-species.onnx"), Path.Combine(library, "models", "iris-species.onnx"));
        File.WriteAllText(Path.Combine(library, "models", "iris-species.lineage.json"), baseText);
        File.Copy(_package.NuGetConfig, Path.Combine(library, "nuget.config"));
        File.WriteAllText(Path.Combine(library, "NcLib.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><PackageId>{id}</PackageId><Version>1.0.0</Version></PropertyGroup>
              <ItemGroup>
                <PackageReference Include="OpenTrainAnalyzers" Version="{PackageFixture.Version}" PrivateAssets="all" />
                <None Include="models\iris-species.onnx" Pack="true" PackagePath="contentFiles/any/any/models/" PackageCopyToOutput="true" />
              </ItemGroup>
            </Project>
            """);
        var pack = DotNet.Run(library, _package.Environment, "pack", "-nologo", "-o", _package.Feed);
        Assert.True(pack.ExitCode == 0, pack.Output);
        string consumer = Path.Combine(_package.Projects, "NcApp-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(consumer);
        File.Copy(_package.NuGetConfig, Path.Combine(consumer, "nuget.config"));
        File.WriteAllText(Path.Combine(consumer, "NcApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{id}" Version="1.0.0" />
                <PackageReference Include="OpenTrainAnalyzers" Version="{PackageFixture.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), "System.Console.WriteLine();\n");

        var packaged = _package.Build(consumer, "OpenTrainDeniedLicenses=non-commercial");

        Assert.True(packaged.ExitCode != 0, packaged.Output);
        var inPackage = Assert.Single(packaged.WithId("OTL0700").Distinct());
        Assert.EndsWith("iris-species.lineage.json", inPackage.File, StringComparison.Ordinal);
        Assert.Contains(id.ToLowerInvariant(), inPackage.File, StringComparison.Ordinal);
        Assert.Contains("Lineage: iris-base (from-scratch) → dataset 'iris'.", inPackage.Message, StringComparison.Ordinal);
        Assert.EndsWith($"(from package {id} 1.0.0)", inPackage.Message, StringComparison.Ordinal);
    }
}
