using System;
using System.Diagnostics;

namespace OpenTrain.Annotations;

/// <summary>
/// Links the model loads inside the annotated member, type or assembly to a training-lineage manifest.
/// </summary>
/// <remarks>
/// The path is relative to the project directory, e.g. <c>[ModelLineage("models/sentiment.lineage.json")]</c>, and the
/// manifest must be passed to the compiler as an <c>AdditionalFiles</c> item (the OpenTrainAnalyzers package does that
/// for every <c>*.lineage.json</c> in the project). The attribute is conditional: it is read by the analyzers at compile
/// time and is not emitted into the assembly, so the application takes no run-time dependency on this library.
/// </remarks>
[Conditional("OPENTRAIN_ANNOTATIONS")]
[AttributeUsage(
    AttributeTargets.Assembly | AttributeTargets.Module | AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Method
        | AttributeTargets.Constructor | AttributeTargets.Property | AttributeTargets.Field,
    AllowMultiple = true,
    Inherited = false)]
public sealed class ModelLineageAttribute : Attribute
{
    /// <summary>Links loads to the manifest at <paramref name="manifestPath"/> (relative to the project directory).</summary>
    /// <param name="manifestPath">Path of the training-lineage manifest, e.g. <c>models/sentiment.lineage.json</c>.</param>
    public ModelLineageAttribute(string manifestPath)
    {
        ManifestPath = manifestPath;
    }

    /// <summary>Path of the training-lineage manifest, relative to the project directory.</summary>
    public string ManifestPath { get; }
}
