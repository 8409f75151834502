using OpenTrain.Lineage;
using Microsoft.CodeAnalysis.Testing;

namespace OpenTrainAnalyzers.Tests;

public class ModelLoadAnalyzerTests
{
    [Fact]
    public async Task A_load_with_no_manifest_is_flagged_at_the_creation()
    {
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            class C
            {
                InferenceSession Load() => {|#0:new InferenceSession("models/sentiment.onnx")|};
            }
            """);
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0001").WithLocation(0).WithArguments("new InferenceSession", "models/sentiment.onnx", ManifestSkeleton.ScaffoldCommand("models/sentiment.onnx")));

        await test.RunAsync();
    }

    [Theory]
    [InlineData("new InferenceSession(\"models/sentiment.onnx\")")]
    [InlineData("new InferenceSession(\"./models/sentiment.onnx\", new SessionOptions())")]
    [InlineData("new InferenceSession(Path.Combine(AppContext.BaseDirectory, \"models\", \"sentiment.onnx\"))")]
    [InlineData("new InferenceSession(Path.Join(AppDomain.CurrentDomain.BaseDirectory, \"models/sentiment.onnx\"))")]
    [InlineData("new InferenceSession(AppContext.BaseDirectory + \"models/\" + \"sentiment.onnx\")")]
    [InlineData("new InferenceSession($\"{Folder}/sentiment.onnx\")")]
    [InlineData("new InferenceSession(modelPath: \"models/sentiment.onnx\", options: new SessionOptions())")]
    public async Task A_load_of_a_file_a_manifest_lists_is_linked(string load)
    {
        await new LineageTest($$"""
            using System;
            using System.IO;
            using Microsoft.ML.OnnxRuntime;
            class C
            {
                const string Folder = "models";
                InferenceSession Load() => {{load}};
            }
            """).WithManifest("/app/models/sentiment.lineage.json", "sentiment.onnx").RunAsync();
    }

    [Fact]
    public async Task A_manifest_for_another_file_does_not_link_the_load()
    {
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            class C
            {
                InferenceSession Load() => {|#0:new InferenceSession("models/vendor.onnx")|};
            }
            """).WithManifest("/app/models/sentiment.lineage.json", "sentiment.onnx");
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0001").WithLocation(0).WithArguments("new InferenceSession", "models/vendor.onnx", ManifestSkeleton.ScaffoldCommand("models/vendor.onnx")));

        await test.RunAsync();
    }

    [Fact]
    public async Task A_location_known_only_at_run_time_asks_for_an_explicit_link()
    {
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            class C
            {
                InferenceSession FromPath() => {|#0:new InferenceSession(System.Environment.GetEnvironmentVariable("MODEL"))|};
                InferenceSession FromBytes() => {|#1:new InferenceSession(System.IO.File.ReadAllBytes(System.Console.ReadLine()))|};
            }
            """);
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0004").WithLocation(0).WithArguments("new InferenceSession"));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0004").WithLocation(1).WithArguments("new InferenceSession"));

        await test.RunAsync();
    }

    [Fact]
    public async Task An_attribute_on_the_member_type_or_assembly_links_run_time_locations()
    {
        await new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            using OpenTrain.Annotations;
            [assembly: ModelLineage("models/c.lineage.json")]
            class A
            {
                [ModelLineage("models/a.lineage.json")]
                InferenceSession Load(string path) => new InferenceSession(path);
                [ModelLineage("models/a.lineage.json")]
                InferenceSession Property => new InferenceSession(System.IO.File.ReadAllBytes(System.Environment.GetCommandLineArgs()[1]));
            }
            [ModelLineage("models/b.lineage.json")]
            class B
            {
                InferenceSession Load(string path) => new InferenceSession(path);
                void Lambda() { System.Func<string, InferenceSession> f = p => new InferenceSession(p); }
            }
            class C
            {
                InferenceSession Load(string path) => new InferenceSession(path);
            }
            """)
            .WithManifest("/app/models/a.lineage.json", "a.onnx")
            .WithManifest("/app/models/b.lineage.json", "b.onnx")
            .WithManifest("/app/models/c.lineage.json", "c.onnx")
            .RunAsync();
    }

    [Fact]
    public async Task An_attribute_naming_a_manifest_the_compiler_cannot_see_is_flagged_at_its_argument()
    {
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            using OpenTrain.Annotations;
            class C
            {
                [ModelLineage({|#0:"models/missing.lineage.json"|})]
                InferenceSession Load(string path) => new InferenceSession(path);
            }
            """);
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0002").WithLocation(0).WithArguments("models/missing.lineage.json"));

        await test.RunAsync();
    }

    [Fact]
    public async Task A_linked_load_of_a_file_the_manifest_does_not_list_is_flagged_at_the_path()
    {
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            using OpenTrain.Annotations;
            class C
            {
                [ModelLineage("models/sentiment.lineage.json")]
                InferenceSession Load() => new InferenceSession({|#0:"models/other.onnx"|});
            }
            """).WithManifest("/app/models/sentiment.lineage.json", "sentiment.onnx");
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0003").WithLocation(0).WithArguments("models/other.onnx", "models/sentiment.lineage.json"));

        await test.RunAsync();
    }

    [Fact]
    public async Task Look_alike_types_and_non_loading_members_are_not_flagged()
    {
        await new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            namespace MyApp
            {
                class InferenceSession { public InferenceSession(string modelPath) { } }
                class C
                {
                    object Mine() => new InferenceSession("models/sentiment.onnx");
                    object Options() => new SessionOptions();
                    object Container() => new PrePackedWeightsContainer();
                }
            }
            """).RunAsync();
    }

    [Fact]
    public async Task Nothing_is_registered_when_no_model_library_is_referenced()
    {
        await new LineageTest("""
            namespace Microsoft.ML.OnnxRuntime.Fake
            {
                class InferenceSession { public InferenceSession(string modelPath) { } }
                class C { object Load() => new InferenceSession("models/sentiment.onnx"); }
            }
            """, withOnnxRuntime: false).RunAsync();
    }

    [Fact]
    public async Task Code_being_typed_does_not_crash_the_analyzer_and_complete_loads_are_still_reported()
    {
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            using OpenTrain.Annotations;
            class D
            {
                InferenceSession Ready() => {|#0:new InferenceSession("models/ready.onnx")|};
            }
            class C
            {
                [ModelLineage(]
                InferenceSession A() => new InferenceSession(;
                InferenceSession E() => new InferenceSession(System.IO.Path.Combine(, "x"));
                InferenceSession B() => new InferenceSession("models/
            """);
        test.CompilerDiagnostics = CompilerDiagnostics.None;
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0001").WithLocation(0).WithArguments("new InferenceSession", "models/ready.onnx", ManifestSkeleton.ScaffoldCommand("models/ready.onnx")));

        await test.RunAsync();
    }

    [Fact]
    public async Task An_assembly_wide_link_does_not_hide_a_manifest_that_lists_the_file()
    {
        await new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            using OpenTrain.Annotations;
            [assembly: ModelLineage("models/a.lineage.json")]
            class C
            {
                InferenceSession A() => new InferenceSession("models/a.onnx");
                InferenceSession B() => new InferenceSession("models/b.onnx");
            }
            """)
            .WithManifest("/app/models/a.lineage.json", "a.onnx")
            .WithManifest("/app/models/b.lineage.json", "b.onnx")
            .RunAsync();
    }

    [Fact]
    public async Task A_manifest_with_any_name_is_seen_when_the_package_marks_it()
    {
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            class C
            {
                InferenceSession Load() => new InferenceSession("models/sentiment.onnx");
            }
            """);
        test.TestState.AdditionalFiles.Add(("/app/models/provenance.json", LineageTest.Manifest("sentiment.onnx")));
        test.TestState.AnalyzerConfigFiles.Add(("/app/.globalconfig2", "is_global = true\n[/app/models/provenance.json]\nbuild_metadata.AdditionalFiles.OpenTrainManifest = true\n"));

        await test.RunAsync();
    }

    [Fact]
    public async Task A_linked_manifest_below_the_required_level_is_summarised_at_the_load()
    {
        // The test manifest lists its weights but describes no training: it reaches no level by itself.
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            class C
            {
                InferenceSession Load() => {|#0:new InferenceSession("models/sentiment.onnx")|};
            }
            """).WithManifest("/app/models/sentiment.lineage.json", "sentiment.onnx");
        test.TestState.AnalyzerConfigFiles.Add(("/.globalconfig-level", "is_global = true\nbuild_property.OpenTrainRequiredLevel = open-weights\n"));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0005").WithLocation(0).WithArguments("new InferenceSession", "sentiment.lineage.json", "none", "open-weights"));

        await test.RunAsync();
    }

    [Fact]
    public async Task No_level_summary_without_a_required_level()
    {
        await new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            class C
            {
                InferenceSession Load() => new InferenceSession("models/sentiment.onnx");
            }
            """).WithManifest("/app/models/sentiment.lineage.json", "sentiment.onnx").RunAsync();
    }

    [Fact]
    public async Task Loads_in_generated_files_are_not_reported()
    {
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            class C
            {
                InferenceSession Load() => {|#0:new InferenceSession("models/handwritten.onnx")|};
            }
            """);
        test.TestState.Sources.Add(("/0/Models.g.cs", """
            // <auto-generated/>
            using Microsoft.ML.OnnxRuntime;
            partial class Generated
            {
                InferenceSession Load() => new InferenceSession("models/generated.onnx");
            }
            """));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0001").WithLocation(0).WithArguments("new InferenceSession", "models/handwritten.onnx", ManifestSkeleton.ScaffoldCommand("models/handwritten.onnx")));

        await test.RunAsync();
    }
}
