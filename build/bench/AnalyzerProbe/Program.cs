using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

// Usage: AnalyzerProbe <analyzer: ota|noop> <csc .rsp file> <project dir> [runs=4]
// Compiles the sources and references named in a csc response file (as captured by build/bench/analyzers.sh prepare)
// with only the chosen analyzer, `runs` times on fresh compilations in one process.
//        AnalyzerProbe shapes <Microsoft.ML.OnnxRuntime.dll> [runs=5] [filler files=400] [all|wrappers,mutually,loads]
// The three cost shapes of derived loaders (docs/benchmarks.md, issue 20) on generated code, OpenTrain only.
string which = args[0];
if (which == "shapes")
{
    await CostShapes.RunAsync(args[1], args.Length > 2 ? int.Parse(args[2]) : 5, args.Length > 3 ? int.Parse(args[3]) : 400, args.Length > 4 ? args[4] : "all");
    return;
}

string[] tokens = Tokenize(File.ReadAllText(args[1])).ToArray();
string dir = args[2];
int runs = args.Length > 3 ? int.Parse(args[3]) : 4;
var references = tokens.Where(t => t.StartsWith("/reference:")).Select(t => t["/reference:".Length..]).ToList();
var sources = tokens.Where(t => !t.StartsWith('/') && t.EndsWith(".cs")).Select(t => Path.Combine(dir, t)).ToList();
var defines = tokens.Where(t => t.StartsWith("/define:")).SelectMany(t => t["/define:".Length..].Split(';')).ToList();
var parse = new CSharpParseOptions(LanguageVersion.Latest, preprocessorSymbols: defines);
var trees = sources.Select(s => CSharpSyntaxTree.ParseText(File.ReadAllText(s), parse, s)).ToList();
var metadata = references.Select(r => MetadataReference.CreateFromFile(r)).ToList();
if (which == "resolve")
{
    // The catalog's per-compilation type resolution (LoaderCatalog.FindType, replicated here because it is internal)
    // against a cheaper pre-filter that walks namespaces first. Loader IDs are read from the catalog source table.
    var typeNames = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "loaders.tsv"))
        .Where(l => l.Length > 0 && l[0] != '#').Select(l => ContainingType(l.Split('\t')[0])).Distinct().ToList();
    for (int run = 1; run <= runs; run++)
    {
        var compilation = CSharpCompilation.Create("Resolve" + run, trees, metadata);
        int calls = 0, namespaces = 0, found = 0, survivors = 0;
        double findType = 0, prefilter = 0;
        // Alternate which goes first on each fresh compilation: the first one pays for loading shared symbol tables.
        for (int k = 0; k < 2; k++)
        {
            var watch = Stopwatch.StartNew();
            if ((k == 0) == (run % 2 == 1))
            {
                survivors = typeNames.Count(name => NamespaceExists(compilation, name, ref namespaces));
                prefilter = watch.Elapsed.TotalMilliseconds;
            }
            else
            {
                found = typeNames.Count(name => FindType(compilation, name, ref calls) is not null);
                findType = watch.Elapsed.TotalMilliseconds;
            }
        }

        Console.WriteLine($"run {run}: {typeNames.Count} catalog types, FindType: {calls} GetTypeByMetadataName calls, {found} found, {findType:F2} ms; namespace pre-filter: {namespaces} namespace lookups, {survivors} types left to resolve, {prefilter:F2} ms ({(run % 2 == 1 ? "pre-filter" : "FindType")} first)");
    }

    return;
}

DiagnosticAnalyzer analyzer = which == "ota" ? new OpenTrainAnalyzers.ModelLoadAnalyzer() : new OpenTrain.Bench.NoopInvocationAnalyzer();
Console.WriteLine($"{which}: {trees.Count} files, {metadata.Count} references");
for (int run = 1; run <= runs; run++)
{
    var compilation = CSharpCompilation.Create("Probe" + run, trees, metadata, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
    var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: true, reportSuppressedDiagnostics: false);
    var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create(analyzer), options);
    var watch = Stopwatch.StartNew();
    var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
    watch.Stop();
    var telemetry = await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None);
    Console.WriteLine($"run {run}: analyzer self-time {telemetry.ExecutionTime.TotalMilliseconds:F2} ms; compilation-start actions {telemetry.CompilationStartActionsCount}, operation actions {telemetry.OperationActionsCount}, syntax-node actions {telemetry.SyntaxNodeActionsCount}; {diagnostics.Length} diagnostics; driver wall {watch.Elapsed.TotalMilliseconds:F0} ms");
}

static string ContainingType(string id)
{
    int paren = id.IndexOf('(');
    string name = paren < 0 ? id.Substring(2) : id.Substring(2, paren - 2);
    int dot = name.LastIndexOf('.');
    return dot < 0 ? name : name.Substring(0, dot);
}

static INamedTypeSymbol? FindType(Compilation compilation, string name, ref int calls)
{
    string metadataName = name;
    for (int attempt = 0; attempt < 4; attempt++)
    {
        calls++;
        if (compilation.GetTypeByMetadataName(metadataName) is { } type)
        {
            return type;
        }

        int dot = metadataName.LastIndexOf('.');
        if (dot < 0)
        {
            return null;
        }

        metadataName = metadataName.Substring(0, dot) + "+" + metadataName.Substring(dot + 1);
    }

    return null;
}

// True when the outermost namespaces of the type name exist (a type may still be missing; nested types look like
// namespaces here, so the walk stops at the first segment it cannot find as a namespace or a type).
static bool NamespaceExists(Compilation compilation, string name, ref int lookups)
{
    INamespaceOrTypeSymbol current = compilation.GlobalNamespace;
    var segments = name.Split('.');
    for (int i = 0; i < segments.Length - 1; i++)
    {
        lookups++;
        var next = current.GetMembers(segments[i]).FirstOrDefault() as INamespaceOrTypeSymbol;
        if (next is null)
        {
            return false;
        }

        current = next;
    }

    return true;
}

static IEnumerable<string> Tokenize(string text)
{
    var current = new System.Text.StringBuilder();
    bool quoted = false;
    foreach (char c in text)
    {
        if (c == '"') { quoted = !quoted; continue; }
        if (char.IsWhiteSpace(c) && !quoted)
        {
            if (current.Length > 0) { yield return current.ToString(); current.Clear(); }
            continue;
        }

        current.Append(c);
    }

    if (current.Length > 0) yield return current.ToString();
}
