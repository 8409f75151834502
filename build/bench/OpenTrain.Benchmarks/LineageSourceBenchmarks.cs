using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using OpenTrain.Lineage;

namespace OpenTrain.Benchmarks;

/// <summary>
/// What finding parents by identity costs (docs/sharing-lineage.md), for 1,000 children of the demo model. Baseline:
/// the same gate with each child's parent vendored (read by path, pinned). Measured: the parent found by identity in a
/// lineage source that holds <see cref="SourceSize"/> manifests (the base and others of other identities), the
/// source's manifests parsed once per gate run, as the build task does.
/// </summary>
[MemoryDiagnoser]
public class LineageSourceBenchmarks
{
    private const string ParentPath = "/bench/base.lineage.json";
    private byte[][] _vendored = Array.Empty<byte[]>();
    private byte[][] _byIdentity = Array.Empty<byte[]>();
    private byte[] _parent = Array.Empty<byte>();
    private List<(string Path, byte[] Bytes)> _source = new();

    [Params(1, 100, 1000)]
    public int SourceSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "iris-species.lineage.json"));
        string WithIdentity(string id) => text.Replace("\"model\": {", "\"model\": {\n    \"identifiers\": {\"huggingface\": \"" + id + "\"},", StringComparison.Ordinal);
        _parent = Encoding.UTF8.GetBytes(WithIdentity("contoso/iris-base"));
        string sha = Convert.ToHexString(SHA256.HashData(_parent)).ToLowerInvariant();
        string Child(string manifest) => text.Replace("\"derivation\": \"from-scratch\"",
            "\"derivation\": \"finetune\",\n    \"parents\": [{\"name\": \"iris-base\", \"relation\": \"finetune\", \"identifiers\": {\"huggingface\": \"contoso/iris-base\"}, \"manifest\": {" + manifest + "\"sha256\": \"" + sha + "\"}}]",
            StringComparison.Ordinal);
        string vendored = Child("\"path\": \"base.lineage.json\", ");
        string byIdentity = Child(string.Empty);
        if (vendored == text)
        {
            throw new InvalidOperationException("The demo manifest changed: the benchmark's child has no parent.");
        }

        _vendored = Enumerable.Range(0, 1000).Select(i => Encoding.UTF8.GetBytes(vendored)).ToArray();
        _byIdentity = Enumerable.Range(0, 1000).Select(i => Encoding.UTF8.GetBytes(byIdentity)).ToArray();
        _source = Enumerable.Range(1, SourceSize - 1).Select(i => ($"/source/other-{i}.lineage.json", Encoding.UTF8.GetBytes(WithIdentity($"contoso/other-{i}"))))
            .Append(("/source/base.lineage.json", _parent)).ToList();
    }

    [Benchmark(Baseline = true, Description = "gate x1000, parent vendored (baseline)")]
    public int Vendored() => Gate(_vendored, LineageSources.None);

    [Benchmark(Description = "gate x1000, parent found by identity in a source")]
    public int ByIdentity() => Gate(_byIdentity, new LineageSources(new[] { "folder source" }, () => _source.Select(s => new SourceManifest(s.Path, "folder source (" + s.Path + ")", s.Bytes)).ToList()));

    private int Gate(byte[][] children, LineageSources sources)
    {
        int verified = 0;
        for (int i = 0; i < children.Length; i++)
        {
            var manifest = LineageManifest.Read(children[i]);
            var evaluation = CompletenessPolicy.Evaluate(manifest);
            var chain = LineageChain.Resolve($"/bench/m{i}.lineage.json", manifest, evaluation.AchievedLevel,
                path => path == ParentPath ? ManifestFile.Of(_parent) : ManifestFile.Missing("no such file"), sources);
            verified += chain.Parents.Count(p => p.Manifest is not null);
        }

        if (verified != children.Length)
        {
            throw new InvalidOperationException($"{children.Length - verified} parents were not verified: the benchmark measures the wrong path.");
        }

        return verified;
    }
}
