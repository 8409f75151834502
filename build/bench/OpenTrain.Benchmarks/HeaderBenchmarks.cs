using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using OpenTrain.Lineage.Headers;

namespace OpenTrain.Benchmarks;

/// <summary>
/// Reading a GGUF header against hashing the whole file, on a 2 GiB file: the fixture's real header (written by
/// @huggingface/gguf) followed by sparse tensor space. Baseline: SHA-256 of the file, which the gate does anyway (and
/// caches); the header read is what the cross-check adds on a first build.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, warmupCount: 1, iterationCount: 5)]
public class HeaderBenchmarks
{
    private string _file = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _file = Path.Combine(Path.GetTempPath(), "opentrain-bench-2gib.gguf");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "llama-3.2-1b-instruct.Q4_K_M.gguf"), _file, overwrite: true);
        using var stream = new FileStream(_file, FileMode.Open, FileAccess.Write);
        stream.SetLength(2L * 1024 * 1024 * 1024);
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_file);

    [Benchmark(Baseline = true, Description = "SHA-256 of the 2 GiB file (baseline)")]
    public int Hash()
    {
        using var stream = new FileStream(_file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return SHA256.HashData(stream)[0];
    }

    [Benchmark(Description = "GGUF header of the 2 GiB file")]
    public long Header()
    {
        using var stream = new FileStream(_file, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        var header = GgufHeader.Read(stream, stream.Length);
        return header.IsComplete ? header.BytesRead : -1;
    }
}
