using System.Text;
using BenchmarkDotNet.Attributes;
using OpenTrain.Lineage;
using OpenTrainAnalyzers.Build;
using OpenTrainAnalyzers.Build.Export;
using OpenTrainAnalyzers.Build.Findings;

namespace OpenTrain.Benchmarks;

/// <summary>
/// What OpenTrainExport adds to a build, for 1,000 manifests. Baseline: the gate's own work on the same manifests
/// (read, evaluate, resolve the chain), so the ratio is the export's cost relative to the gate it follows.
/// </summary>
[MemoryDiagnoser]
public class ExportBenchmarks
{
    private byte[][] _thousand = Array.Empty<byte[]>();
    private ExportSet _set = null!;

    [GlobalSetup]
    public void Setup()
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "iris-species.lineage.json"));
        _thousand = Enumerable.Range(0, 1000)
            .Select(i => Encoding.UTF8.GetBytes(text.Replace("\"iris-species\"", $"\"iris-species-{i}\"", StringComparison.Ordinal)))
            .ToArray();
        _set = new ExportSet("Bench", "1.0.0", LineageLevel.Declared, "1767225600", Gate(), "bench");
    }

    [Benchmark(Baseline = true, Description = "gate: read + evaluate + chain x1000 (baseline)")]
    public int GateOnly() => Gate().Count;

    [Benchmark(Description = "export CycloneDX x1000")]
    public int CycloneDx() => CycloneDxExport.Write(_set).Length;

    [Benchmark(Description = "export SPDX x1000")]
    public int Spdx() => SpdxExport.Write(_set).Length;

    [Benchmark(Description = "export MOT x1000")]
    public int Mot() => MotExport.Write(_set).Count;

    private List<ExportedModel> Gate()
    {
        var models = new List<ExportedModel>(_thousand.Length);
        for (int i = 0; i < _thousand.Length; i++)
        {
            var manifest = LineageManifest.Read(_thousand[i]);
            var evaluation = CompletenessPolicy.Evaluate(manifest);
            var chain = LineageChain.Resolve($"/bench/m{i}.lineage.json", manifest, evaluation.AchievedLevel, _ => ManifestFile.Missing("no parents"));
            models.Add(new ExportedModel($"models/m{i}.lineage.json", manifest, evaluation.AchievedLevel, chain.EffectiveLevel, chain.Parents, true, new List<Suppression>()));
        }

        return models;
    }
}
