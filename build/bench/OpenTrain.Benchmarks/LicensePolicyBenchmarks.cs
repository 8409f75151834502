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
