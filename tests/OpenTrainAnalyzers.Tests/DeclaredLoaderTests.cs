using OpenTrain.Lineage;
using Microsoft.CodeAnalysis.Testing;

namespace OpenTrainAnalyzers.Tests;

/// <summary>Loaders a project declares in OpenTrainLoaders.txt (AdditionalFiles), and OTA0008 for bad lines.</summary>
public class DeclaredLoaderTests
{
    private const string LoadersFile = "/app/OpenTrainLoaders.txt";

    private const string ModelStore = """
        namespace MyCompany.Ml
        {
            public sealed class ModelStore
            {
                public static ModelStore Open(string path) => new ModelStore();
                public static ModelStore OpenFolder(string directory) => new ModelStore();
                public string Location { get; set; } = "";
            }
        }
        """;

    [Fact]
    public async Task A_declared_loader_is_checked_in_a_project_that_references_no_catalog_library()
    {
        var test = new LineageTest(ModelStore + """

            class C
            {
                object Load() => {|#0:MyCompany.Ml.ModelStore.Open("models/sentiment.onnx")|};
                object Linked() => MyCompany.Ml.ModelStore.Open("models/vendor.onnx");
                object Folder() => MyCompany.Ml.ModelStore.OpenFolder("models/llm");
            }
            """, withOnnxRuntime: false)
            .WithManifest("/app/models/vendor.lineage.json", "vendor.onnx")
            .WithManifest("/app/models/llm/phi.lineage.json", "model.onnx");
        test.TestState.AdditionalFiles.Add((LoadersFile, """
            # Our wrappers
            M:MyCompany.Ml.ModelStore.Open(System.String);path
            M:MyCompany.Ml.ModelStore.OpenFolder(System.String);directory:dir
            """));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0001").WithLocation(0).WithArguments("ModelStore.Open", "models/sentiment.onnx", ManifestSkeleton.ScaffoldCommand("models/sentiment.onnx")));

        await test.RunAsync();
    }

    [Fact]
    public async Task A_declared_wrapper_passing_its_parameter_to_a_catalog_loader_is_reported_at_its_callers()
    {
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            namespace MyCompany.Ml
            {
                public sealed class Scorer
                {
                    private readonly InferenceSession _session;
                    public Scorer(string modelFile) { _session = new InferenceSession(modelFile); }
                }
            }

            class C
            {
                object Linked() => new MyCompany.Ml.Scorer("models/sentiment.onnx");
                object Unlinked() => {|#0:new MyCompany.Ml.Scorer("models/vendor.onnx")|};
                object Dynamic() => {|#1:new MyCompany.Ml.Scorer(System.Console.ReadLine())|};
            }
            """).WithManifest("/app/models/sentiment.lineage.json", "sentiment.onnx");
        test.TestState.AdditionalFiles.Add((LoadersFile, "M:MyCompany.Ml.Scorer.#ctor(System.String);modelFile # #ctor is part of the ID\n"));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0001").WithLocation(0).WithArguments("new Scorer", "models/vendor.onnx", ManifestSkeleton.ScaffoldCommand("models/vendor.onnx")));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0004").WithLocation(1).WithArguments("new Scorer"));

        await test.RunAsync();
    }

    [Fact]
    public async Task Bad_lines_are_reported_at_their_place_in_the_file_and_good_lines_still_work()
    {
        var test = new LineageTest(ModelStore + """

            class C
            {
                object Load() => {|#0:MyCompany.Ml.ModelStore.Open("models/sentiment.onnx")|};
            }
            """, withOnnxRuntime: false);
        test.TestState.AdditionalFiles.Add((LoadersFile, """
            # Loaders of MyCompany.Ml (our wrappers)

            M:MyCompany.Ml.ModelStore.Open(System.String);path   # the one we use
            M:MyCompany.Ml.ModelStore.Open(System.Int32);path
            T:MyCompany.Ml.ModelStore;path
            M:MyCompany.Ml.ModelStore.Open(System.String);file
            M:MyCompany.Ml.ModelStore.Open(System.String)
              M:MyCompany.Ml.ModelStore.Open(System.String); path
            M:MyCompany.Ml.ModelStore.Open(System.String);path:options
            P:MyCompany.Ml.ModelStore.Location;value
            """));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0001").WithLocation(0).WithArguments("ModelStore.Open", "models/sentiment.onnx", ManifestSkeleton.ScaffoldCommand("models/sentiment.onnx")));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0008").WithSpan(LoadersFile, 4, 1, 4, 45)); // unknown ID
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0008").WithSpan(LoadersFile, 5, 1, 5, 26)); // a type
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0008").WithSpan(LoadersFile, 6, 47, 6, 51).WithArguments(
            "M:MyCompany.Ml.ModelStore.Open(System.String);file",
            "'M:MyCompany.Ml.ModelStore.Open(System.String)' has no parameter named 'file' (its parameters: path)"));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0008").WithSpan(LoadersFile, 7, 1, 7, 46)); // no ';'
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0008").WithSpan(LoadersFile, 8, 3, 8, 48).WithSpan(LoadersFile, 3, 1, 3, 46)); // duplicate, first as additional location
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0008").WithSpan(LoadersFile, 9, 47, 9, 59)); // unknown location kind
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0008").WithSpan(LoadersFile, 10, 1, 10, 35)); // a property

        await test.RunAsync();
    }

    [Fact]
    public async Task A_file_with_only_bad_lines_is_reported_even_when_nothing_else_registers()
    {
        var test = new LineageTest("class C { }", withOnnxRuntime: false);
        test.TestState.AdditionalFiles.Add((LoadersFile, "M:MyCompany.Ml.Missing.Open(System.String);path\n"));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0008").WithSpan(LoadersFile, 1, 1, 1, 43));

        await test.RunAsync();
    }

    [Fact]
    public async Task Another_additional_text_file_is_not_read_as_loaders()
    {
        var test = new LineageTest("class C { }", withOnnxRuntime: false);
        test.TestState.AdditionalFiles.Add(("/app/BannedSymbols.txt", "M:MyCompany.Ml.Missing.Open(System.String);path\n"));

        await test.RunAsync();
    }
}
