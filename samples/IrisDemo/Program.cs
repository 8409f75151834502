using System;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

// Documented: models/iris-species.lineage.json lists this file with its SHA-256, and says how the model was
// trained (data, pipeline, hyperparameters, code, evaluation). The analyzer links the load to that manifest.
using var documented = new InferenceSession(Path.Combine(AppContext.BaseDirectory, "models", "iris-species.onnx"));

// Weights only: nothing says how this model came to be. OTA0001 flags this load.
using var undocumented = new InferenceSession(Path.Combine(AppContext.BaseDirectory, "models", "vendor-flowers.onnx"));

float[] flower = { 6.1f, 2.8f, 4.7f, 1.2f }; // sepal length/width, petal length/width in cm
Console.WriteLine($"iris-species:   {Predict(documented, flower)}");
Console.WriteLine($"vendor-flowers: {Predict(undocumented, flower)}");

static string Predict(InferenceSession session, float[] measurements)
{
    string[] names = { "sepal_length", "sepal_width", "petal_length", "petal_width" };
    var inputs = names.Select((name, i) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(new[] { measurements[i] }, new[] { 1, 1 })));
    using var results = session.Run(inputs.ToList(), new[] { "PredictedLabel.output" });
    return results.First().AsTensor<string>()[0, 0];
}
