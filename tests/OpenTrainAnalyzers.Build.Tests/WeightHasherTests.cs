using System.Security.Cryptography;
using OpenTrainAnalyzers.Build.Weights;

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
    [Fact]
    public void Concurrent_saves_of_one_cache_never_leave_a_half_written_file()
    {
        // Two builds of the same project at once: each saves its own cache over the other's. A reader must always see
        // one complete cache (header ... trailer), never a mix or a truncated file.
        var files = Enumerable.Range(0, 40).Select(i =>
        {
            string path = Path.Combine(_directory, $"w{i:00}.bin");
            File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(1024 + i));
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
            return new FileInfo(path);
        }).ToList();
        string cache = Path.Combine(_directory, "obj", "weights.cache");
        var writers = Enumerable.Range(0, 4).Select(w => new Thread(() =>
        {
            for (int round = 0; round < 25; round++)
            {
                var hasher = WeightHasher.Load(cache);
                foreach (var file in files.Skip(w).Where((_, i) => (i + round) % 3 != 0))
                {
                    hasher.Sha256Of(file);
                }

                hasher.Save();
            }
        })).ToList();
        int reads = 0;
        var problems = new List<string>();
        writers.ForEach(t => t.Start());
        while (writers.Any(t => t.IsAlive))
        {
            if (File.Exists(cache))
            {
                string text;
                try
                {
                    text = File.ReadAllText(cache);
                }
                catch (FileNotFoundException)
                {
                    continue;
                }

                reads++;
                string[] lines = text.Split('\n');
                if (lines[0] != WeightHasher.Header || lines[^1].Length != 0 || !lines[^2].StartsWith("end\t", StringComparison.Ordinal)
                    || lines[^2] != "end\t" + (lines.Length - 3))
                {
                    problems.Add(text);
                }
            }
        }

        writers.ForEach(t => t.Join());
        Assert.Empty(problems);
        Assert.True(reads > 0);
        Assert.Empty(Directory.GetFiles(Path.Combine(_directory, "obj"), "*.tmp"));

        // And the cache the last writer left is trusted: its digests are reused.
        var next = WeightHasher.Load(cache);
        foreach (var file in files)
        {
            next.Sha256Of(file);
        }

        Assert.True(next.ReusedFiles > 0);
    }
}
