using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using OpenTrain.Lineage;

namespace OpenTrain.Benchmarks;

/// <summary>
/// What the build task pays per manifest. Baseline: System.Text.Json's JsonDocument.Parse of the same bytes (the
/// fastest general-purpose reader in .NET; it keeps no line/column), so the ratio shows what the located, strict
/// reader and the completeness policy cost on top of plain parsing.
/// </summary>
[MemoryDiagnoser]
public class ManifestBenchmarks
{
    private byte[] _realistic = Array.Empty<byte>();
    private byte[][] _thousand = Array.Empty<byte[]>();
    private byte[] _oneMegabyte = Array.Empty<byte>();

    [GlobalSetup]
    public void Setup()
    {
        _realistic = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "iris-species.lineage.json"));
        string text = Encoding.UTF8.GetString(_realistic);
        _thousand = Enumerable.Range(0, 1000)
            .Select(i => Encoding.UTF8.GetBytes(text.Replace("\"iris-species\"", $"\"iris-species-{i}\"", StringComparison.Ordinal)))
            .ToArray();
        var big = new StringBuilder(text.TrimEnd().TrimEnd('}'));
        big.Append(",\n  \"extensions\": {\"rows\": [");
        for (int i = 0; big.Length < 1_000_000; i++)
        {
            big.Append(i == 0 ? string.Empty : ",").Append("{\"id\": ").Append(i).Append(", \"note\": \"row ").Append(i).Append("\"}");
        }

        big.Append("]}\n}\n");
        _oneMegabyte = Encoding.UTF8.GetBytes(big.ToString());
    }

    [Benchmark(Baseline = true, Description = "System.Text.Json parse (baseline)")]
    public int SystemTextJsonParse()
    {
        using var document = JsonDocument.Parse(_realistic);
        return document.RootElement.GetArrayLength_SafeCount();
    }

    [Benchmark(Description = "OpenTrain read")]
    public bool Read() => LineageManifest.Read(_realistic).IsReadable;

    [Benchmark(Description = "OpenTrain read + evaluate")]
    public LineageLevel ReadAndEvaluate() => CompletenessPolicy.Evaluate(LineageManifest.Read(_realistic)).AchievedLevel;

    [Benchmark(Description = "OpenTrain read + evaluate x1000", OperationsPerInvoke = 1)]
    public int ThousandManifests()
    {
        int open = 0;
        foreach (var bytes in _thousand)
        {
            if (CompletenessPolicy.Evaluate(LineageManifest.Read(bytes)).AchievedLevel >= LineageLevel.OpenTooling)
            {
                open++;
            }
        }

        return open;
    }

    [Benchmark(Description = "OpenTrain read + evaluate, 1 MB manifest")]
    public LineageLevel OneMegabyte() => CompletenessPolicy.Evaluate(LineageManifest.Read(_oneMegabyte)).AchievedLevel;
}

internal static class JsonElementExtensions
{
    /// <summary>Touches the root so the baseline cannot be optimised away.</summary>
    public static int GetArrayLength_SafeCount(this JsonElement element) => element.ValueKind == JsonValueKind.Object ? 1 : 0;
}
