using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace OpenTrainAnalyzers.Catalog;

/// <summary>What a catalog row is.</summary>
internal enum LoaderKind
{
    /// <summary>Reads model weights from its location argument(s).</summary>
    Load,

    /// <summary>Reads model weights from a location that is not an argument (default path, package DLL, download): OTA0006.</summary>
    Implicit,

    /// <summary>Stores a path (constructor argument, property or field) that an options-taking load reads later.</summary>
    Carrier,

    /// <summary>Type.GetType / Activator.CreateInstance and friends: a load when they name a catalog type (OTA0007).</summary>
    Reflection,
}

/// <summary>What a location argument holds.</summary>
internal enum LocationForm
{
    /// <summary>A file path, or bytes/streams/readers of a file.</summary>
    Path,

    /// <summary>A directory that holds the model files.</summary>
    Directory,

    /// <summary>The model text itself (e.g. a YAML string); only a read of a known file resolves.</summary>
    Content,

    /// <summary>An options object whose carrier (constructor argument, property or field) holds the path.</summary>
    Options,
}

/// <summary>One parameter of a loader that carries a model location.</summary>
internal sealed class LocationParameter
{
    public LocationParameter(string name, LocationForm form)
    {
        Name = name;
        Form = form;
    }

    public string Name { get; }

    public LocationForm Form { get; }

    public static LocationParameter Parse(string text)
    {
        int colon = text.IndexOf(':');
        if (colon < 0)
        {
            return new LocationParameter(text, LocationForm.Path);
        }

        var form = text.Substring(colon + 1) switch
        {
            "dir" => LocationForm.Directory,
            "content" => LocationForm.Content,
            "options" => LocationForm.Options,
            _ => LocationForm.Path,
        };
        return new LocationParameter(text.Substring(0, colon), form);
    }
}

/// <summary>One API that reads model weights (or carries their location), and the parameters that say where from.</summary>
internal sealed class LoaderEntry
{
    public LoaderEntry(string documentationId, ImmutableArray<LocationParameter> locationParameters, string library, LoaderKind kind, string implicitLocation)
    {
        DocumentationId = documentationId;
        LocationParameters = locationParameters;
        Library = library;
        Kind = kind;
        ImplicitLocation = implicitLocation;
        ContainingTypeName = ContainingType(documentationId);
    }

    public string DocumentationId { get; }

    /// <summary>The parameters that carry the location (empty for implicit loads without a delegate).</summary>
    public ImmutableArray<LocationParameter> LocationParameters { get; }

    public string Library { get; }

    public LoaderKind Kind { get; }

    /// <summary>For implicit loads: where the weights come from, in words (OTA0006's message).</summary>
    public string ImplicitLocation { get; }

    /// <summary>Declaring type in documentation-ID form (nested types joined with '.'), used to skip unreferenced libraries.</summary>
    public string ContainingTypeName { get; }

    private static string ContainingType(string id)
    {
        // "M:Namespace.Type.Member(...)" -> "Namespace.Type"; constructors are "Type.#ctor".
        int paren = id.IndexOf('(');
        string name = paren < 0 ? id.Substring(2) : id.Substring(2, paren - 2);
        int dot = name.LastIndexOf('.');
        return dot < 0 ? name : name.Substring(0, dot);
    }
}

/// <summary>The catalog resolved against one compilation.</summary>
internal sealed class ResolvedCatalog
{
    public ResolvedCatalog(Dictionary<IMethodSymbol, LoaderEntry> loads, Dictionary<ISymbol, LoaderEntry> carriers, ImmutableHashSet<string> loaderTypeNames, HashSet<INamedTypeSymbol>? loaderTypes = null)
    {
        LoaderTypes = loaderTypes ?? new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        Loads = loads;
        Carriers = carriers;
        LoaderTypeNames = loaderTypeNames;
    }

    /// <summary>Loads, implicit loads and reflection entry points, keyed by original definition.</summary>
    public Dictionary<IMethodSymbol, LoaderEntry> Loads { get; }

    /// <summary>Carrier constructors, properties and fields, keyed by original definition.</summary>
    public Dictionary<ISymbol, LoaderEntry> Carriers { get; }

    /// <summary>Documentation-ID names ('.' for nesting) of every type that declares a load: what reflection may name.</summary>
    public ImmutableHashSet<string> LoaderTypeNames { get; }

    /// <summary>The catalogued types (original definitions) that declare a resolved load, implicit load or carrier: the fallback's scope (OTA0009).</summary>
    public HashSet<INamedTypeSymbol> LoaderTypes { get; }

    public bool IsEmpty => Loads.Count == 0;

    /// <summary>Merges the project's declared loaders (OpenTrainLoaders.txt); a declaration replaces a catalog row for the same method.</summary>
    public void AddDeclared(Dictionary<IMethodSymbol, LoaderEntry> declared)
    {
        foreach (var pair in declared)
        {
            Loads[pair.Key] = pair.Value;
        }
    }
}

/// <summary>
/// The loader catalog is data (an embedded table generated from the verified inventory by
/// build/catalog/extract-loaders.py), matched in two stages like BannedApiAnalyzers: the table is read once per
/// process, and symbols are resolved once per compilation only for types the compilation references.
/// </summary>
internal static class LoaderCatalog
{
    private static readonly Lazy<ImmutableArray<LoaderEntry>> Entries = new(Load);

    private static readonly Lazy<ImmutableArray<IGrouping<string, LoaderEntry>>> ByType = new(() => All.GroupBy(e => e.ContainingTypeName).ToImmutableArray());

    private static readonly Lazy<ImmutableHashSet<string>> TypeNames = new(() =>
        All.Where(e => e.Kind is LoaderKind.Load or LoaderKind.Implicit).Select(e => e.ContainingTypeName).ToImmutableHashSet(StringComparer.Ordinal));

    private static readonly LoaderEntry ReflectionEntry = new("M:System.Activator.CreateInstance", ImmutableArray<LocationParameter>.Empty, "System.Reflection", LoaderKind.Reflection, string.Empty);

    public static ImmutableArray<LoaderEntry> All => Entries.Value;

    /// <summary>Resolves the catalog against <paramref name="compilation"/>; empty when no catalog type is referenced.</summary>
    public static ResolvedCatalog Resolve(Compilation compilation)
    {
        var loads = new Dictionary<IMethodSymbol, LoaderEntry>(SymbolEqualityComparer.Default);
        var carriers = new Dictionary<ISymbol, LoaderEntry>(SymbolEqualityComparer.Default);
        var loaderTypes = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);

        // First stage, cheap: a type whose namespace is absent from the merged global namespace cannot resolve, and a
        // namespace walk costs a fraction of GetTypeByMetadataName searching every reference (docs/benchmarks.md).
        // References with an extern alias are not in the global namespace, so then every type is looked up.
        bool aliased = compilation.References.Any(r => !r.Properties.Aliases.IsDefaultOrEmpty);
        var containers = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var group in ByType.Value)
        {
            if ((!aliased && !ContainerExists(compilation, group.Key, containers)) || FindType(compilation, group.Key) is null)
            {
                continue; // pay for play: the library is not referenced
            }

            foreach (var entry in group)
            {
                var symbol = DocumentationCommentId.GetFirstSymbolForDeclarationId(entry.DocumentationId, compilation);
                if (symbol is null)
                {
                    continue; // another version of the library without this overload
                }

                if (symbol.ContainingType is { } containing)
                {
                    loaderTypes.Add(containing.OriginalDefinition);
                }

                if (entry.Kind == LoaderKind.Carrier)
                {
                    carriers[symbol.OriginalDefinition] = entry;
                }
                else if (symbol is IMethodSymbol method)
                {
                    loads[method.OriginalDefinition] = entry;
                }
            }
        }

        if (loads.Count > 0)
        {
            AddReflection(compilation, loads);
        }

        return new ResolvedCatalog(loads, carriers, TypeNames.Value, loaderTypes);
    }

    /// <summary>A type named in documentation-ID form; nested types need '+' in metadata names.</summary>
    /// <summary>Whether the namespaces (or enclosing types) of a catalog type exist; memoised per prefix.</summary>
    private static bool ContainerExists(Compilation compilation, string typeName, Dictionary<string, bool> known)
    {
        int last = typeName.LastIndexOf('.');
        if (last < 0)
        {
            return true;
        }

        string prefix = typeName.Substring(0, last);
        if (known.TryGetValue(prefix, out bool exists))
        {
            return exists;
        }

        INamespaceOrTypeSymbol? current = compilation.GlobalNamespace;
        foreach (var segment in prefix.Split('.'))
        {
            current = current?.GetMembers(segment).OfType<INamespaceOrTypeSymbol>().FirstOrDefault();
            if (current is null)
            {
                break;
            }
        }

        known[prefix] = current is not null;
        return current is not null;
    }

    private static INamedTypeSymbol? FindType(Compilation compilation, string name)
    {
        string metadataName = name;
        for (int attempt = 0; attempt < 4; attempt++)
        {
            if (compilation.GetTypeByMetadataName(metadataName) is { } type)
            {
                return type;
            }

            int dot = metadataName.LastIndexOf('.');
            if (dot < 0)
            {
                return null;
            }

            metadataName = metadataName.Substring(0, dot) + "+" + metadataName.Substring(dot + 1);
        }

        return null;
    }

    /// <summary>Type.GetType(string…), Assembly.GetType(string…), Activator.CreateInstance(Type|string, …).</summary>
    private static void AddReflection(Compilation compilation, Dictionary<IMethodSymbol, LoaderEntry> loads)
    {
        foreach (var (typeName, methodName) in new[] { ("System.Type", "GetType"), ("System.Reflection.Assembly", "GetType"), ("System.Activator", "CreateInstance") })
        {
            if (compilation.GetTypeByMetadataName(typeName) is not { } type)
            {
                continue;
            }

            foreach (var method in type.GetMembers(methodName).OfType<IMethodSymbol>())
            {
                if (method.Parameters.Length > 0 && !method.IsGenericMethod)
                {
                    loads[method.OriginalDefinition] = ReflectionEntry;
                }
            }
        }
    }

    private static ImmutableArray<LoaderEntry> Load()
    {
        var builder = ImmutableArray.CreateBuilder<LoaderEntry>();
        using var stream = typeof(LoaderCatalog).Assembly.GetManifestResourceStream("OpenTrainAnalyzers.loaders.tsv")
            ?? throw new InvalidOperationException("The loader catalog resource is missing from the analyzer assembly.");
        using var reader = new StreamReader(stream);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var columns = line.Split('\t');
            var parameters = columns[1] is "-" or ""
                ? ImmutableArray<LocationParameter>.Empty
                : columns[1].Split(',').Select(LocationParameter.Parse).ToImmutableArray();
            var kind = (columns.Length > 3 ? columns[3] : "load") switch
            {
                "implicit" => LoaderKind.Implicit,
                "carrier" => LoaderKind.Carrier,
                _ => LoaderKind.Load,
            };
            builder.Add(new LoaderEntry(columns[0], parameters, columns.Length > 2 ? columns[2] : string.Empty, kind, columns.Length > 4 ? columns[4] : string.Empty));
        }

        return builder.ToImmutable();
    }
}
