using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace OpenTrainAnalyzers.Catalog;

/// <summary>
/// Loaders a project declares itself (its own wrappers, libraries the catalog does not know) in AdditionalFiles named
/// OpenTrainLoaders.txt, in the BannedSymbols.txt style: one documentation-comment ID of a method or constructor per
/// line, ';' and the parameter that carries the model location (optionally ':dir' for a directory). '#' starts a
/// comment at the beginning of a line or after white space ('#ctor' is part of an ID). Bad lines are kept with their
/// place in the file and reported as OTA0008 from a compilation-end action, like BannedApiAnalyzers' RS0031.
/// </summary>
internal sealed class DeclaredLoaders
{
    public const string FileName = "OpenTrainLoaders.txt";

    /// <summary>The library name declared entries carry (tells them apart from catalog rows).</summary>
    public const string Library = FileName;

    private DeclaredLoaders(Dictionary<IMethodSymbol, LoaderEntry> loads, ImmutableArray<Diagnostic> problems, bool hasFiles)
    {
        Loads = loads;
        Problems = problems;
        HasFiles = hasFiles;
    }

    /// <summary>The declared loaders that resolved, keyed by original definition.</summary>
    public Dictionary<IMethodSymbol, LoaderEntry> Loads { get; }

    /// <summary>OTA0008 for each bad line, located in the file.</summary>
    public ImmutableArray<Diagnostic> Problems { get; }

    /// <summary>True when at least one OpenTrainLoaders.txt reached the compiler.</summary>
    public bool HasFiles { get; }

    public static bool IsLoadersFile(string path) => string.Equals(PathText.FileName(path), FileName, StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads every OpenTrainLoaders.txt of the compilation; cheap (a name check per additional file) when there is none.</summary>
    public static DeclaredLoaders Read(AnalyzerOptions options, Compilation compilation, CancellationToken cancellationToken)
    {
        var loads = new Dictionary<IMethodSymbol, LoaderEntry>(SymbolEqualityComparer.Default);
        var problems = ImmutableArray.CreateBuilder<Diagnostic>();
        var seen = new Dictionary<string, Location>(StringComparer.Ordinal);
        var files = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        bool hasFiles = false;

        // Ordered by path so that "first" and "duplicate" do not depend on the host's order.
        foreach (var file in options.AdditionalFiles.Where(f => IsLoadersFile(f.Path)).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            hasFiles = true;
            if (!files.Add(PathText.Normalize(file.Path)))
            {
                continue; // the same file passed twice (an explicit item and the package's): one set of lines
            }

            var text = file.GetText(cancellationToken);
            if (text is null)
            {
                continue;
            }

            var package = PackageOf(options, file);
            foreach (var line in text.Lines)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ReadLine(file.Path, text, line, compilation, package, loads, problems, seen);
            }
        }

        return new DeclaredLoaders(loads, problems.ToImmutable(), hasFiles);
    }

    /// <summary>
    /// A package's file (metadata OpenTrainPackageId, set by ResolvePackagedLineage): the package id and its folder,
    /// <c>&lt;packages&gt;/&lt;id&gt;/&lt;version&gt;/</c>, two levels above <c>opentrain/OpenTrainLoaders.txt</c>.
    /// </summary>
    private static (string Id, string Root)? PackageOf(AnalyzerOptions options, AdditionalText file)
    {
        if (!options.AnalyzerConfigOptionsProvider.GetOptions(file).TryGetValue("build_metadata.AdditionalFiles.OpenTrainPackageId", out string? id)
            || string.IsNullOrWhiteSpace(id))
        {
            return null;
        }

        string folder = PathText.Directory(PathText.Directory(PathText.Normalize(file.Path)));
        return (id, folder.TrimEnd('/') + "/");
    }

    /// <summary>Whether an assembly is one the package delivers: a reference whose file is inside the package folder.</summary>
    private static bool IsFromPackage(Compilation compilation, IAssemblySymbol assembly, string root) =>
        compilation.GetMetadataReference(assembly) is PortableExecutableReference { FilePath: { } path }
        && PathText.Normalize(path).StartsWith(root, StringComparison.OrdinalIgnoreCase);

    public void ReportProblems(CompilationAnalysisContext context)
    {
        foreach (var problem in Problems)
        {
            context.ReportDiagnostic(problem);
        }
    }

    private static void ReadLine(
        string path,
        SourceText text,
        TextLine line,
        Compilation compilation,
        (string Id, string Root)? package,
        Dictionary<IMethodSymbol, LoaderEntry> loads,
        ImmutableArray<Diagnostic>.Builder problems,
        Dictionary<string, Location> seen)
    {
        string content = text.ToString(line.Span);
        int end = CommentStart(content);
        int start = 0;
        while (start < end && char.IsWhiteSpace(content[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(content[end - 1]))
        {
            end--;
        }

        if (start == end)
        {
            return; // blank or comment
        }

        string entry = content.Substring(start, end - start);
        Location At(int offset, int length) => Location.Create(
            path,
            new TextSpan(line.Start + start + offset, length),
            text.Lines.GetLinePositionSpan(new TextSpan(line.Start + start + offset, length)));
        void Report(Location location, string reason, IEnumerable<Location>? additional = null) =>
            problems.Add(Diagnostic.Create(Rules.InvalidDeclaredLoader, location, additional, entry, reason));

        int semicolon = entry.IndexOf(';');
        if (semicolon < 0 || entry.IndexOf(';', semicolon + 1) >= 0)
        {
            Report(At(0, entry.Length), "write one documentation-comment ID, ';' and the parameter that carries the model location, e.g. 'M:MyCompany.Ml.ModelStore.Open(System.String);path'");
            return;
        }

        string id = entry.Substring(0, semicolon).TrimEnd();
        int parameterOffset = semicolon + 1;
        while (parameterOffset < entry.Length && char.IsWhiteSpace(entry[parameterOffset]))
        {
            parameterOffset++;
        }

        string parameterText = entry.Substring(parameterOffset);
        var idLocation = At(0, id.Length);
        var parameterLocation = At(parameterOffset, parameterText.Length);

        if (id.Length < 3 || id[1] != ':' || id.Any(char.IsWhiteSpace))
        {
            Report(idLocation, $"'{id}' is not a documentation-comment ID; a method is 'M:Namespace.Type.Method(ParameterTypes)', a constructor 'M:Namespace.Type.#ctor(ParameterTypes)'");
            return;
        }

        if (id[0] != 'M')
        {
            Report(idLocation, $"'{id}' does not name a method or constructor ('{id[0]}:'); declare the method or constructor that reads the weights, with the 'M:' prefix");
            return;
        }

        if (parameterText.Length == 0)
        {
            Report(At(0, entry.Length), "the parameter that carries the model location is missing after ';'");
            return;
        }

        int colon = parameterText.IndexOf(':');
        string parameterName = colon < 0 ? parameterText : parameterText.Substring(0, colon);
        string? suffix = colon < 0 ? null : parameterText.Substring(colon + 1);
        if (suffix is not null && suffix != "dir")
        {
            Report(parameterLocation, $"':{suffix}' is not a location kind; write the parameter name alone for a file, or append ':dir' for a directory that holds the model files");
            return;
        }

        var methods = DocumentationCommentId.GetSymbolsForDeclarationId(id, compilation).OfType<IMethodSymbol>().ToList();
        if (methods.Count == 0)
        {
            Report(idLocation, $"'{id}' resolves to no method or constructor of this compilation or its references; check the namespace, the type, the parameter types (fully qualified, e.g. System.String) and that the library is referenced");
            return;
        }

        methods = methods.Where(m => m.MethodKind is MethodKind.Ordinary or MethodKind.Constructor).ToList();
        if (methods.Count == 0)
        {
            Report(idLocation, $"'{id}' is not a method or constructor that code calls (an accessor, operator or finalizer); declare the method or constructor that reads the weights");
            return;
        }

        if (package is { } from)
        {
            // A package is a trust boundary: its declarations may make only its own assemblies' members loaders, never the
            // app's code, the framework's or another library's (File.ReadAllBytes would turn every file read into a load).
            var own = methods.Where(m => IsFromPackage(compilation, m.ContainingAssembly, from.Root)).ToList();
            if (own.Count == 0)
            {
                Report(idLocation, $"package '{from.Id}' may declare only members of its own assemblies, and '{id}' is in '{methods[0].ContainingAssembly.Name}'; the line is ignored (tell the package's author, or declare the loader in this project's own OpenTrainLoaders.txt if it really loads models)");
                return;
            }

            methods = own;
        }

        if (!methods.Any(m => m.Parameters.Any(p => p.Name == parameterName)))
        {
            string names = string.Join(", ", methods[0].Parameters.Select(p => p.Name));
            Report(parameterLocation, $"'{id}' has no parameter named '{parameterName}' (its parameters: {(names.Length == 0 ? "none" : names)})");
            return;
        }

        if (seen.TryGetValue(id, out var first))
        {
            Report(idLocation, $"'{id}' is already declared; keep one line per loader", new[] { first });
            return;
        }

        seen.Add(id, idLocation);
        var parameters = ImmutableArray.Create(new LocationParameter(parameterName, suffix == "dir" ? LocationForm.Directory : LocationForm.Path));
        foreach (var method in methods)
        {
            loads[method.OriginalDefinition] = new LoaderEntry(id, parameters, Library, LoaderKind.Load, string.Empty);
        }
    }

    /// <summary>Where a comment starts: '#' at the start of the line or after white space (IDs contain '#ctor').</summary>
    private static int CommentStart(string line)
    {
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return i;
            }
        }

        return line.Length;
    }
}
