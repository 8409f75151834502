using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using OpenTrain.Annotations;
using OpenTrainAnalyzers.CodeFixes;

namespace OpenTrainAnalyzers.Tests;

/// <summary>Analyzer and code-fix tests compile against the real ONNX Runtime reference assembly from NuGet.</summary>
internal sealed class LineageTest : CSharpCodeFixTest<ModelLoadAnalyzer, LinkManifestCodeFixProvider, DefaultVerifier>
{
    public static readonly ReferenceAssemblies WithOnnxRuntime = ReferenceAssemblies.Net.Net80.AddPackages(
        ImmutableArray.Create(new PackageIdentity("Microsoft.ML.OnnxRuntime.Managed", "1.31.1")));

    public LineageTest(string source, bool withOnnxRuntime = true)
        : this(source, withOnnxRuntime ? WithOnnxRuntime : ReferenceAssemblies.Net.Net80)
    {
    }

    public LineageTest(string source, ReferenceAssemblies referenceAssemblies)
    {
        TestCode = source;
        ReferenceAssemblies = referenceAssemblies;
        TestState.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(ModelLineageAttribute).Assembly.Location));
        TestState.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\nbuild_property.projectdir = /app/\n"));
    }

    public LineageTest WithReferences(IEnumerable<MetadataReference> references)
    {
        TestState.AdditionalReferences.AddRange(references);
        return this;
    }

    public LineageTest WithManifest(string path, params string[] weightFiles)
    {
        TestState.AdditionalFiles.Add((path, Manifest(weightFiles)));
        return this;
    }

    public static string Manifest(params string[] weightFiles) =>
        "{ \"manifestVersion\": \"1.0\", \"weights\": { \"format\": \"onnx\", \"files\": ["
        + string.Join(", ", weightFiles.Select(f => $"{{ \"path\": \"{f}\", \"sha256\": \"{new string('a', 63)}b\", \"size\": 1 }}"))
        + "] } }";

    public static DiagnosticResult Diagnostic(string id) => new DiagnosticResult(id, DiagnosticSeverity.Warning);

    /// <summary>
    /// OTA0001 at a marked load: the loader as the message names it, the path, and the scaffold command. A wrapper's
    /// call site also carries the way to the load as related locations: tests that assert them use <see cref="Trail"/>.
    /// </summary>
    public static DiagnosticResult Unlinked(int marker, string loader, string path) =>
        Diagnostic("OTA0001").WithLocation(marker).WithArguments(loader, path, OpenTrain.Lineage.ManifestSkeleton.ScaffoldCommand(path))
            .WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

    /// <summary>OTA0004 at a marked load whose location is known only at run time.</summary>
    public static DiagnosticResult NotStatic(int marker, string loader) => Diagnostic("OTA0004").WithLocation(marker).WithArguments(loader)
        .WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

    /// <summary>OTA0004 at the load inside a wrapper that is reached other than by checked calls, with the reason.</summary>
    public static DiagnosticResult NotAllCallsChecked(int marker, string loader, string parameter, string wrapper, string why) =>
        Diagnostic("OTA0004").WithLocation(marker).WithArguments(loader, parameter, wrapper, why)
            .WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

    /// <summary>A diagnostic at <paramref name="marker"/> whose related locations are exactly the markers given, in order.</summary>
    public static DiagnosticResult Trail(DiagnosticResult result, params int[] markers)
    {
        result = result.WithOptions(DiagnosticOptions.None);
        foreach (int marker in markers)
        {
            result = result.WithLocation(marker);
        }

        return result;
    }
}
