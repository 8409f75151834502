namespace OpenTrainAnalyzers.Tests;

public class LinkManifestCodeFixTests
{
    [Fact]
    public async Task Links_the_enclosing_method_to_a_manifest_of_the_project()
    {
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            class C
            {
                InferenceSession Load() => {|#0:new InferenceSession(System.Environment.GetEnvironmentVariable("MODEL"))|};
            }
            """).WithManifest("/app/models/sentiment.lineage.json", "sentiment.onnx");
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0004").WithLocation(0).WithArguments("new InferenceSession"));
        test.FixedState.AdditionalFiles.Add(("/app/models/sentiment.lineage.json", LineageTest.Manifest("sentiment.onnx")));
        test.FixedCode = """
            using Microsoft.ML.OnnxRuntime;
            using OpenTrain.Annotations;

            class C
            {
                [ModelLineage("app/models/sentiment.lineage.json")]
                InferenceSession Load() => new InferenceSession(System.Environment.GetEnvironmentVariable("MODEL"));
            }
            """;

        await test.RunAsync();
    }

    [Fact]
    public async Task Links_the_assembly_when_the_load_is_in_top_level_statements()
    {
        var test = new LineageTest("""
            using System;
            using Microsoft.ML.OnnxRuntime;

            using var session = {|#0:new InferenceSession(Environment.GetCommandLineArgs()[1])|};
            """).WithManifest("/app/models/sentiment.lineage.json", "sentiment.onnx");
        test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0004").WithLocation(0).WithArguments("new InferenceSession"));
        test.FixedState.AdditionalFiles.Add(("/app/models/sentiment.lineage.json", LineageTest.Manifest("sentiment.onnx")));
        test.FixedCode = """
            using System;
            using Microsoft.ML.OnnxRuntime;
            using OpenTrain.Annotations;

            [assembly: ModelLineage("app/models/sentiment.lineage.json")]

            using var session = new InferenceSession(Environment.GetCommandLineArgs()[1]);
            """;

        await test.RunAsync();
    }
    [Fact]
    public async Task Fix_all_in_document_links_every_load_and_adds_the_using_once()
    {
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            class C
            {
                InferenceSession Load() => {|#0:new InferenceSession(System.Environment.GetEnvironmentVariable("MODEL"))|};

                InferenceSession LoadAgain() => {|#1:new InferenceSession(System.Environment.GetEnvironmentVariable("MODEL"))|};

                InferenceSession Both()
                {
                    using var first = {|#2:new InferenceSession(System.Environment.GetEnvironmentVariable("A"))|};
                    return {|#3:new InferenceSession(System.Environment.GetEnvironmentVariable("B"))|};
                }
            }
            """).WithManifest("/app/models/sentiment.lineage.json", "sentiment.onnx");
        for (int i = 0; i < 4; i++)
        {
            test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0004").WithLocation(i).WithArguments("new InferenceSession"));
        }

        test.FixedState.AdditionalFiles.Add(("/app/models/sentiment.lineage.json", LineageTest.Manifest("sentiment.onnx")));
        test.FixedCode = """
            using Microsoft.ML.OnnxRuntime;
            using OpenTrain.Annotations;

            class C
            {
                [ModelLineage("app/models/sentiment.lineage.json")]
                InferenceSession Load() => new InferenceSession(System.Environment.GetEnvironmentVariable("MODEL"));

                [ModelLineage("app/models/sentiment.lineage.json")]
                InferenceSession LoadAgain() => new InferenceSession(System.Environment.GetEnvironmentVariable("MODEL"));

                [ModelLineage("app/models/sentiment.lineage.json")]
                InferenceSession Both()
                {
                    using var first = new InferenceSession(System.Environment.GetEnvironmentVariable("A"));
                    return new InferenceSession(System.Environment.GetEnvironmentVariable("B"));
                }
            }
            """;
        test.NumberOfIncrementalIterations = 3;
        test.NumberOfFixAllIterations = 1;

        await test.RunAsync();
    }
}
