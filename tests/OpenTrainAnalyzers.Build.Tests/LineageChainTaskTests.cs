using System.Security.Cryptography;
using Microsoft.Build.Utilities;

namespace OpenTrainAnalyzers.Build.Tests;

/// <summary>The task resolves lineage.parents[] from local files and reports at the child's parent entry.</summary>
public sealed class LineageChainTaskTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opentrain-chain-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_fine_tune_is_checked_against_its_vendored_base()
    {
        string demoModels = Path.Combine(RepoRoot(), "samples", "IrisDemo", "models");
        File.Copy(Path.Combine(demoModels, "iris-species.onnx"), Path.Combine(_directory, "iris-species.onnx"));
        File.Copy(Path.Combine(demoModels, "iris-species.lineage.json"), Path.Combine(_directory, "base.lineage.json"));
        string baseSha = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(_directory, "base.lineage.json")))).ToLowerInvariant();
        string child = File.ReadAllText(Path.Combine(demoModels, "iris-species.lineage.json")).Replace(
            "\"derivation\": \"from-scratch\"",
            "\"derivation\": \"finetune\",\n    \"parents\": [{\"name\": \"iris-species\", \"relation\": \"finetune\", \"manifest\": {\"path\": \"base.lineage.json\", \"sha256\": \"" + baseSha + "\"}}]",
            StringComparison.Ordinal);
        Assert.Contains("\"finetune\"", child, StringComparison.Ordinal);
        string childPath = Path.Combine(_directory, "child.lineage.json");
        File.WriteAllText(childPath, child);

        var passing = Run(childPath, "open-tooling");
        var failing = Run(childPath, "open-science");

        Assert.Empty(passing.Errors);
        var capped = Assert.Single(failing.Errors, e => e.Code == "OTL0503");
        Assert.Equal(childPath, capped.File);
        Assert.Equal(File.ReadAllLines(childPath).Select((l, i) => (l, i)).First(x => x.l.Contains("base.lineage.json", StringComparison.Ordinal)).i + 1, capped.LineNumber);

        File.AppendAllText(Path.Combine(_directory, "base.lineage.json"), "\n");
        var tampered = Run(childPath, "declared");
        Assert.Equal("OTL0502", Assert.Single(tampered.Errors).Code);
    }

    [Fact]
    public void The_osaid_profile_is_checked_when_enabled_and_unknown_profiles_are_refused()
    {
        string demoModels = Path.Combine(RepoRoot(), "samples", "IrisDemo", "models");
        foreach (var file in new[] { "iris-species.onnx", "iris-species.lineage.json" })
        {
            File.Copy(Path.Combine(demoModels, file), Path.Combine(_directory, file));
        }

        string manifest = Path.Combine(_directory, "iris-species.lineage.json");
        var withProfile = Run(manifest, "declared", "osaid-1.0");
        var unknown = Run(manifest, "declared", "osaid-2.0");

        Assert.Empty(withProfile.Errors);
        Assert.Contains(withProfile.Messages, m => m.Message!.Contains("(iris-species: open-tooling, osaid-1.0 met)", StringComparison.Ordinal));
        Assert.Equal("OTL0012", Assert.Single(unknown.Errors).Code);
    }

    private static FakeBuildEngine Run(string manifest, string level, string? profiles = null)
    {
        var engine = new FakeBuildEngine();
        new ValidateTrainingLineage { BuildEngine = engine, Manifests = new[] { new TaskItem(manifest) }, RequiredLevel = level, Profiles = profiles }.Execute();
        return engine;
    }

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OpenTrainAnalyzers.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}
