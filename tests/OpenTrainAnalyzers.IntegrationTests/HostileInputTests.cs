using System.Security.Cryptography;

namespace OpenTrainAnalyzers.IntegrationTests;

/// <summary>
/// Hostile manifests in a real `dotnet build`: each is a coded error located in its own file; the build neither
/// crashes (no MSB4018, AD0001, OTL0011) nor hangs, and no file of the project changes.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class HostileInputTests
{
    private readonly PackageFixture _package;

    public HostileInputTests(PackageFixture package) => _package = package;

    [Fact]
    public void Every_hostile_manifest_gets_a_coded_located_error_and_nothing_is_written()
    {
        string project = _package.CreateProject("OnnxApp");
        string hostile = Directory.CreateDirectory(Path.Combine(project, "hostile")).FullName;
        string demo = File.ReadAllText(Path.Combine(project, "models", "iris-species.lineage.json"));
        string Weights(string path) => demo.Replace("\"path\": \"iris-species.onnx\"", "\"path\": \"" + path + "\"", StringComparison.Ordinal);
        string WithParent(string path, string sha) => demo.Replace(
            "\"derivation\": \"from-scratch\"",
            "\"derivation\": \"finetune\", \"parents\": [{\"name\": \"p\", \"relation\": \"finetune\", \"manifest\": {\"path\": \"" + path + "\", \"sha256\": \"" + sha + "\"}}]",
            StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(hostile, "malformed.lineage.json"), "{ \"manifestVersion\": \"1.0\",\n  \"model\": ");
        File.WriteAllText(Path.Combine(hostile, "traversal.lineage.json"), Weights("../../models/iris-species.onnx"));
        File.WriteAllText(Path.Combine(hostile, "absolute.lineage.json"), Weights("/etc/passwd"));
        Directory.CreateDirectory(Path.Combine(hostile, "folder.onnx"));
        File.WriteAllText(Path.Combine(hostile, "directory.lineage.json"), Weights("folder.onnx"));
        File.WriteAllText(Path.Combine(hostile, "orphan.lineage.json"), WithParent("missing.lineage.json", new string('a', 64)));
        File.WriteAllText(Path.Combine(hostile, "cycle-b.lineage.json"), WithParent("cycle-a.lineage.json", new string('b', 64)));
        File.WriteAllText(Path.Combine(hostile, "cycle-a.lineage.json"), WithParent("cycle-b.lineage.json", Sha(Path.Combine(hostile, "cycle-b.lineage.json"))));
        using (var huge = File.Create(Path.Combine(hostile, "huge.lineage.json")))
        {
            huge.SetLength(100L * 1024 * 1024);
        }

        var before = Checksums(project);
        var build = _package.Build(project);

        Assert.NotEqual(0, build.ExitCode);
        Assert.DoesNotContain(build.Diagnostics, d => d.Id is "MSB4018" or "AD0001" or "OTL0011" or "CS8032");
        Expect(build, hostile, "malformed.lineage.json", "OTL0100", located: true);
        Expect(build, hostile, "traversal.lineage.json", "OTL0203", located: true);
        Expect(build, hostile, "absolute.lineage.json", "OTL0203", located: true);
        Expect(build, hostile, "directory.lineage.json", "OTL0200", located: true);
        Expect(build, hostile, "orphan.lineage.json", "OTL0501", located: true);
        Expect(build, hostile, "cycle-a.lineage.json", "OTL0504", located: true);
        Expect(build, hostile, "huge.lineage.json", "OTL0105", located: false);
        Assert.Equal(before, Checksums(project));
    }

    private static void Expect(BuildResult build, string directory, string file, string id, bool located)
    {
        string path = Path.Combine(directory, file);
        var found = build.Diagnostics.Where(d => d.File == path && d.Id == id && d.Severity == "error").ToList();
        Assert.True(found.Count > 0, $"{file}: expected {id}; got {string.Join(", ", build.Diagnostics.Where(d => d.File == path).Select(d => d.Id + "@" + d.Line))}");
        if (located)
        {
            Assert.All(found, d => Assert.True(d.Line > 0 && d.Column > 0, d.ToString()));
        }
    }

    private static string Sha(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();

    private static Dictionary<string, string> Checksums(string directory) => Directory
        .EnumerateFiles(directory, "*", SearchOption.AllDirectories)
        .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        .ToDictionary(f => f, f => new FileInfo(f).Length > 16 * 1024 * 1024 ? "large:" + new FileInfo(f).Length : Sha(f));
}
