using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Build.Utilities;

namespace OpenTrainAnalyzers.Build.Tests;

/// <summary>The gate reads GGUF/safetensors/ONNX headers, cross-checks them with the manifest, and remembers them.</summary>
public sealed class HeaderCheckTaskTests : IDisposable
{
    private static readonly string RepoRoot = typeof(HeaderCheckTaskTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
    private static readonly string Gguf = Path.Combine(RepoRoot, "tests", "OpenTrain.Lineage.Tests", "Fixtures", "headers", "llama-3.2-1b-instruct.Q4_K_M.gguf");

    private readonly string _directory = Directory.CreateTempSubdirectory("opentrain-headers-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_gguf_that_contradicts_its_manifest_warns_and_an_unchanged_rebuild_reads_no_header_byte()
    {
        string manifest = Write(File.ReadAllBytes(Gguf), license: "Apache-2.0", derivation: "from-scratch");
        string cache = Path.Combine(_directory, "obj", "weights.sha256.cache");

        var first = Run(manifest, cache);
        var second = Run(manifest, cache);

        var warnings = first.Warnings.Where(w => w.Code == "OTL0208").ToList();
        Assert.Equal(3, warnings.Count); // licence, base model not among the parents, quantized but from-scratch
        Assert.Contains(warnings, w => w.Message!.Contains("'llama3.2'", StringComparison.Ordinal) && w.LineNumber == LineOf(manifest, "\"license\""));
        Assert.Contains(first.Messages, m => m.Message!.Contains("read the headers of 1 weight file(s)", StringComparison.Ordinal) && !m.Message.Contains("(0 bytes)", StringComparison.Ordinal));
        Assert.Contains(second.Messages, m => m.Message!.Contains("read the headers of 0 weight file(s) (0 bytes), 1 from cache.", StringComparison.Ordinal));
        Assert.Equal(warnings.Select(w => w.Message), second.Warnings.Where(w => w.Code == "OTL0208").Select(w => w.Message));
    }

    [Fact]
    public void A_gguf_under_a_neutral_name_is_recognised_by_its_content_and_remembered()
    {
        string manifest = Write(File.ReadAllBytes(Gguf), license: "Apache-2.0", derivation: "from-scratch", fileName: "weights.bin");
        string cache = Path.Combine(_directory, "obj", "weights.sha256.cache");

        var first = Run(manifest, cache);
        var second = Run(manifest, cache);

        Assert.Equal(3, first.Warnings.Count(w => w.Code == "OTL0208"));
        Assert.Equal(3, second.Warnings.Count(w => w.Code == "OTL0208"));
        Assert.Contains(second.Messages, m => m.Message!.Contains("read the headers of 0 weight file(s) (0 bytes), 1 from cache.", StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_in_no_known_format_is_remembered_as_such_and_not_looked_at_again()
    {
        string manifest = Write("not a model header at all"u8.ToArray(), license: "MIT", derivation: "from-scratch", fileName: "weights.bin");
        string cache = Path.Combine(_directory, "obj", "weights.sha256.cache");

        var first = Run(manifest, cache);
        var second = Run(manifest, cache);

        Assert.DoesNotContain(first.Warnings, w => w.Code is "OTL0208" or "OTL0209");
        Assert.Contains(second.Messages, m => m.Message!.Contains("read the headers of 0 weight file(s) (0 bytes), 1 from cache.", StringComparison.Ordinal));
    }

    [Fact]
    public void A_manifest_that_agrees_with_its_gguf_gets_no_warning()
    {
        string manifest = Write(File.ReadAllBytes(Gguf), license: "LicenseRef-llama3.2", derivation: "quantized", parents: """[{ "name": "meta-llama/Llama-3.2-1B", "relation": "quantized" }]""");

        var engine = Run(manifest, null);

        Assert.DoesNotContain(engine.Warnings, w => w.Code is "OTL0208" or "OTL0209");
    }

    [Fact]
    public void A_header_that_cannot_be_read_is_a_warning_even_when_the_digest_matches()
    {
        string manifest = Write(File.ReadAllBytes(Gguf).Take(200).ToArray(), license: "MIT", derivation: "from-scratch");
        string cache = Path.Combine(_directory, "obj", "weights.sha256.cache");

        var first = Run(manifest, cache);
        var second = Run(manifest, cache);

        var unreadable = Assert.Single(first.Warnings, w => w.Code == "OTL0209");
        Assert.Contains("Truncated", unreadable.Message, StringComparison.Ordinal);
        Assert.Equal(unreadable.Message, Assert.Single(second.Warnings, w => w.Code == "OTL0209").Message); // the same from the cache
    }

    private FakeBuildEngine Run(string manifest, string? cache)
    {
        var engine = new FakeBuildEngine();
        new ValidateTrainingLineage
        {
            BuildEngine = engine,
            Manifests = new[] { new TaskItem(manifest) },
            ProjectFile = Path.Combine(_directory, "app.csproj"),
            HashCacheFile = cache,
        }.Execute();
        return engine;
    }

    private string Write(byte[] weights, string license, string derivation, string? parents = null, string fileName = "model.gguf")
    {
        File.WriteAllBytes(Path.Combine(_directory, fileName), weights);
        File.SetLastWriteTimeUtc(Path.Combine(_directory, fileName), DateTime.UtcNow.AddHours(-1));
        string sha = Convert.ToHexString(SHA256.HashData(weights)).ToLowerInvariant();
        string path = Path.Combine(_directory, "model.lineage.json");
        File.WriteAllText(path, $$"""
            {
              "manifestVersion": "1.0",
              "model": {
                "name": "llama-3.2-1b-instruct",
                "license": "{{license}}"
              },
              "weights": { "format": "gguf", "files": [{ "path": "{{fileName}}", "sha256": "{{sha}}", "size": {{weights.Length}} }] },
              "lineage": { "derivation": "{{derivation}}"{{(parents is null ? "" : ", \"parents\": " + parents)}} }
            }
            """);
        return path;
    }

    private static int LineOf(string file, string text) => File.ReadAllLines(file).Select((line, i) => (line, i)).First(l => l.line.Contains(text, StringComparison.Ordinal)).i + 1;
}
