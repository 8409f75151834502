using System;
using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;

namespace OpenTrain.Lineage;

/// <summary>
/// The lineage manifest a code fix writes next to an undocumented model: only what the code knows is filled in (the
/// model's file and format, a name from the file name). Everything else is a marked placeholder or an empty object,
/// so the build reports every missing element by code (OTL0300/0301/0302, OTL0401, OTL0206) and the manifest reaches
/// no level until a person writes the lineage down. Enumerated fields (availability, derivation) are never guessed.
/// The code fix writes it as is; the scaffold command (OpenTrainScaffold) starts from the same placeholders and
/// replaces those its sources establish.
/// </summary>
public static class ManifestSkeleton
{
    public const string Suffix = ".lineage.json";

    public const string VersionTodo = "[TODO: the version its producer gives these weights, e.g. 1.0.0 or a release date]";
    public const string ProducerTodo = "[TODO: who trained the model: organisation or person]";
    public const string LicenseTodo = "[TODO: the SPDX licence expression of the weights, e.g. Apache-2.0]";
    public const string TaskTodo = "[TODO: what the model does, e.g. text-classification]";

    /// <summary>The command that fills a manifest from the model's own files (card, config, headers, digests).</summary>
    public static string ScaffoldCommand(string modelPath) =>
        "dotnet build -t:OpenTrainScaffold -p:OpenTrainScaffoldPath=" + (modelPath.IndexOfAny(new[] { ' ', ';', '"', '\'', '&', '|' }) >= 0 ? "\"" + modelPath.Replace("\"", string.Empty) + "\"" : modelPath);

    /// <summary>"models/sentiment.onnx" -> "models/sentiment.lineage.json" (same directory, extension replaced).</summary>
    public static string PathFor(string modelPath)
    {
        int slash = Math.Max(modelPath.LastIndexOf('/'), modelPath.LastIndexOf('\\'));
        string directory = modelPath.Substring(0, slash + 1);
        return directory + Stem(modelPath.Substring(slash + 1)) + Suffix;
    }

    /// <summary>The weights.format value for a file name: from its extension, "other" when it says nothing.</summary>
    public static string Format(string fileName)
    {
        int dot = fileName.LastIndexOf('.');
        string extension = dot < 0 ? string.Empty : fileName.Substring(dot + 1).ToLowerInvariant();
        return extension switch
        {
            "onnx" => "onnx",
            "ort" => "ort",
            "gguf" => "gguf",
            "safetensors" => "safetensors",
            "pt" or "pth" => "pytorch",
            _ => "other",
        };
    }

    /// <summary>The manifest text for the model file <paramref name="fileName"/> (the manifest sits in the same directory).</summary>
    public static string Create(string fileName)
    {
        var manifest = Object(
            (FieldNames.ManifestVersion, Text(LineageManifest.SupportedVersion)),
            (FieldNames.Model, Object(
                (FieldNames.Name, Text(Stem(fileName))),
                (FieldNames.Version, Text(VersionTodo)),
                (FieldNames.Producer, Object((FieldNames.Name, Text(ProducerTodo)))),
                (FieldNames.License, Text(LicenseTodo)),
                (FieldNames.Task, Text(TaskTodo)))),
            (FieldNames.Weights, Object(
                (FieldNames.Format, Text(Format(fileName))),
                (FieldNames.Files, JsonValue.FromArray(Object(
                    (FieldNames.Path, Text(fileName)),
                    (FieldNames.Sha256, Text("TODO")),
                    (FieldNames.Size, JsonValue.FromNumber(0)),
                    (FieldNames.Role, Text("model"))))))),
            (FieldNames.Lineage, Object()),
            (FieldNames.Training, Object(
                (FieldNames.Data, Object()),
                (FieldNames.Processing, Object()),
                (FieldNames.Configuration, Object((FieldNames.Architecture, Object()), (FieldNames.Hyperparameters, Object()))),
                (FieldNames.Code, Object()),
                (FieldNames.Evaluation, Object()))));

        // The writer puts the $schema line first and the fields in the format's order.
        return ManifestWriter.Write(manifest);
    }

    private static JsonValue Object(params (string Name, JsonValue Value)[] properties) => JsonValue.FromObject(properties);

    private static JsonValue Text(string text) => JsonValue.FromString(text);

    private static string Stem(string fileName)
    {
        int dot = fileName.LastIndexOf('.');
        return dot <= 0 ? fileName : fileName.Substring(0, dot);
    }
}
