using System.Text.Json;
using CsCheck;
using OpenTrain.Lineage.Headers;

namespace OpenTrain.Lineage.Tests;

/// <summary>
/// The ONNX top-level reader on a model written and decoded by the npm onnx-proto package, on the demo's model exported
/// by ML.NET, on truncations, mutations and hostile input. The graph and its weights are skipped, never read.
/// </summary>
public class OnnxHeaderTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "headers");
    private static readonly byte[] Fixture = File.ReadAllBytes(Path.Combine(Directory, "sentiment.onnx"));

    [Fact]
    public void Reads_what_onnx_proto_decodes_and_skips_the_graph()
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "sentiment.onnx.expected.json")));
        var e = expected.RootElement;
        var header = Read(Fixture);

        Assert.True(header.IsComplete, header.Problem?.ToString());
        Assert.Equal(e.GetProperty("irVersion").GetInt64(), header["onnx.ir_version"]!.Integer);
        Assert.Equal(e.GetProperty("producerName").GetString(), header["onnx.producer_name"]!.Text);
        Assert.Equal(e.GetProperty("producerVersion").GetString(), header["onnx.producer_version"]!.Text);
        Assert.Equal(e.GetProperty("domain").GetString(), header["onnx.domain"]!.Text);
        Assert.Equal(e.GetProperty("modelVersion").GetInt64(), header["onnx.model_version"]!.Integer);
        Assert.Equal(e.GetProperty("docString").GetString(), header["onnx.doc_string"]!.Text);
        foreach (var opset in e.GetProperty("opsetImport").EnumerateArray())
        {
            string domain = opset.GetProperty("domain").GetString() is { Length: > 0 } d ? d : "ai.onnx";
            Assert.Equal(opset.GetProperty("version").GetInt64(), header["onnx.opset." + domain]!.Integer);
        }

        foreach (var property in e.GetProperty("metadataProps").EnumerateArray())
        {
            Assert.Equal(property.GetProperty("value").GetString(), header[property.GetProperty("key").GetString()!]!.Text);
        }

        Assert.True(header.BytesRead < 400, $"read {header.BytesRead} of {Fixture.Length} bytes: the 4 KiB initializer must be skipped");
    }

    [Fact]
    public void Reads_the_demo_model_exported_by_ml_net()
    {
        string demo = Path.Combine(OpenTrain.Lineage.Tests.Fixture.RepoRoot, "samples", "IrisDemo", "models", "iris-species.onnx");
        using var stream = File.OpenRead(demo);

        var header = OnnxHeader.Read(stream, stream.Length);

        Assert.True(header.IsComplete, header.Problem?.ToString());
        Assert.False(string.IsNullOrEmpty(header["onnx.producer_name"]?.Text));
        Assert.NotNull(header["onnx.ir_version"]);
        Assert.True(header.BytesRead < stream.Length);
    }

    [Fact]
    public void Every_truncation_is_a_coded_problem_or_a_complete_prefix()
    {
        for (int length = 1; length < Fixture.Length; length++)
        {
            var header = Read(Fixture.AsSpan(0, length).ToArray());
            Assert.True(header.IsComplete || header.Problem!.Kind is HeaderProblemKind.Truncated or HeaderProblemKind.Malformed, $"{length}: {header.Problem}");
        }
    }

    [Fact]
    public void Mutations_never_throw_and_never_allocate_much()
    {
        Gen.Int[0, Fixture.Length - 1].Select(Gen.Byte).Select((i, b) =>
        {
            var copy = (byte[])Fixture.Clone();
            copy[i] = b;
            return copy;
        }).Sample(bytes =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var header = Read(bytes);
            return GC.GetAllocatedBytesForCurrentThread() - before < 4 * 1024 * 1024 && (header.IsComplete || header.Problem!.Message.Length > 0);
        }, iter: 3000, threads: 1);
    }

    public static TheoryData<string, byte[], HeaderProblemKind> Hostile => new()
    {
        { "a GGUF file", "GGUF"u8.ToArray().Concat(new byte[20]).ToArray(), HeaderProblemKind.WrongMagic },
        { "a field of number zero", new byte[] { 0x00, 0x01 }, HeaderProblemKind.WrongMagic },
        { "a group wire type", new byte[] { 0x08, 0x09, 0x13 }, HeaderProblemKind.Malformed },
        { "a string longer than the file", new byte[] { 0x12, 0xFF, 0xFF, 0xFF, 0x7F, 0x41 }, HeaderProblemKind.Truncated },
        { "a graph longer than the file", new byte[] { 0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }, HeaderProblemKind.Truncated },
        { "an endless varint", new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, HeaderProblemKind.Malformed },
        { "metadata that is not UTF-8", new byte[] { 0x72, 0x04, 0x0A, 0x02, 0xC3, 0x28 }, HeaderProblemKind.InvalidText },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Hostile_input_is_a_coded_problem(string name, byte[] bytes, HeaderProblemKind kind)
    {
        var header = Read(bytes);

        Assert.True(header.Problem?.Kind == kind, $"{name}: {header.Problem}");
    }

    private static WeightHeader Read(byte[] bytes) => OnnxHeader.Read(new MemoryStream(bytes, writable: false), bytes.Length);

}
