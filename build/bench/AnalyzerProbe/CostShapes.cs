using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

/// <summary>
/// Generated compilations for the three cost shapes of derived loaders: wrappers on the same code (0 vs 1000), mutually
/// recursive wrappers (2 vs 7, every one calling every other, 20 call sites), loads in one method (1000 vs 4000). Each
/// configuration is analysed on fresh compilations, interleaved, and the median of the analyzer's own execution time
/// (Roslyn telemetry) is printed with the ratio the issue sets a target for.
/// </summary>
internal static class CostShapes
{
    public static async Task RunAsync(string onnxRuntime, int runs, int fillerFiles, string only)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.") || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(onnxRuntime))
            .ToList();
        var filler = Enumerable.Range(0, fillerFiles).Select(Filler).ToList();
        var shapes = new (string Name, string Baseline, Func<List<SyntaxTree>> Small, string Target, Func<List<SyntaxTree>> Large, double Goal)[]
        {
            ("wrappers on the same code", "0 wrappers", () => With(filler, Wrappers(0)), "1000 wrappers", () => With(filler, Wrappers(1000)), 1.5),
            ("mutually recursive wrappers", "2 wrappers", () => new List<SyntaxTree> { Parse(Recursive(2, everyOneLoads: false)) }, "7 wrappers", () => new List<SyntaxTree> { Parse(Recursive(7, everyOneLoads: false)) }, 3.0),
            ("mutually recursive wrappers that all load", "2 wrappers", () => new List<SyntaxTree> { Parse(Recursive(2, everyOneLoads: true)) }, "7 wrappers", () => new List<SyntaxTree> { Parse(Recursive(7, everyOneLoads: true)) }, 3.5),
            ("loads in one method", "1000 loads", () => new List<SyntaxTree> { Parse(Loads(1000)) }, "4000 loads", () => new List<SyntaxTree> { Parse(Loads(4000)) }, 5.0),
        };
        Console.WriteLine($"{Environment.ProcessorCount} cores, {runs} interleaved runs per configuration, filler {fillerFiles} files ({filler.Sum(t => t.Length) / 1024} KiB)");
        await Analyse(shapes[0].Small(), references); // JIT and one-time tables, not counted
        foreach (var shape in shapes.Where(s => only == "all" || only.Split(',').Any(o => s.Name.StartsWith(o))))
        {
            var small = new List<double>();
            var large = new List<double>();
            var smallTrees = shape.Small();
            var largeTrees = shape.Large();
            int smallDiagnostics = 0, largeDiagnostics = 0;
            for (int run = 0; run < runs; run++)
            {
                var first = run % 2 == 0;
                var a = await Analyse(first ? smallTrees : largeTrees, references);
                var b = await Analyse(first ? largeTrees : smallTrees, references);
                var (s, l) = first ? (a, b) : (b, a);
                small.Add(s.Milliseconds);
                large.Add(l.Milliseconds);
                smallDiagnostics = s.Diagnostics;
                largeDiagnostics = l.Diagnostics;
            }

            double ratio = Median(large) / Median(small);
            Console.WriteLine($"{shape.Name}: {shape.Baseline} {Median(small):F0} ms ({smallDiagnostics} diagnostics), {shape.Target} {Median(large):F0} ms ({largeDiagnostics} diagnostics); ratio {ratio:F2} (target <= {shape.Goal}) -- runs {string.Join(" ", small.Select(v => v.ToString("F0")))} | {string.Join(" ", large.Select(v => v.ToString("F0")))}");
        }
    }

    private static List<SyntaxTree> With(List<SyntaxTree> filler, string extra) => filler.Append(Parse(extra)).ToList();

    private static SyntaxTree Parse(string text) => CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Latest), "/bench/" + Guid.NewGuid().ToString("N") + ".cs");

    private static async Task<(double Milliseconds, int Diagnostics)> Analyse(List<SyntaxTree> trees, List<MetadataReference> references)
    {
        var analyzer = new OpenTrainAnalyzers.ModelLoadAnalyzer();
        var compilation = CSharpCompilation.Create("Shape", trees, references, new CSharpCompilationOptions(OutputKind.ConsoleApplication));
        var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: true, reportSuppressedDiagnostics: false);
        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(analyzer), options);
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
        var telemetry = await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None);
        if (diagnostics.Any(d => d.Id == "AD0001"))
        {
            throw new InvalidOperationException(diagnostics.First(d => d.Id == "AD0001").ToString());
        }

        return (telemetry.ExecutionTime.TotalMilliseconds, diagnostics.Length);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Ordinary code: text-handling methods that call each other, none of which loads a model.</summary>
    private static SyntaxTree Filler(int file)
    {
        var text = new StringBuilder();
        text.AppendLine("using System; using System.IO; using System.Text; namespace Filler" + file + " {");
        for (int type = 0; type < 10; type++)
        {
            text.AppendLine($"sealed class Text{type} {{ private readonly string _name; public Text{type}(string name) {{ _name = name; }}");
            for (int method = 0; method < 12; method++)
            {
                text.AppendLine($"  public static string Format{method}(string value, int count) {{ var builder = new StringBuilder(value); for (int i = 0; i < count; i++) {{ builder.Append(i).Append(';'); }} return Path.Combine(\"a\", builder.ToString()) + Format{(method + 1) % 12}(value.Trim(), count - 1); }}");
                text.AppendLine($"  public string Name{method}(object other) => _name + other + Format{method}(_name, {method}) + new Text{(type + 1) % 10}(_name).Name{(method + 3) % 12}(\"x\");");
            }

            text.AppendLine("}");
        }

        text.AppendLine("}");
        return Parse(text.ToString());
    }

    private static string Wrappers(int count)
    {
        var text = new StringBuilder("using Microsoft.ML.OnnxRuntime; static class Wrappers {\n");
        for (int i = 0; i < count; i++)
        {
            text.AppendLine($"  public static InferenceSession Open{i}(string path) => new InferenceSession(path);");
        }

        text.AppendLine("  static void Main() {");
        for (int i = 0; i < count; i++)
        {
            text.AppendLine($"    Open{i}(\"models/m{i}.onnx\");");
        }

        text.AppendLine("  } }");
        return text.ToString();
    }

    /// <summary>Wrappers that each call every other one (and themselves) with the path unchanged; one of them, or each, loads.</summary>
    private static string Recursive(int count, bool everyOneLoads)
    {
        var text = new StringBuilder("using Microsoft.ML.OnnxRuntime; static class Loop {\n");
        for (int i = 0; i < count; i++)
        {
            text.Append($"  public static InferenceSession R{i}(string path, int n) => n switch {{ 0 => {(everyOneLoads || i == 0 ? "new InferenceSession(path)" : "null")}");
            for (int j = 0; j < count; j++)
            {
                text.Append($", {j + 1} => R{j}(path, n - 1)");
            }

            text.AppendLine(", _ => null };");
        }

        text.AppendLine("  static void Main() {");
        for (int site = 0; site < 20; site++)
        {
            text.AppendLine($"    R{site % count}(\"models/r{site}.onnx\", {site});");
        }

        text.AppendLine("  } }");
        return text.ToString();
    }

    private static string Loads(int count)
    {
        var text = new StringBuilder("using Microsoft.ML.OnnxRuntime; static class Many { static void Main() {\n");
        for (int i = 0; i < count; i++)
        {
            text.AppendLine($"    var p{i} = \"models/\" + \"m{i}.onnx\"; using var s{i} = new InferenceSession(p{i});");
        }

        text.AppendLine("  } }");
        return text.ToString();
    }
}
