using System.Collections;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Build.Framework;
using OpenTrainAnalyzers.Build;

namespace OpenTrain.Benchmarks;

/// <summary>
/// What reading packages' lineage adds to every build and design-time build: ResolvePackagedLineage on a real
/// project.assets.json (the analyzer test project's: 200 KB, 51 libraries), against System.Text.Json parsing the same
/// file (baseline: the least any reader of the restore's record pays). Twice: as restored (no package carries
/// lineage: the text search answers) and with one package's file list naming a manifest (the file is parsed).
/// </summary>
[MemoryDiagnoser]
public class PackagedLineageBenchmarks
{
    private string _assets = string.Empty;

    [Params(false, true)]
    public bool WithLineage { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string restored = Path.Combine(AppContext.BaseDirectory, "bench.project.assets.json");
        _assets = Path.Combine(Path.GetTempPath(), $"opentrain-bench-assets-{WithLineage}.json");
        string text = File.ReadAllText(restored);
        int files = text.IndexOf("\"files\": [", StringComparison.Ordinal);
        File.WriteAllText(_assets, WithLineage ? text.Insert(files + "\"files\": [".Length, "\"contentFiles/any/any/models/x.lineage.json\", ") : text);
    }

    [Benchmark(Baseline = true, Description = "System.Text.Json: parse project.assets.json (baseline)")]
    public int SystemTextJson()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(_assets));
        return document.RootElement.GetProperty("libraries").EnumerateObject().Count();
    }

    [Benchmark(Description = "ResolvePackagedLineage on project.assets.json")]
    public int Resolve()
    {
        ResolvePackagedLineage.Forget();
        return Remembered();
    }

    [Benchmark(Description = "ResolvePackagedLineage, same process, unchanged restore")]
    public int Remembered()
    {
        var task = new ResolvePackagedLineage { BuildEngine = new NullEngine(), ProjectAssetsFile = _assets, TargetFramework = "net10.0", OutputDirectory = "/tmp/out/" };
        task.Execute();
        return task.PackagedManifests.Length + task.PackagedLoaders.Length;
    }

    private sealed class NullEngine : IBuildEngine
    {
        public bool ContinueOnError => false;
        public int LineNumberOfTaskNode => 0;
        public int ColumnNumberOfTaskNode => 0;
        public string ProjectFileOfTaskNode => string.Empty;
        public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) => false;
        public void LogCustomEvent(CustomBuildEventArgs e) { }
        public void LogErrorEvent(BuildErrorEventArgs e) { }
        public void LogMessageEvent(BuildMessageEventArgs e) { }
        public void LogWarningEvent(BuildWarningEventArgs e) { }
    }
}
