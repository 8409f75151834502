using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using OpenTrain.Annotations;
using OpenTrain.Lineage;
using OpenTrainAnalyzers.CodeFixes;

namespace OpenTrainAnalyzers.Tests;

public class ManifestSkeletonCodeFixTests
{
    private const string SentimentSkeleton = """
        {
          "$schema": "urn:opentrainanalyzers:schema:training-lineage:1.0",
          "manifestVersion": "1.0",
          "model": {
            "name": "sentiment",
            "version": "[TODO: the version its producer gives these weights, e.g. 1.0.0 or a release date]",
            "producer": { "name": "[TODO: who trained the model: organisation or person]" },
            "license": "[TODO: the SPDX licence expression of the weights, e.g. Apache-2.0]",
            "task": "[TODO: what the model does, e.g. text-classification]"
          },
          "weights": {
            "format": "onnx",
            "files": [
              { "path": "sentiment.onnx", "sha256": "TODO", "size": 0, "role": "model" }
            ]
          },
          "lineage": {},
          "training": {
            "data": {},
            "processing": {},
            "configuration": { "architecture": {}, "hyperparameters": {} },
            "code": {},
            "evaluation": {}
          }
        }

        """;

    [Fact]
    public async Task Creates_a_skeleton_next_to_the_model()
    {
        const string source = """
            using Microsoft.ML.OnnxRuntime;
            class C
            {
                InferenceSession Load() => {|#0:new InferenceSession("models/sentiment.onnx")|};
            }
            """;
        var test = new SkeletonTest(source);
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0001").WithLocation(0).WithArguments("new InferenceSession", "models/sentiment.onnx", ManifestSkeleton.ScaffoldCommand("models/sentiment.onnx")));
        test.FixedCode = source.Replace("{|#0:", string.Empty).Replace("|}", string.Empty);
        test.FixedState.AdditionalFiles.Add(("/app/models/sentiment.lineage.json", SentimentSkeleton));
        test.CodeActionVerifier = (action, verifier) => verifier.Equal("Create lineage manifest skeleton for 'models/sentiment.onnx' (to fill it from the model's files instead, run: dotnet build -t:OpenTrainScaffold -p:OpenTrainScaffoldPath=models/sentiment.onnx)", action.Title);

        await test.RunAsync();
    }

    [Fact]
    public async Task Fix_all_creates_one_skeleton_per_model()
    {
        const string source = """
            using Microsoft.ML.OnnxRuntime;
            class C
            {
                InferenceSession A() => {|#0:new InferenceSession("models/sentiment.onnx")|};
                InferenceSession B() => {|#1:new InferenceSession("models/sentiment.onnx", new SessionOptions())|};
                InferenceSession D() => {|#2:new InferenceSession("models/vendor.v2.ort")|};
            }
            """;
        var test = new SkeletonTest(source);
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0001").WithLocation(0).WithArguments("new InferenceSession", "models/sentiment.onnx", ManifestSkeleton.ScaffoldCommand("models/sentiment.onnx")));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0001").WithLocation(1).WithArguments("new InferenceSession", "models/sentiment.onnx", ManifestSkeleton.ScaffoldCommand("models/sentiment.onnx")));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0001").WithLocation(2).WithArguments("new InferenceSession", "models/vendor.v2.ort", ManifestSkeleton.ScaffoldCommand("models/vendor.v2.ort")));
        test.FixedCode = source.Replace("{|#0:", string.Empty).Replace("{|#1:", string.Empty).Replace("{|#2:", string.Empty).Replace("|}", string.Empty);
        test.FixedState.AdditionalFiles.Add(("/app/models/sentiment.lineage.json", SentimentSkeleton));
        test.FixedState.AdditionalFiles.Add(("/app/models/vendor.v2.lineage.json", ManifestSkeleton.Create("vendor.v2.ort")));
        test.NumberOfIncrementalIterations = 2;
        test.NumberOfFixAllIterations = 1;

        await test.RunAsync();
    }

    [Fact]
    public async Task Not_offered_when_a_manifest_with_that_path_exists()
    {
        // The manifest is there but lists another file: edit it (or link it), never overwrite it.
        const string source = """
            using Microsoft.ML.OnnxRuntime;
            class C
            {
                InferenceSession Load() => {|#0:new InferenceSession("models/sentiment.onnx")|};
            }
            """;
        var test = new SkeletonTest(source);
        test.TestState.AdditionalFiles.Add(("/app/models/sentiment.lineage.json", LineageTest.Manifest("sentiment-v1.onnx")));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0001").WithLocation(0).WithArguments("new InferenceSession", "models/sentiment.onnx", ManifestSkeleton.ScaffoldCommand("models/sentiment.onnx")));
        test.FixedCode = source;
        test.FixedState.AdditionalFiles.Add(("/app/models/sentiment.lineage.json", LineageTest.Manifest("sentiment-v1.onnx")));
        test.FixedState.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0001").WithLocation(0).WithArguments("new InferenceSession", "models/sentiment.onnx", ManifestSkeleton.ScaffoldCommand("models/sentiment.onnx")));

        await test.RunAsync();
    }

    [Fact]
    public void The_skeleton_is_valid_but_reaches_no_level_and_the_build_names_every_element_to_write()
    {
        var manifest = LineageManifest.Read(SentimentSkeleton);
        Assert.True(manifest.IsReadable);
        var evaluation = CompletenessPolicy.Evaluate(manifest);

        Assert.Equal(LineageLevel.None, evaluation.AchievedLevel);

        // Well-formed: no JSON, type, enum, version or unknown-field findings, only incompleteness.
        var ids = evaluation.Findings.Select(f => f.Id).ToList();
        Assert.DoesNotContain(ids, id => id is "OTL0100" or "OTL0101" or "OTL0102" or "OTL0103" or "OTL0104");

        // Every element a person has to write is reported at declared, where it is.
        var declared = evaluation.FindingsFor(LineageLevel.Declared).ToList();
        foreach (var path in new[]
        {
            "$.model.version", "$.model.producer.name", "$.model.license", "$.model.task", "$.weights.files[0].sha256",
            "$.lineage", "$.training.data", "$.training.processing", "$.training.configuration.architecture",
            "$.training.configuration.hyperparameters", "$.training.code", "$.training.evaluation",
        })
        {
            Assert.Contains(declared, f => f.JsonPath.StartsWith(path, StringComparison.Ordinal));
        }

        // What the code knows is not reported.
        Assert.DoesNotContain(evaluation.Findings, f => f.JsonPath is "$.model.name" or "$.weights.format" or "$.weights.files[0].path" or "$.manifestVersion");
        Assert.Contains(declared, f => f.Id == "OTL0206" && f.JsonPath == "$.weights.files[0].sha256");
    }

    [Theory]
    [InlineData("sentiment.onnx", "onnx")]
    [InlineData("model.ORT", "ort")]
    [InlineData("llama-3.Q4_K_M.gguf", "gguf")]
    [InlineData("model.safetensors", "safetensors")]
    [InlineData("resnet.pt", "pytorch")]
    [InlineData("resnet.pth", "pytorch")]
    [InlineData("weights.bin", "other")]
    [InlineData("weights", "other")]
    public void The_format_comes_from_the_extension(string fileName, string format)
    {
        Assert.Equal(format, ManifestSkeleton.Format(fileName));
        var evaluation = CompletenessPolicy.Evaluate(LineageManifest.Read(ManifestSkeleton.Create(fileName)));
        Assert.DoesNotContain(evaluation.Findings, f => f.Id is "OTL0100" or "OTL0101" or "OTL0104");
    }

    [Theory]
    [InlineData("models/sentiment.onnx", "models/sentiment.lineage.json")]
    [InlineData("/srv/m/vendor.v2.ort", "/srv/m/vendor.v2.lineage.json")]
    [InlineData("weights", "weights.lineage.json")]
    public void The_manifest_goes_next_to_the_model(string model, string manifest) =>
        Assert.Equal(manifest, ManifestSkeleton.PathFor(model));

    private sealed class SkeletonTest : CSharpCodeFixTest<ModelLoadAnalyzer, CreateManifestSkeletonCodeFixProvider, DefaultVerifier>
    {
        public SkeletonTest(string source)
        {
            TestCode = source;
            ReferenceAssemblies = LineageTest.WithOnnxRuntime;
            TestState.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(ModelLineageAttribute).Assembly.Location));
            TestState.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\nbuild_property.projectdir = /app/\n"));
        }
    }
}
