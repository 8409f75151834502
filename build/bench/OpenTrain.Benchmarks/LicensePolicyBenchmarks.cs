using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using OpenTrain.Lineage;

namespace OpenTrain.Benchmarks;

/// <summary>
/// What the licence policy adds to the gate, for 1,000 manifests. Each is a fine-tune of the demo model with the demo
/// manifest as its pinned parent, so the chain has two manifests to judge. Baseline: the gate's own work (read,
/// evaluate, resolve the chain); the policy run denies categories and ids and judges every scope (the dearest setting).
/// </summary>
[MemoryDiagnoser]
public class LicensePolicyBenchmarks
{
    private const string ParentPath = "/bench/base.lineage.json";
    private byte[][] _thousand = Array.Empty<byte[]>();
    private byte[] _parent = Array.Empty<byte>();
    private readonly LicensePolicy _policy = LicensePolicy.Parse("non-commercial;proprietary-free;unknown;GPL-3.0-only", null, "weights;training-data;evaluation-data;code;documentation");

    [GlobalSetup]
    public void Setup()
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "iris-species.lineage.json"));
        _parent = Encoding.UTF8.GetBytes(text);
        string sha = Convert.ToHexString(SHA256.HashData(_parent)).ToLowerInvariant();
        string child = text.Replace("\"derivation\": \"from-scratch\"",
            "\"derivation\": \"finetune\",\n    \"parents\": [{\"name\": \"iris-species\", \"relation\": \"finetune\", \"manifest\": {\"path\": \"base.lineage.json\", \"sha256\": \"" + sha + "\"}}]",
            StringComparison.Ordinal);
        if (child == text)
        {
            throw new InvalidOperationException("The demo manifest changed: the benchmark's child has no parent.");
        }

        _thousand = Enumerable.Range(0, 1000)
            .Select(i => Encoding.UTF8.GetBytes(child.Replace("\"iris-species\",\n    \"version\"", $"\"iris-species-{i}\",\n    \"version\"", StringComparison.Ordinal)))
            .ToArray();
    }

    [Benchmark(Baseline = true, Description = "gate: read + evaluate + chain x1000 (baseline)")]
    public int GateOnly() => Gate(withPolicy: false);

    [Benchmark(Description = "gate + licence policy (all scopes) x1000")]
    public int GateWithPolicy() => Gate(withPolicy: true);

    /// <summary>
    /// For a shared, loaded machine: baseline and policy runs interleaved (order alternating), the ratio taken per
    /// round, so load that comes and goes hits both sides of a round alike. Prints the median of the per-round ratios.
    /// Usage: dotnet run -c Release --project build/bench/OpenTrain.Benchmarks -- policy-interleaved [rounds]
    /// </summary>
    public static void Interleaved(int rounds)
    {
        var bench = new LicensePolicyBenchmarks();
        bench.Setup();
        for (int i = 0; i < 3; i++)
        {
            bench.GateOnly();
            bench.GateWithPolicy();
        }

        var ratios = new List<double>();
        var baselines = new List<double>();
        var policies = new List<double>();
        var watch = new System.Diagnostics.Stopwatch();
        for (int round = 0; round < rounds; round++)
        {
            double baseline = 0, policy = 0;
            foreach (bool withPolicy in round % 2 == 0 ? new[] { false, true } : new[] { true, false })
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                watch.Restart();
                bench.Gate(withPolicy);
                watch.Stop();
                if (withPolicy)
                {
                    policy = watch.Elapsed.TotalMilliseconds;
                }
                else
                {
                    baseline = watch.Elapsed.TotalMilliseconds;
                }
            }

            ratios.Add(policy / baseline);
            baselines.Add(baseline);
            policies.Add(policy);
        }

        static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }

        Console.WriteLine($"rounds {rounds}; median gate {Median(baselines):F1} ms, median gate + policy {Median(policies):F1} ms; "
            + $"median per-round ratio {Median(ratios):F3}; ratio of minima {policies.Min() / baselines.Min():F3}; load {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private int Gate(bool withPolicy)
    {
        int denied = 0;
        for (int i = 0; i < _thousand.Length; i++)
        {
            var manifest = LineageManifest.Read(_thousand[i]);
            var evaluation = CompletenessPolicy.Evaluate(manifest);
            var chain = LineageChain.Resolve($"/bench/m{i}.lineage.json", manifest, evaluation.AchievedLevel,
                path => path == ParentPath ? ManifestFile.Of(_parent) : ManifestFile.Missing("no such file"));
            if (withPolicy)
            {
                foreach (var decision in LicensePolicyCheck.Evaluate(_policy, $"/bench/m{i}.lineage.json", manifest, chain.Parents))
                {
                    denied += decision.Allowed ? 0 : 1;
                }
            }
            else
            {
                denied += chain.Parents.Count;
            }
        }

        return denied;
    }
}
