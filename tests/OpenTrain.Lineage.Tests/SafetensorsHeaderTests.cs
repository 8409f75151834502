using System.Text;
using System.Text.Json;
using CsCheck;
using OpenTrain.Lineage.Headers;

namespace OpenTrain.Lineage.Tests;

/// <summary>The safetensors header reader on a fixture written by the published format, its truncations and mutations, and hostile headers.</summary>
public class SafetensorsHeaderTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "headers");
    private static readonly byte[] Fixture = File.ReadAllBytes(Path.Combine(Directory, "adapter.safetensors"));

    [Fact]
    public void Reads_the_metadata_the_tensor_table_and_the_parameter_count()
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "adapter.safetensors.expected.json")));
        var header = Read(Fixture);

        Assert.True(header.IsComplete, header.Problem?.ToString());
        foreach (var entry in expected.RootElement.GetProperty("metadata").EnumerateObject())
        {
            Assert.Equal(entry.Value.GetString(), header[entry.Name]?.Text);
        }

        Assert.Equal(expected.RootElement.GetProperty("tensors").GetInt64(), header.TensorCount);
        Assert.Equal(expected.RootElement.GetProperty("parameters").GetInt64(), header.ParameterCount);
        Assert.Equal(expected.RootElement.GetProperty("dtypes").EnumerateArray().Select(d => d.GetString()), header["safetensors.dtypes"]!.Items.Select(i => i.Text));
        Assert.Equal(expected.RootElement.GetProperty("headerEnd").GetInt64(), header.End);
        Assert.Equal(header.End, header.BytesRead); // the tensor data is never read
    }

    [Fact]
    public void Every_truncation_of_the_header_is_a_coded_problem()
    {
        long end = Read(Fixture).End;
        for (int length = 0; length < end; length++)
        {
            var header = Read(Fixture.AsSpan(0, length).ToArray());
            Assert.True(header.Problem?.Kind is HeaderProblemKind.Truncated or HeaderProblemKind.TooLarge, $"{length}: {header.Problem}");
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
        { "a length larger than the file", Header(ulong.MaxValue, "{}"), HeaderProblemKind.TooLarge },
        { "a length of 2^40 in a small file", Header(1UL << 40, "{}"), HeaderProblemKind.TooLarge },
        { "an empty header", Header(0, string.Empty), HeaderProblemKind.Malformed },
        { "a JSON array", Header(null, "[1, 2, 3]"), HeaderProblemKind.Malformed },
        { "broken JSON", Header(null, "{\"a\": "), HeaderProblemKind.Malformed },
        { "deep nesting", Header(null, string.Concat(Enumerable.Repeat("{\"a\":", 5000))), HeaderProblemKind.Malformed },
        { "metadata that is not strings", Header(null, "{\"__metadata__\": {\"a\": 1}}"), HeaderProblemKind.Malformed },
        { "a tensor without a shape", Header(null, "{\"w\": {\"dtype\": \"F16\"}}"), HeaderProblemKind.Malformed },
        { "a negative dimension", Header(null, "{\"w\": {\"dtype\": \"F16\", \"shape\": [-1], \"data_offsets\": [0, 0]}}"), HeaderProblemKind.Malformed },
        { "invalid UTF-8", Header(null, "{\"a\u00e9\": 1}").Select(b => b == 0xC3 ? (byte)0xFF : b).ToArray(), HeaderProblemKind.InvalidText },
        { "a too short length", new byte[] { 1, 2, 3 }, HeaderProblemKind.Truncated },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Hostile_headers_are_coded_problems(string name, byte[] bytes, HeaderProblemKind kind)
    {
        var header = Read(bytes);

        Assert.True(header.Problem?.Kind == kind, $"{name}: {header.Problem}");
    }

    [Fact]
    public void Huge_shapes_do_not_overflow_the_parameter_count()
    {
        var header = Read(Header(null, "{\"a\": {\"dtype\": \"F16\", \"shape\": [4294967296, 4294967296, 4294967296], \"data_offsets\": [0, 0]}}"));

        Assert.True(header.IsComplete);
        Assert.Null(header.ParameterCount);
    }

    private static WeightHeader Read(byte[] bytes) => SafetensorsHeader.Read(new MemoryStream(bytes, writable: false), bytes.Length);

    private static byte[] Header(ulong? declared, string json)
    {
        byte[] text = Encoding.UTF8.GetBytes(json);
        return BitConverter.GetBytes(declared ?? (ulong)text.Length).Concat(text).ToArray();
    }
}
