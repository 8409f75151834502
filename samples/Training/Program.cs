// Trains the Iris demo models and writes every artefact the lineage manifest points at:
//   samples/IrisDemo/models/iris-species.onnx     documented model (SDCA, seeded train split)
//   samples/IrisDemo/models/vendor-flowers.onnx   "weights only" model (L-BFGS, all 150 rows)
//   samples/Training/results/hyperparameters.json
//   samples/Training/results/evaluation.json
// Usage: dotnet run --project samples/Training [path/to/samples/Training]
// No timestamps or machine data are written, so a rerun on the same inputs gives the same files.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;

namespace IrisTraining;

/// <summary>One row of data/iris.csv. The column names (CSV header names) become the ONNX input names.</summary>
public sealed class IrisRow
{
    [LoadColumn(0), ColumnName("sepal_length")] public float SepalLength { get; set; }
    [LoadColumn(1), ColumnName("sepal_width")] public float SepalWidth { get; set; }
    [LoadColumn(2), ColumnName("petal_length")] public float PetalLength { get; set; }
    [LoadColumn(3), ColumnName("petal_width")] public float PetalWidth { get; set; }
    [LoadColumn(4), ColumnName("species")] public string Species { get; set; } = "";
}

/// <summary>The four features only: the input schema of the exported ONNX graph.</summary>
public sealed class IrisFeatures
{
    [ColumnName("sepal_length")] public float SepalLength { get; set; }
    [ColumnName("sepal_width")] public float SepalWidth { get; set; }
    [ColumnName("petal_length")] public float PetalLength { get; set; }
    [ColumnName("petal_width")] public float PetalWidth { get; set; }
}

/// <summary>SDCA maximum-entropy settings (iris-species.onnx).</summary>
public sealed record SdcaSettings(
    string Trainer, float L2Regularization, float L1Regularization, int MaximumNumberOfIterations,
    float ConvergenceTolerance, bool Shuffle, int NumberOfThreads);

/// <summary>L-BFGS maximum-entropy settings (vendor-flowers.onnx).</summary>
public sealed record LbfgsSettings(
    string Trainer, float L2Regularization, float L1Regularization, int MaximumNumberOfIterations,
    float OptimizationTolerance, int HistorySize, int NumberOfThreads);

/// <summary>The single source of truth for every setting; written verbatim to results/hyperparameters.json.</summary>
public sealed record Hyperparameters(
    int Seed, double TestFraction, string[] FeatureColumns, string LabelColumn, string Normalization,
    bool NormalizationFixZero, string LabelKeyOrdinality, SdcaSettings IrisSpecies, LbfgsSettings VendorFlowers)
{
    // Chosen once by hand before the first evaluation; not tuned on the test split.
    public static readonly Hyperparameters Values = new(
        Seed: 42,
        TestFraction: 0.2,
        FeatureColumns: new[] { "sepal_length", "sepal_width", "petal_length", "petal_width" },
        LabelColumn: "species",
        Normalization: "NormalizeMinMax",
        // fixZero=false gives a true (x - min) / (max - min) scaling instead of x / max|x|.
        NormalizationFixZero: false,
        // ByValue sorts the class names, so the score vector order is setosa, versicolor, virginica.
        LabelKeyOrdinality: "ByValue",
        IrisSpecies: new SdcaSettings(
            Trainer: "SdcaMaximumEntropy", L2Regularization: 0.001f, L1Regularization: 0f,
            MaximumNumberOfIterations: 100, ConvergenceTolerance: 0.01f, Shuffle: true,
            // One thread: SDCA's multi-threaded updates are not deterministic.
            NumberOfThreads: 1),
        VendorFlowers: new LbfgsSettings(
            Trainer: "LbfgsMaximumEntropy", L2Regularization: 0.01f, L1Regularization: 0f,
            MaximumNumberOfIterations: 100, OptimizationTolerance: 1e-7f, HistorySize: 20,
            NumberOfThreads: 1));
}

public static class Program
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public static int Main(string[] args)
    {
        string projectDir = args.Length > 0 ? Path.GetFullPath(args[0]) : FindProjectDirectory();
        string dataPath = Path.Combine(projectDir, "data", "iris.csv");
        string resultsDir = Path.Combine(projectDir, "results");
        string modelsDir = Path.GetFullPath(Path.Combine(projectDir, "..", "IrisDemo", "models"));
        Directory.CreateDirectory(resultsDir);
        Directory.CreateDirectory(modelsDir);

        Hyperparameters hp = Hyperparameters.Values;
        var ml = new MLContext(seed: hp.Seed);

        IDataView all = ml.Data.LoadFromTextFile<IrisRow>(dataPath, separatorChar: ',', hasHeader: true);
        DataOperationsCatalog.TrainTestData split = ml.Data.TrainTestSplit(all, testFraction: hp.TestFraction, seed: hp.Seed);

        // Model 1 (documented): SDCA on the training split, evaluated on the held-out split.
        SdcaSettings s = hp.IrisSpecies;
        var sdca = ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
        {
            L2Regularization = s.L2Regularization,
            L1Regularization = s.L1Regularization,
            MaximumNumberOfIterations = s.MaximumNumberOfIterations,
            ConvergenceTolerance = s.ConvergenceTolerance,
            Shuffle = s.Shuffle,
            NumberOfThreads = s.NumberOfThreads,
        });
        ITransformer irisModel = Pipeline(ml, hp, sdca).Fit(split.TrainSet);
        MulticlassClassificationMetrics m = ml.MulticlassClassification.Evaluate(irisModel.Transform(split.TestSet));

        // Model 2 ("weights only" vendor model): L-BFGS on all rows; deliberately not evaluated or documented.
        LbfgsSettings l = hp.VendorFlowers;
        var lbfgs = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
        {
            L2Regularization = l.L2Regularization,
            L1Regularization = l.L1Regularization,
            MaximumNumberOfIterations = l.MaximumNumberOfIterations,
            OptimizationTolerance = l.OptimizationTolerance,
            HistorySize = l.HistorySize,
            NumberOfThreads = l.NumberOfThreads,
        });
        ITransformer vendorModel = Pipeline(ml, hp, lbfgs).Fit(all);

        ExportOnnx(ml, irisModel, Path.Combine(modelsDir, "iris-species.onnx"));
        ExportOnnx(ml, vendorModel, Path.Combine(modelsDir, "vendor-flowers.onnx"));

        WriteJson(Path.Combine(resultsDir, "hyperparameters.json"), hp);
        WriteJson(Path.Combine(resultsDir, "evaluation.json"), new
        {
            Model = "iris-species.onnx",
            Dataset = "data/iris.csv",
            Split = "test",
            Seed = hp.Seed,
            TestFraction = hp.TestFraction,
            TrainRows = CountRows(split.TrainSet),
            TestRows = CountRows(split.TestSet),
            MlNetVersion = MlNetVersion(),
            Metrics = new { m.MicroAccuracy, m.MacroAccuracy, m.LogLoss, m.LogLossReduction },
        });

        Console.WriteLine($"test split: micro-accuracy {m.MicroAccuracy:F4}, macro-accuracy {m.MacroAccuracy:F4}, log-loss {m.LogLoss:F4}");
        Console.WriteLine($"models written to {modelsDir}");
        return 0;
    }

    private static IEstimator<ITransformer> Pipeline<TModel>(MLContext ml, Hyperparameters hp, IEstimator<TModel> trainer)
        where TModel : class, ITransformer
    {
        var keyOrdinality = Enum.Parse<ValueToKeyMappingEstimator.KeyOrdinality>(hp.LabelKeyOrdinality);
        return ml.Transforms.Concatenate("Features", hp.FeatureColumns)
            .Append(ml.Transforms.NormalizeMinMax("Features", fixZero: hp.NormalizationFixZero))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label", hp.LabelColumn, keyOrdinality: keyOrdinality))
            .Append(trainer)
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    }

    // The label mapping (species -> key) is only needed while training, but exporting the whole chain would
    // make "species" a required ONNX input and expose every intermediate column as an output. So the
    // exported graph is the fitted chain without that step, fed by the four feature columns only, and
    // keeps just the two outputs a caller needs. The trained parameters are the same objects.
    private static void ExportOnnx(MLContext ml, ITransformer model, string path)
    {
        ITransformer[] scoring = ((IEnumerable<ITransformer>)model).Where(t => t is not ValueToKeyMappingTransformer).ToArray();
        IDataView input = ml.Data.LoadFromEnumerable(Array.Empty<IrisFeatures>()); // only its schema is used

        using FileStream stream = File.Create(path);
        ml.Model.ConvertToOnnx(new TransformerChain<ITransformer>(scoring), input, stream, "PredictedLabel", "Score");
    }

    private static long CountRows(IDataView data) =>
        data.GetColumn<float>("sepal_length").LongCount();

    private static string MlNetVersion()
    {
        string v = typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        int plus = v.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? v : v.Substring(0, plus); // drop the "+commit" suffix
    }

    private static void WriteJson(string path, object value) =>
        File.WriteAllText(path, JsonSerializer.Serialize(value, Json) + "\n");

    // bin/<configuration>/<tfm>/ -> the folder that holds IrisTraining.csproj
    private static string FindProjectDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IrisTraining.csproj")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("IrisTraining.csproj not found above " + AppContext.BaseDirectory + "; pass the project directory as the first argument.");
    }
}
