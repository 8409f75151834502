using OpenTrain.Lineage.Headers;

namespace OpenTrain.Lineage.Tests;

/// <summary>What the weights say about themselves against what the manifest says: contradictions located and quoted.</summary>
public class HeaderCrossCheckTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "headers");

    private static WeightHeader Gguf() => Read(GgufHeader.Read, "llama-3.2-1b-instruct.Q4_K_M.gguf");

    [Fact]
    public void A_manifest_that_agrees_with_its_gguf_header_gets_no_finding()
    {
        var findings = Check(Manifest("LicenseRef-llama3.2", "Llama-3.2-1B-Instruct", "quantized", """[{ "name": "meta-llama/Llama-3.2-1B", "relation": "quantized" }]"""), Gguf());

        Assert.Empty(findings);
    }

    [Fact]
    public void Each_contradiction_is_a_warning_at_the_element_quoting_both_values()
    {
        string json = Manifest("Apache-2.0", "tiny-sentiment", "from-scratch", null);

        var findings = Check(json, Gguf());

        Assert.All(findings, f => Assert.Equal(("OTL0208", FindingSeverity.Warning), (f.Id, f.Severity)));
        Assert.Equal(new[] { "$.model.license", "$.model.name", "$.lineage", "$.lineage.derivation" }, findings.Select(f => f.JsonPath));
        Assert.Contains("'llama3.2'", findings[0].Message, StringComparison.Ordinal);
        Assert.Contains("'Apache-2.0'", findings[0].Message, StringComparison.Ordinal);
        Assert.Contains("'Llama 3.2 1B'", findings[2].Message, StringComparison.Ordinal);
        Assert.Contains("general.file_type 15", findings[3].Message, StringComparison.Ordinal);
        Assert.Equal(Fixture.LineOf(json, "\"license\""), findings[0].Range!.Value.Start.Line);
    }

    [Fact]
    public void Hub_licence_ids_and_expressions_that_contain_the_header_licence_agree()
    {
        var header = Read(SafetensorsHeader.Read, "adapter.safetensors");

        Assert.DoesNotContain(Check(Manifest("llama3.2 OR MIT", "adapter", "adapter", """[{ "name": "meta-llama/Llama-3.2-1B" }]"""), header), f => f.JsonPath == "$.model.license");
        Assert.Contains(Check(Manifest("MIT", "adapter", "adapter", """[{ "name": "meta-llama/Llama-3.2-1B" }]"""), header), f => f.JsonPath == "$.model.license");
        Assert.Contains(Check(Manifest("MIT", "adapter", "adapter", """[{ "name": "Qwen/Qwen2.5-1.5B" }]"""), header), f => f.JsonPath == "$.lineage.parents" && f.Message.Contains("meta-llama/Llama-3.2-1B", StringComparison.Ordinal));
    }

    [Fact]
    public void An_onnx_producer_that_is_not_the_declared_conversion_tool_is_reported()
    {
        var header = Read(OnnxHeader.Read, "sentiment.onnx");
        string agrees = Manifest("Apache-2.0", "sentiment", "converted", """[{ "name": "distilbert-base-uncased" }]""", """, "conversion": { "tool": { "name": "PyTorch torch.onnx" } }""");
        string differs = agrees.Replace("PyTorch torch.onnx", "tf2onnx", StringComparison.Ordinal);

        Assert.Empty(Check(agrees, header));
        Assert.Empty(Check(agrees.Replace("PyTorch torch.onnx", "torch 2.4.1", StringComparison.Ordinal), header)); // the tool by its package name
        var finding = Assert.Single(Check(differs, header));
        Assert.Equal("$.weights.conversion.tool.name", finding.JsonPath);
        Assert.Contains("'pytorch'", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_that_cannot_be_read_is_its_own_warning_at_the_file()
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(Directory, "llama-3.2-1b-instruct.Q4_K_M.gguf")).Take(100).ToArray();
        var header = GgufHeader.Read(new MemoryStream(bytes), bytes.Length);

        var finding = Assert.Single(Check(Manifest("MIT", "x", "from-scratch", null), header));

        Assert.Equal(("OTL0209", "$.weights.files[0].path"), (finding.Id, finding.JsonPath));
        Assert.Contains("Truncated", finding.Message, StringComparison.Ordinal);
    }

    private static List<LineageFinding> Check(string json, WeightHeader header)
    {
        var manifest = LineageManifest.Read(json);
        Assert.DoesNotContain(manifest.Findings, f => f.Severity == FindingSeverity.Error);
        return HeaderCrossCheck.Check(manifest.Document!, manifest.WeightFiles[0], header);
    }

    private static WeightHeader Read(Func<Stream, long, HeaderLimits?, WeightHeader> reader, string file)
    {
        using var stream = File.OpenRead(Path.Combine(Directory, file));
        return reader(stream, stream.Length, null);
    }

    private static string Manifest(string license, string name, string derivation, string? parents, string weightsExtra = "") => $$"""
        {
          "manifestVersion": "1.0",
          "model": {
            "name": "{{name}}",
            "license": "{{license}}"
          },
          "weights": { "format": "gguf", "files": [{ "path": "model.bin", "sha256": "{{new string('a', 63)}}b", "size": 1 }]{{weightsExtra}} },
          "lineage": { "derivation": "{{derivation}}"{{(parents is null ? "" : ", \"parents\": " + parents)}} }
        }
        """;
}
