using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.CodeAnalysis;

namespace OpenTrainAnalyzers.Catalog;

/// <summary>
/// What a member that could load weights looks like: it takes (or, for a property, carries) a location — a string
/// whose name says path, file, model, directory, URL…, a Stream, bytes, a loader object or an options object of its
/// own library. The completeness guard (CatalogCompletenessTests) requires every such public member of a loader type
/// to be catalogued or classified; the fallback rule (OTA0009) reports calls to the ones a newer library version adds.
/// </summary>
internal static class LoadShape
{
    private static readonly string[] LocationWords = { "path", "file", "model", "dir", "folder", "location", "uri", "url", "checkpoint", "weight" };

    private static readonly string[] OptionsSuffixes = { "Options", "Params", "Parameters", "Config" };

    /// <summary>The first parameter of <paramref name="method"/> that takes a location, or null.</summary>
    public static IParameterSymbol? LocationParameter(IMethodSymbol method)
    {
        foreach (var parameter in method.Parameters)
        {
            if (IsLocation(parameter.Type, parameter.Name, method.ContainingAssembly))
            {
                return parameter;
            }
        }

        return null;
    }

    public static bool TakesLocation(ISymbol member) => member switch
    {
        IMethodSymbol method when method.MethodKind is MethodKind.Ordinary or MethodKind.Constructor => LocationParameter(method) is not null,
        IPropertySymbol property => property.SetMethod is { DeclaredAccessibility: Accessibility.Public } && IsLocation(property.Type, property.Name, property.ContainingAssembly),
        _ => false,
    };

    public static bool IsLocation(ITypeSymbol type, string name, IAssemblySymbol? library)
    {
        if (type.SpecialType == SpecialType.System_String)
        {
            foreach (var word in LocationWords)
            {
                if (name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return true;
                }
            }

            return false;
        }

        if (type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte })
        {
            return true;
        }

        if (type is INamedTypeSymbol named)
        {
            string definition = named.OriginalDefinition.ToDisplayString();
            if (definition == "System.IO.Stream")
            {
                return true;
            }

            if (definition is "System.Memory<T>" or "System.ReadOnlyMemory<T>" or "System.ReadOnlySpan<T>" or "System.Span<T>")
            {
                return named.TypeArguments.Length == 1 && named.TypeArguments[0].SpecialType == SpecialType.System_Byte;
            }
        }

        // A loader object or an options object of the library itself.
        if (library is null || !SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, library))
        {
            return false;
        }

        if (type.Name.IndexOf("Loader", StringComparison.Ordinal) >= 0)
        {
            return true;
        }

        foreach (var suffix in OptionsSuffixes)
        {
            if (type.Name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The documentation-comment ID as the catalog writes it: without the '~return type' some Roslyn versions append.</summary>
    public static string? IdOf(ISymbol member)
    {
        string? id = DocumentationCommentId.CreateDeclarationId(member);
        int tilde = id?.IndexOf(")~", StringComparison.Ordinal) ?? -1;
        return tilde < 0 ? id : id!.Substring(0, tilde + 1);
    }
}

/// <summary>
/// The members of loader types that take a location but load no weights (Catalog/classified.tsv, generated with the
/// catalog: writers, look-alikes, tokenizers, not-a-load): what the fallback rule must stay silent on.
/// </summary>
internal static class ClassifiedMembers
{
    private static readonly Lazy<HashSet<string>> Ids = new(Load);

    public static bool Contains(string id) => Ids.Value.Contains(id);

    private static HashSet<string> Load()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using var stream = typeof(ClassifiedMembers).Assembly.GetManifestResourceStream("OpenTrainAnalyzers.classified.tsv")
            ?? throw new InvalidOperationException("The classified-members resource is missing from the analyzer assembly.");
        using var reader = new StreamReader(stream);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length > 0 && line[0] != '#')
            {
                int tab = line.IndexOf('\t');
                ids.Add(tab < 0 ? line : line.Substring(0, tab));
            }
        }

        return ids;
    }
}
