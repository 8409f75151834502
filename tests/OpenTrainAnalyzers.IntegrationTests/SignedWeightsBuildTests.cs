using System.Reflection;
using System.Text.Json;

namespace OpenTrainAnalyzers.IntegrationTests;

/// <summary>
/// A signed model in a real `dotnet build` with the packed nupkg: model_signing's recorded v1.1 key signature
/// (../shared/reference/oms, not made by this project) verifies against the producer's key and the report names it;
/// an unchanged rebuild reads no weight byte; OpenTrainRequireSignature without a trusted signer fails.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class SignedWeightsBuildTests
{
    private readonly PackageFixture _package;

    public SignedWeightsBuildTests(PackageFixture package) => _package = package;

    [SkippableFact]
    public void A_model_with_a_valid_signature_passes_names_its_signer_and_requiring_a_signature_without_signers_fails()
    {
        string vector = Path.GetFullPath(Path.Combine(_package.RepoRoot, "..", "shared", "reference", "oms", "model-transparency"));
        Skip.IfNot(Directory.Exists(vector), "The recorded OMS signatures are not beside the project (../shared/reference/oms); skipped.");

        // A project with nothing but the package: no model library to restore.
        string project = Path.Combine(_package.Projects, "SignedApp-" + Guid.NewGuid().ToString("N")[..8]);
        string models = Path.Combine(project, "models", "signed");
        Directory.CreateDirectory(models);
        Directory.CreateDirectory(Path.Combine(project, "keys"));
        foreach (var name in new[] { "signme-1", "signme-2", "ignore-me", "model.sig" })
        {
            File.Copy(Path.Combine(vector, "v1.1.0-elliptic-key", name), Path.Combine(models, name));
            File.SetAttributes(Path.Combine(models, name), FileAttributes.Normal);
            File.SetLastWriteTimeUtc(Path.Combine(models, name), DateTime.UtcNow.AddHours(-1)); // old enough to be cached
        }

        File.Copy(Path.Combine(vector, "keys", "signing-key-pub.pem"), Path.Combine(project, "keys", "producer.pub.pem"));
        File.Copy(_package.NuGetConfig, Path.Combine(project, "nuget.config"));
        File.WriteAllText(Path.Combine(project, "Directory.Build.props"),
            $"<Project><PropertyGroup><OpenTrainAnalyzersVersion>{PackageFixture.Version}</OpenTrainAnalyzersVersion></PropertyGroup></Project>");
        File.WriteAllText(Path.Combine(project, "SignedApp.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup>
              <ItemGroup>
                <PackageReference Include="OpenTrainAnalyzers" Version="$(OpenTrainAnalyzersVersion)" />
                <OpenTrainTrustedSigner Include="keys/producer.pub.pem" Condition="'$(NoSigner)' != 'true'" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Program.cs"), "System.Console.WriteLine(\"signed\");\n");
        File.WriteAllText(Path.Combine(models, "signed.lineage.json"), Manifest(models));

        var first = _package.Build(project);
        Assert.True(first.ExitCode == 0, first.Output);
        var model = Assert.Single(Summary(project).GetProperty("models").EnumerateArray());
        Assert.Equal("verified", model.GetProperty("signature").GetProperty("status").GetString());
        Assert.Contains("keys/producer.pub.pem", model.GetProperty("signature").GetProperty("signer").GetString(), StringComparison.Ordinal);
        Assert.Contains("signed by public key keys/producer.pub.pem", first.Output, StringComparison.Ordinal);

        // Unchanged, but now required and nobody trusted: the build fails, having read no weight byte.
        var strict = _package.Build(project, "OpenTrainRequireSignature=true", "NoSigner=true");
        Assert.NotEqual(0, strict.ExitCode);
        Assert.Contains(strict.Diagnostics, d => d.Id == "OTL0806" && d.Severity == "error");
        Assert.Contains(strict.Diagnostics, d => d.Id == "OTL0802" && d.Severity == "error");
        Assert.Equal(0, Summary(project).GetProperty("hashing").GetProperty("hashedFiles").GetInt32());
    }

    private static JsonElement Summary(string project) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(project, "obj", "Debug", "net10.0", "opentrain", "lineage.json"))).RootElement.Clone();

    private static string Manifest(string models)
    {
        string File(string name)
        {
            byte[] bytes = System.IO.File.ReadAllBytes(Path.Combine(models, name));
            return $$"""{ "path": "{{name}}", "sha256": "{{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)).ToLowerInvariant()}}", "size": {{bytes.Length}} }""";
        }

        return OpenTrain.TestSupport.SignedModelManifest.Json(new[] { File("signme-1"), File("signme-2") }, "model.sig");
    }
}
