using System;
using Microsoft.ML.OnnxRuntime;

// Loads models the way the ONNX Runtime documentation shows: a session over a model file path.
const string documentedModel = "models/iris-species.onnx";
using var documented = new InferenceSession(documentedModel);
using var undocumented = new InferenceSession("models/vendor-flowers.onnx");
Console.WriteLine(documented.InputMetadata.Count + undocumented.InputMetadata.Count);
