using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using OpenTrain.Lineage;

namespace OpenTrainAnalyzers.Tests;

/// <summary>
/// Wrappers the project writes around a catalog load: the path is checked where it is written (the call site), not
/// where the wrapper forwards it, for every form a wrapper takes (ONNX Runtime 1.31.1 reference assemblies).
/// </summary>
public class DerivedLoaderTests
{
    [Fact]
    public async Task Call_sites_of_wrappers_are_checked_with_the_path_they_pass()
    {
        var test = new LineageTest("""
            using System;
            using System.IO;
            using System.Threading.Tasks;
            using Microsoft.ML.OnnxRuntime;

            static class Models
            {
                public static InferenceSession Load(string path) => new InferenceSession(path);
                public static InferenceSession LoadNamed(string name) => Load(Path.Combine("models", name + ".onnx"));   // wrapper of a wrapper
                public static InferenceSession FromBytes(string file) => new InferenceSession(File.ReadAllBytes(file));
                public static InferenceSession Default(string path = "models/default.onnx") => new InferenceSession(path);
                public static InferenceSession Open(this string path) => new InferenceSession(path);                     // extension
                public static async Task<InferenceSession> LoadAsync(string path) { await Task.Yield(); return new InferenceSession(path); }
                public static InferenceSession Generic<T>(string path) => new InferenceSession(path);
                public static InferenceSession Optional(string path = null) => path is null ? null : new InferenceSession(path);
            }

            class App
            {
                async Task Run(string fromUser)
                {
                    {|#0:Models.Load("models/a.onnx")|};
                    Models.Load("models/linked.onnx");                      // listed by a manifest: nothing to say
                    {|#1:Models.LoadNamed("b")|};
                    {|#2:Models.FromBytes("models/c.onnx")|};
                    {|#3:Models.Default()|};
                    {|#4:"models/d.onnx".Open()|};
                    await {|#5:Models.LoadAsync("models/e.onnx")|};
                    {|#6:Models.Generic<int>("models/f.onnx")|};
                    {|#7:Models.Load(Environment.GetEnvironmentVariable("MODEL"))|};
                    Models.Optional();                                      // nothing loaded
                    {|#8:Local("models/g.onnx")|};

                    InferenceSession Local(string p) => new InferenceSession(p);   // local function
                }
            }
            """).WithManifest("/app/models/linked.lineage.json", "linked.onnx");
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(0, "Models.Load -> new InferenceSession", "models/a.onnx"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(1, "Models.LoadNamed -> Models.Load -> new InferenceSession", "models/b.onnx"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(2, "Models.FromBytes -> new InferenceSession", "models/c.onnx"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(3, "Models.Default -> new InferenceSession", "models/default.onnx"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(4, "Models.Open -> new InferenceSession", "models/d.onnx"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(5, "Models.LoadAsync -> new InferenceSession", "models/e.onnx"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(6, "Models.Generic -> new InferenceSession", "models/f.onnx"));
        test.ExpectedDiagnostics.Add(LineageTest.NotStatic(7, "Models.Load -> new InferenceSession"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(8, "Local -> new InferenceSession", "models/g.onnx"));

        await test.RunAsync();
    }

    [Fact]
    public async Task A_constructor_parameter_stored_in_a_readonly_member_is_checked_where_the_object_is_created()
    {
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntime;

            sealed class Scorer
            {
                private readonly string _modelPath;
                public Scorer(string modelPath) { _modelPath = modelPath; }
                public float Score() { using var session = new InferenceSession(_modelPath); return 0; }
            }

            sealed class Embedder
            {
                public Embedder(string folder) => Folder = folder;
                public string Folder { get; }
                public InferenceSession Open() => new InferenceSession(System.IO.Path.Combine(Folder, "embed.onnx"));
            }

            sealed class Ranker(string modelFile)                     // a primary constructor's parameter, used by a member
            {
                public InferenceSession Open() => new InferenceSession(modelFile);
            }

            class App
            {
                void Run()
                {
                    {|#0:new Scorer("models/scorer.onnx")|};
                    new Scorer("models/linked.onnx");
                    {|#1:new Embedder("models/e5")|};
                    {|#2:new Ranker("models/ranker.onnx")|};
                }
            }
            """).WithManifest("/app/models/linked.lineage.json", "linked.onnx");
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(0, "new Scorer -> new InferenceSession", "models/scorer.onnx"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(1, "new Embedder -> new InferenceSession", "models/e5/embed.onnx"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(2, "new Ranker -> new InferenceSession", "models/ranker.onnx"));

        await test.RunAsync();
    }

    [Fact]
    public async Task Wrappers_across_files_and_partial_classes_are_followed()
    {
        var test = new LineageTest("""
            partial class Store
            {
                public static object Get(string key) => Open("models/" + key);
            }
            class App
            {
                object Run() => {|#0:Store.Get("z.onnx")|};
            }
            """);
        test.TestState.Sources.Add(("/0/Other.cs", """
            using Microsoft.ML.OnnxRuntime;
            partial class Store
            {
                static InferenceSession Open(string path) => new InferenceSession(path);
            }
            """));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(0, "Store.Get -> Store.Open -> new InferenceSession", "models/z.onnx"));

        await test.RunAsync();
    }

    [Fact]
    public async Task A_public_wrapper_of_a_library_keeps_its_warning_with_the_line_that_declares_it_and_one_without_callers_keeps_it_too()
    {
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            namespace Acme.Vision
            {
                public static class Detector
                {
                    public static InferenceSession Load(string modelPath) => {|#0:new InferenceSession(modelPath)|};
                    internal static InferenceSession Internal(string modelPath) => {|#1:new InferenceSession(modelPath)|};   // no caller: nothing checks it
                    internal static InferenceSession Called(string modelPath) => new InferenceSession(modelPath);              // its caller is checked
                    internal static object Caller() => {|#2:Called("models/called.onnx")|};
                }
            }
            """);
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0004").WithLocation(0).WithMessage(
            "'new InferenceSession' loads model weights from parameter 'modelPath' of 'Detector.Load', a public API of this library whose callers are outside this compilation: declare it for the library's consumers in OpenTrainLoaders.txt as 'M:Acme.Vision.Detector.Load(System.String);modelPath' (dotnet pack ships that file with the package), or link its manifest with [ModelLineage(\"path/to/model.lineage.json\")]"));
        test.ExpectedDiagnostics.Add(LineageTest.NotAllCallsChecked(1, "new InferenceSession", "modelPath", "Detector.Internal", "nothing in this compilation calls it"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(2, "Detector.Called -> new InferenceSession", "models/called.onnx"));

        await test.RunAsync();
    }

    [Fact]
    public async Task ModelLineage_on_a_wrapper_links_all_its_loads_and_its_callers()
    {
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            using OpenTrain.Annotations;
            static class Models
            {
                [ModelLineage("models/m.lineage.json")]
                public static InferenceSession Load(string path) => new InferenceSession(path);
            }
            class App
            {
                object Run() => Models.Load("models/anything.onnx");
            }
            """).WithManifest("/app/models/m.lineage.json", "anything.onnx");

        await test.RunAsync();
    }

    [Fact]
    public async Task Recursion_and_mutual_recursion_between_wrappers_end()
    {
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            static class Loop
            {
                public static InferenceSession A(string path, int n) => n > 0 ? B(path, n - 1) : new InferenceSession(path);
                public static InferenceSession B(string path, int n) => n > 0 ? A(path + "", n - 1) : null;
                public static InferenceSession Self(string path, int n) => n > 0 ? Self(path, n - 1) : new InferenceSession(path);
            }
            class App
            {
                void Run()
                {
                    {|#0:Loop.A("models/a.onnx", 3)|};
                    {|#1:Loop.Self("models/s.onnx", 3)|};
                    Loop.B("models/linked.onnx", 3);
                }
            }
            """).WithManifest("/app/models/linked.lineage.json", "linked.onnx");
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(0, "Loop.A -> new InferenceSession", "models/a.onnx"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(1, "Loop.Self -> new InferenceSession", "models/s.onnx"));

        await test.RunAsync();
    }

    [Fact]
    public async Task Every_prefix_of_the_wrapper_programs_gives_no_analyzer_exception()
    {
        const string Program = """
            using System.IO;
            using Microsoft.ML.OnnxRuntime;
            static class M { public static InferenceSession L(string p) => new InferenceSession(Path.Combine("models", p)); public static InferenceSession W(string q = "x") => L(q + ".onnx"); }
            sealed class S { readonly string _p; public S(string p) { _p = p; } public object Go() => new InferenceSession(_p); }
            static class R { public static object A(string p) => B(p); public static object B(string p) => A(p); }
            class App { void Run() { M.W("a"); new S("models/s.onnx"); R.A("x"); "y".ToString(); } }
            interface I { object O(string p); } sealed class J : I { public object O(string p) => new InferenceSession(p); }
            class B { protected B(string p) { _ = new InferenceSession(p); } } sealed class D : B { public D() : base("models/d.onnx") { } }
            sealed class H { public string P { set => _ = new InferenceSession(value); } } sealed class K(string f) { public void T(string g) => f = g; public object O() => new InferenceSession(f); }
            partial class Q { partial void P(string p); partial void P(string p) { _ = new InferenceSession(p); } void U() { System.Func<string, object> g = M.L; new H { P = "x" }; S s = new("y"); P("z"); } }
            """;
        var references = await LineageTest.WithOnnxRuntime.ResolveAsync(LanguageNames.CSharp, default);
        var analyzer = new ModelLoadAnalyzer();
        for (int length = 0; length <= Program.Length; length += 2)
        {
            var compilation = CSharpCompilation.Create("prefix", new[] { CSharpSyntaxTree.ParseText(Program[..length]) }, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            var diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(analyzer)).GetAnalyzerDiagnosticsAsync();
            Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        }
    }
}
