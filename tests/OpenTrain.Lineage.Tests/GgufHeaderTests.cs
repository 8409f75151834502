using System.Text;
using System.Text.Json;
using CsCheck;
using OpenTrain.Lineage.Headers;

namespace OpenTrain.Lineage.Tests;

/// <summary>
/// The GGUF metadata reader, on a fixture written by Hugging Face's own GGUF writer and cross-checked with its reader
/// (build/validate/make-gguf-fixtures.mjs), on every truncation of it, on thousands of mutations and on crafted
/// hostile headers: a coded problem, never an exception, a hang or a large allocation.
/// </summary>
public class GgufHeaderTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "headers");
    private static readonly byte[] Fixture = File.ReadAllBytes(Path.Combine(Directory, "llama-3.2-1b-instruct.Q4_K_M.gguf"));

    [Theory]
    [InlineData("llama-3.2-1b-instruct.Q4_K_M.gguf", 3)]
    [InlineData("qwen2-0.5b-instruct-q8_0-00001-of-00002.gguf", 2)] // a gguf-split shard, GGUF version 2
    public void Reads_what_the_independent_reader_reads(string name, int version)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(Directory, name));
        var header = Read(bytes);
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, name + ".expected.json")));

        Assert.True(header.IsComplete, header.Problem?.ToString());
        Assert.Equal(version, header.Version);
        Assert.Equal(0, header.TensorCount);
        var keys = expected.RootElement.EnumerateObject().Where(p => p.Name is not ("version" or "tensor_count" or "kv_count")).ToList();
        Assert.Equal(keys.Select(k => k.Name), header.Metadata.Select(m => m.Key));
        foreach (var property in keys)
        {
            var value = header[property.Name]!;
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.String:
                    Assert.Equal(property.Value.GetString(), value.Text);
                    break;
                case JsonValueKind.Number:
                    Assert.Equal(property.Value.GetDouble(), value.Kind == HeaderValueKind.Float ? value.Float : value.Integer, 5);
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    Assert.Equal(property.Value.GetBoolean(), value.Boolean);
                    break;
                case JsonValueKind.Array:
                    var items = property.Value.EnumerateArray().ToList();
                    Assert.Equal(items.Count, value.Count);
                    Assert.Equal(Math.Min(items.Count, HeaderLimits.Default.ArrayItemsKept), value.Items.Count);
                    for (int i = 0; i < value.Items.Count; i++)
                    {
                        Assert.Equal(items[i].ToString(), value.Items[i].Text);
                    }

                    break;
            }
        }

        Assert.Equal(version == 3 ? "llama3.2" : "apache-2.0", header["general.license"]!.Text);
        Assert.InRange(header.End, 24, bytes.Length); // the writer pads the header to the tensor alignment
        Assert.InRange(header.BytesRead, 24, header.End);
    }

    [Fact]
    public void A_vocabulary_is_read_past_not_kept_and_a_seekable_stream_skips_without_reading()
    {
        var seekable = Read(Fixture);
        var forwardOnly = GgufHeader.Read(new ForwardOnlyStream(Fixture), Fixture.Length);

        Assert.Equal(300, seekable["tokenizer.ggml.tokens"]!.Count);
        Assert.Equal(64, seekable["tokenizer.ggml.tokens"]!.Items.Count);
        Assert.Equal(seekable.Metadata.Select(m => m.Key + "=" + m.Value), forwardOnly.Metadata.Select(m => m.Key + "=" + m.Value));
        Assert.True(seekable.BytesRead < forwardOnly.BytesRead, $"{seekable.BytesRead} vs {forwardOnly.BytesRead}");
    }

    [Theory]
    [InlineData("llama-3.2-1b-instruct.Q4_K_M.gguf")]
    [InlineData("qwen2-0.5b-instruct-q8_0-00001-of-00002.gguf")]
    public void Every_truncation_is_a_truncation_problem(string name)
    {
        byte[] fixture = File.ReadAllBytes(Path.Combine(Directory, name));
        long end = Read(fixture).End;
        for (int length = 0; length <= fixture.Length; length++)
        {
            var header = Read(fixture.AsSpan(0, length).ToArray());
            if (length >= end)
            {
                Assert.True(header.IsComplete, $"{length}: {header.Problem}"); // only padding was cut
                continue;
            }

            Assert.False(header.IsComplete);
            Assert.True(header.Problem!.Kind == HeaderProblemKind.Truncated, $"{length}: {header.Problem}");
            Assert.True(header.BytesRead <= length);
        }
    }

    [Fact]
    public void Mutations_never_throw_and_never_allocate_much()
    {
        var mutation = Gen.OneOf(
            Gen.Int[0, Fixture.Length - 1].Select(Gen.Byte).Select((i, b) => Mutate(bytes => bytes[i] = b)),
            Gen.Int[24, Fixture.Length - 8].Select(Gen.Int[0, 7]).Select((i, k) => Mutate(bytes => bytes[i + k] = 0xFF)),
            Gen.Int[0, Fixture.Length].Select(n => Fixture.Take(n).Concat(Enumerable.Repeat((byte)0xFF, 16)).ToArray()));

        mutation.Sample(bytes =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var header = Read(bytes);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return allocated < 4 * 1024 * 1024 && header.BytesRead <= bytes.Length && (header.IsComplete || header.Problem!.Message.Length > 0);
        }, iter: 3000, threads: 1);
    }

    public static TheoryData<string, byte[], HeaderProblemKind> Hostile => new()
    {
        { "wrong magic", Encoding.ASCII.GetBytes("GGML").Concat(new byte[20]).ToArray(), HeaderProblemKind.WrongMagic },
        { "version 1", Build(1, 0, new byte[0]), HeaderProblemKind.Unsupported },
        { "a billion entries", Build(3, 1_000_000_000, new byte[0]), HeaderProblemKind.TooLarge },
        { "a key of 2^62 bytes", Build(3, 1, U64(1UL << 62)), HeaderProblemKind.TooLarge },
        { "a key longer than the file", Build(3, 1, U64(1000).Concat(Encoding.ASCII.GetBytes("abc")).ToArray()), HeaderProblemKind.Truncated },
        { "a key that is not UTF-8", Build(3, 1, U64(2).Concat(new byte[] { 0xC3, 0x28 }).Concat(U32(4)).Concat(U32(1)).ToArray()), HeaderProblemKind.InvalidText },
        { "an unknown value type", Build(3, 1, Key("k").Concat(U32(99)).ToArray()), HeaderProblemKind.Unsupported },
        { "a boolean of 7", Build(3, 1, Key("k").Concat(U32(7)).Concat(new byte[] { 7 }).ToArray()), HeaderProblemKind.Malformed },
        { "an array of 2^60 uint32", Build(3, 1, Key("k").Concat(U32(9)).Concat(U32(4)).Concat(U64(1UL << 60)).ToArray()), HeaderProblemKind.Truncated },
        { "an array of 2^60 strings", Build(3, 1, Key("k").Concat(U32(9)).Concat(U32(8)).Concat(U64(1UL << 60)).ToArray()), HeaderProblemKind.Truncated },
        { "arrays nested 100 deep", Build(3, 1, Key("k").Concat(U32(9)).Concat(Enumerable.Range(0, 100).SelectMany(_ => U32(9).Concat(U64(1)))).ToArray()), HeaderProblemKind.TooLarge },
        { "a string of 2^40 bytes in an array", Build(3, 1, Key("k").Concat(U32(9)).Concat(U32(8)).Concat(U64(100)).Concat(Enumerable.Range(0, 70).SelectMany(_ => U64(0))).Concat(U64(1UL << 40)).Concat(new byte[800]).ToArray()), HeaderProblemKind.TooLarge },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Hostile_headers_are_coded_problems(string name, byte[] bytes, HeaderProblemKind kind)
    {
        var header = Read(bytes);

        Assert.True(header.Problem?.Kind == kind, $"{name}: {header.Problem}");
        Assert.True(header.BytesRead <= bytes.Length);
    }

    [Fact]
    public void A_stream_that_throws_is_a_problem_not_an_exception()
    {
        var header = GgufHeader.Read(new ThrowingStream(), 1_000_000);

        Assert.Equal(HeaderProblemKind.Truncated, header.Problem!.Kind);
        Assert.Contains("IOException", header.Problem.Message, StringComparison.Ordinal);
    }

    private static WeightHeader Read(byte[] bytes) => GgufHeader.Read(new MemoryStream(bytes, writable: false), bytes.Length);

    private static byte[] Mutate(Action<byte[]> change)
    {
        var copy = (byte[])Fixture.Clone();
        change(copy);
        return copy;
    }

    private static byte[] Build(uint version, ulong entries, byte[] rest) =>
        Encoding.ASCII.GetBytes("GGUF").Concat(U32(version)).Concat(U64(0)).Concat(U64(entries)).Concat(rest).ToArray();

    private static byte[] Key(string key) => U64((ulong)Encoding.UTF8.GetByteCount(key)).Concat(Encoding.UTF8.GetBytes(key)).ToArray();

    private static byte[] U32(uint value) => BitConverter.GetBytes(value);

    private static byte[] U64(ulong value) => BitConverter.GetBytes(value);

    private sealed class ForwardOnlyStream : MemoryStream
    {
        public ForwardOnlyStream(byte[] bytes)
            : base(bytes, writable: false)
        {
        }

        public override bool CanSeek => false;

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }

    private sealed class ThrowingStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => 1_000_000;

        public override long Position { get; set; }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("disk gone");

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
