using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace OpenTrainAnalyzers.Catalog;

/// <summary>One API that reads model weights, and the parameter that says where from.</summary>
internal sealed class LoaderEntry
{
    public LoaderEntry(string documentationId, string locationParameter, string library)
    {
        DocumentationId = documentationId;
        LocationParameter = locationParameter;
        Library = library;
        ContainingTypeName = ContainingType(documentationId);
    }

    public string DocumentationId { get; }

    public string LocationParameter { get; }

    public string Library { get; }

    /// <summary>Metadata name of the declaring type, used to skip entries whose library is not referenced.</summary>
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

/// <summary>
/// The loader catalog is data (an embedded table), matched in two stages like BannedApiAnalyzers: the table is read
/// once per process, and symbols are resolved once per compilation only for types the compilation references.
/// </summary>
internal static class LoaderCatalog
{
    private static readonly Lazy<ImmutableArray<LoaderEntry>> Entries = new(Load);

    public static ImmutableArray<LoaderEntry> All => Entries.Value;

    /// <summary>Maps each loader method/constructor present in <paramref name="compilation"/> to its entry.</summary>
    public static Dictionary<IMethodSymbol, LoaderEntry> Resolve(Compilation compilation)
    {
        var result = new Dictionary<IMethodSymbol, LoaderEntry>(SymbolEqualityComparer.Default);
        foreach (var group in All.GroupBy(e => e.ContainingTypeName))
        {
            if (compilation.GetTypeByMetadataName(group.Key) is null)
            {
                continue; // pay for play: the library is not referenced
            }

            foreach (var entry in group)
            {
                if (DocumentationCommentId.GetFirstSymbolForDeclarationId(entry.DocumentationId, compilation) is IMethodSymbol method)
                {
                    result[method.OriginalDefinition] = entry;
                }
            }
        }

        return result;
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
            builder.Add(new LoaderEntry(columns[0], columns[1], columns.Length > 2 ? columns[2] : string.Empty));
        }

        return builder.ToImmutable();
    }
}
