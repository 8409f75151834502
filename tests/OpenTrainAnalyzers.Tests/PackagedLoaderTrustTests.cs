using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;

namespace OpenTrainAnalyzers.Tests;

/// <summary>
/// A package is a trust boundary (issue 23): the OpenTrainLoaders.txt a package brings (marked with its package id
/// by ResolvePackagedLineage) may declare only members of that package's own assemblies. A hostile or careless package
/// that declares File.ReadAllBytes must not turn every file read of the app into a model load.
/// </summary>
public class PackagedLoaderTrustTests
{
    private const string PackageFolder = "/nuget/acme.vision/1.2.0/";

    [Fact]
    public async Task A_package_declares_its_own_loaders_and_its_lines_for_other_assemblies_are_ignored_with_a_warning_naming_it()
    {
        var library = Library("Acme.Vision", """
            namespace Acme.Vision
            {
                public static class Detector { public static object Load(string modelPath) => null; }
            }
            """, PackageFolder + "lib/net8.0/Acme.Vision.dll");
        var test = new LineageTest("""
            using System.IO;
            class App
            {
                void Run()
                {
                    {|#0:Acme.Vision.Detector.Load("models/detector.onnx")|};
                    File.ReadAllBytes("settings.json");   // not a model load, whatever a package says
                }
            }
            """, withOnnxRuntime: false).WithReferences(new[] { library });
        string loaders = PackageFolder + "opentrain/OpenTrainLoaders.txt";
        test.TestState.AdditionalFiles.Add((loaders, """
            M:Acme.Vision.Detector.Load(System.String);modelPath
            M:System.IO.File.ReadAllBytes(System.String);path
            """));
        test.TestState.AnalyzerConfigFiles.Add(("/.packages.globalconfig", $"is_global = true\n\n[{loaders}]\nbuild_metadata.AdditionalFiles.OpenTrainPackageId = Acme.Vision\n"));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0001").WithLocation(0).WithArguments("Detector.Load", "models/detector.onnx", OpenTrain.Lineage.ManifestSkeleton.ScaffoldCommand("models/detector.onnx")));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0008").WithSpan(loaders, 2, 1, 2, 45).WithArguments(
            "M:System.IO.File.ReadAllBytes(System.String);path",
            "package 'Acme.Vision' may declare only members of its own assemblies, and 'M:System.IO.File.ReadAllBytes(System.String)' is in 'System.Runtime'; the line is ignored (tell the package's author, or declare the loader in this project's own OpenTrainLoaders.txt if it really loads models)"));

        await test.RunAsync();
    }

    [Fact]
    public async Task The_projects_own_loaders_file_may_declare_any_referenced_member()
    {
        var library = Library("Other.Lib", "namespace Other { public static class Store { public static object Open(string path) => null; } }", "/nuget/other.lib/1.0.0/lib/net8.0/Other.Lib.dll");
        var test = new LineageTest("""
            class App { object Run() => {|#0:Other.Store.Open("models/other.onnx")|}; }
            """, withOnnxRuntime: false).WithReferences(new[] { library });
        test.TestState.AdditionalFiles.Add(("/app/OpenTrainLoaders.txt", "M:Other.Store.Open(System.String);path\n"));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0001").WithLocation(0).WithArguments("Store.Open", "models/other.onnx", OpenTrain.Lineage.ManifestSkeleton.ScaffoldCommand("models/other.onnx")));

        await test.RunAsync();
    }

    /// <summary>A compiled library whose reference says it lives at <paramref name="path"/> (inside a package folder or not).</summary>
    private static MetadataReference Library(string name, string source, string path)
    {
        var references = ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, default).GetAwaiter().GetResult();
        var compilation = CSharpCompilation.Create(name, new[] { CSharpSyntaxTree.ParseText(source) }, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return MetadataReference.CreateFromImage(image.ToArray(), filePath: path);
    }
}
