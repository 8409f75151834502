using System.Security.Cryptography;

namespace OpenTrainAnalyzers.Build.Tests;

public sealed class WeightHasherTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opentrain-hash-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Shards_are_hashed_once_each_in_parallel_and_then_served_from_the_cache()
    {
        var shards = Enumerable.Range(0, 4).Select(i =>
        {
            string path = Path.Combine(_directory, $"model-{i:00000}-of-00004.safetensors");
            File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(256 * 1024 + i));
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5)); // old enough to be cached
            return new FileInfo(path);
        }).ToList();
        string cache = Path.Combine(_directory, "obj", "weights.cache");

        var first = WeightHasher.Load(cache);
        first.Prefetch(shards);
        var digests = shards.Select(first.Sha256Of).ToList();
        first.Save();

        Assert.Equal(4, first.HashedFiles);
        Assert.Equal(0, first.ReusedFiles);
        Assert.Equal(shards.Select(s => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(s.FullName))).ToLowerInvariant()), digests);

        var second = WeightHasher.Load(cache);
        second.Prefetch(shards);
        Assert.Equal(digests, shards.Select(second.Sha256Of));
        Assert.Equal(0, second.HashedFiles);
        Assert.Equal(4, second.ReusedFiles);
    }
}
