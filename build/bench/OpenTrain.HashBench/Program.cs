using System.Diagnostics;
using System.Security.Cryptography;
using OpenTrainAnalyzers.Build.Weights;
using OpenTrainAnalyzers.Build;

// Usage:
//   hash <file>              the task's single-file path (WeightHasher.Hash): one line "opentrain <s> <MB/s> <sha256>"
//   prefetch <file> <file>…  the task's parallel path (WeightHasher.Prefetch, one file per core; Environment.ProcessorCount
//                            follows the CPU affinity, so `taskset -c 0` means one core)
//   incremental <file>       a reference implementation for comparison: IncrementalHash fed 1 MiB reads, unbuffered FileStream
// Times are measured in-process (Stopwatch around the hashing only; process start and JIT excluded).
string mode = args.Length > 0 ? args[0] : "";
var files = args.Skip(1).Select(p => new FileInfo(p)).ToList();
if (files.Count == 0 || files.Any(f => !f.Exists))
{
    Console.Error.WriteLine("usage: hash|incremental <file> | prefetch <file> <file>...");
    return 2;
}

long bytes = files.Sum(f => f.Length);
var watch = Stopwatch.StartNew();
string digest;
switch (mode)
{
    case "hash":
        digest = WeightHasher.Hash(files[0].FullName);
        break;
    case "incremental":
        digest = Incremental(files[0].FullName);
        break;
    case "prefetch":
        var hasher = WeightHasher.Load(null);
        hasher.Prefetch(files);
        watch.Stop();
        if (hasher.HashedFiles != files.Count)
        {
            Console.Error.WriteLine($"expected {files.Count} hashed files, got {hasher.HashedFiles}");
            return 1;
        }

        digest = string.Join(",", files.Select(f => hasher.Sha256Of(f)[..12]));
        break;
    default:
        Console.Error.WriteLine($"unknown mode '{mode}'");
        return 2;
}

watch.Stop();
double seconds = watch.Elapsed.TotalSeconds;
Console.WriteLine(FormattableString.Invariant($"{mode} cores={Environment.ProcessorCount} seconds={seconds:F3} MBps={bytes / seconds / 1e6:F0} bytes={bytes} sha256={digest}"));
return 0;

static string Incremental(string path)
{
    using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    var buffer = new byte[1 << 20];
    int read;
    while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
    {
        hash.AppendData(buffer, 0, read);
    }

    return Convert.ToHexStringLower(hash.GetHashAndReset());
}
