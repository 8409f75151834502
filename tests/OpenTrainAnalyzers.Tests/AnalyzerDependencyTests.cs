using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using OpenTrain.Lineage;
using OpenTrainAnalyzers.CodeFixes;

namespace OpenTrainAnalyzers.Tests;

/// <summary>
/// Analyzers load inside compilers and IDEs that ship only their own assemblies. Any other reference (a JSON
/// library, a newer System.*) fails to load in some host, typically Visual Studio's .NET Framework process.
/// </summary>
public class AnalyzerDependencyTests
{
    private static readonly string[] CompilerHostAssemblies =
    {
        "netstandard", "Microsoft.CodeAnalysis", "Microsoft.CodeAnalysis.CSharp", "System.Collections.Immutable",
        "System.Reflection.Metadata", "OpenTrain.Lineage",
    };

    // Code fixes load only in workspace hosts (Visual Studio, language servers), which also ship Workspaces and
    // System.Composition (the [Shared] export attribute every Roslyn code fix uses).
    private static readonly string[] WorkspaceHostAssemblies =
    {
        "Microsoft.CodeAnalysis.Workspaces", "Microsoft.CodeAnalysis.CSharp.Workspaces", "System.Composition.AttributedModel", "OpenTrainAnalyzers",
    };

    [Fact]
    public void The_analyzer_and_its_core_reference_only_what_every_compiler_host_ships()
    {
        AssertReferencesWithin(typeof(ModelLoadAnalyzer).Assembly.Location, CompilerHostAssemblies);
        AssertReferencesWithin(typeof(LineageManifest).Assembly.Location, new[] { "netstandard" });
    }

    [Fact]
    public void The_code_fixes_reference_only_what_every_workspace_host_ships()
    {
        AssertReferencesWithin(typeof(LinkManifestCodeFixProvider).Assembly.Location, CompilerHostAssemblies.Concat(WorkspaceHostAssemblies).ToArray());
    }

    [Fact]
    public void The_analyzers_require_no_newer_compiler_than_Roslyn_4_8()
    {
        foreach (var path in new[] { typeof(ModelLoadAnalyzer).Assembly.Location, typeof(LinkManifestCodeFixProvider).Assembly.Location })
        {
            foreach (var (name, version) in References(path).Where(r => r.Name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)))
            {
                Assert.True(version <= new Version(4, 8, 0, 0), $"{Path.GetFileName(path)} references {name} {version}");
            }
        }
    }

    private static void AssertReferencesWithin(string path, string[] allowed)
    {
        var unexpected = References(path).Select(r => r.Name).Where(n => !allowed.Contains(n)).ToList();
        Assert.True(unexpected.Count == 0, $"{Path.GetFileName(path)} references {string.Join(", ", unexpected)}");
    }

    private static List<(string Name, Version Version)> References(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        return reader.AssemblyReferences
            .Select(h => reader.GetAssemblyReference(h))
            .Select(r => (reader.GetString(r.Name), r.Version))
            .ToList();
    }
}
