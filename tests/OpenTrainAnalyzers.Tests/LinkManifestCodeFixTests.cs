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
                InferenceSession Load(string path) => {|#0:new InferenceSession(path)|};
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
                InferenceSession Load(string path) => new InferenceSession(path);
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
}
