using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using OpenTrainAnalyzers.Catalog;

namespace OpenTrainAnalyzers;

/// <summary>One load a derived loader reaches, and how its location follows from the loader's parameters.</summary>
internal sealed class DerivedReach
{
    public DerivedReach(Func<ILocationBinding, (LocationStatus Status, string? Path)> evaluate, LocationForm form, string innerName, SyntaxNode site)
    {
        Evaluate = evaluate;
        Form = form;
        InnerName = innerName;
        Site = site;
    }

    /// <summary>The location the load reads, given what the derived loader's parameters hold at a call site.</summary>
    public Func<ILocationBinding, (LocationStatus Status, string? Path)> Evaluate { get; }

    public LocationForm Form { get; }

    /// <summary>The catalog (or declared) load at the end of the chain: "new InferenceSession".</summary>
    public string InnerName { get; }

    /// <summary>The load or call inside the derived loader (its own OTA0004 is not reported when all callers are checked).</summary>
    public SyntaxNode Site { get; }
}

/// <summary>
/// A method, local function, constructor or accessor of this compilation whose load location comes from one of its
/// parameters (directly, through locals, Path.Combine/Join, concatenation, File.ReadAllBytes/OpenRead, an options
/// object created in it), or a constructor whose parameter is stored in a readonly field or get-only property that a
/// load of the type reads. Its call sites are checked like catalog loads.
/// </summary>
internal sealed class DerivedLoader
{
    public DerivedLoader(IMethodSymbol method, ImmutableArray<DerivedReach> reaches)
    {
        Method = method;
        Reaches = reaches;
    }

    public IMethodSymbol Method { get; }

    public ImmutableArray<DerivedReach> Reaches { get; }
}

/// <summary>
/// Finds derived loaders on demand and remembers them for the compilation: only methods that are called are looked
/// at, each once (no scan of the whole compilation per keystroke). Derivation is transitive (a wrapper of a wrapper),
/// across files and partial classes; recursion (direct or mutual) stops, it never loops.
/// </summary>
internal sealed class DerivedLoaders
{
    private const int MaxDepth = 8;
    private const string Marker = "\u0001";

    private readonly Compilation _compilation;
    private readonly ResolvedCatalog _catalog;
    private readonly ConcurrentDictionary<IMethodSymbol, DerivedLoader?> _known = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, bool> _called = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, Dictionary<ISymbol, (IOperation Value, IOperation Root)>> _assignments = new(SymbolEqualityComparer.Default);
    private readonly Lazy<string[]> _texts;

    public DerivedLoaders(Compilation compilation, ResolvedCatalog catalog)
    {
        _compilation = compilation;
        _catalog = catalog;
        _texts = new Lazy<string[]>(() => compilation.SyntaxTrees.Select(t => t.GetText().ToString()).ToArray());
    }

    /// <summary>What <paramref name="method"/>'s parameters hold at one call: the caller's arguments, resolved in its context.</summary>
    public LoaderBinding CallBinding(IMethodSymbol method, ModelLocation caller, ImmutableArray<IArgumentOperation> arguments) =>
        new(method, AssignmentsOf(method), _compilation, _catalog.Carriers, caller, arguments);

    /// <summary>
    /// Whether a location inside <paramref name="owner"/> follows from its parameters (or what its constructor stores):
    /// then the owner's callers are checked instead of this site.
    /// </summary>
    public bool DependsOnParameters(IMethodSymbol owner, Func<ILocationBinding, (LocationStatus Status, string? Path)> evaluate)
    {
        var definition = owner.OriginalDefinition;
        var probe = new LoaderBinding(definition, AssignmentsOf(definition), _compilation, _catalog.Carriers, null, null);
        var (status, path) = evaluate(probe);
        return status == LocationStatus.Resolved && path!.Contains(Marker);
    }

    /// <summary>
    /// Whether anything in the compilation may call <paramref name="method"/>: its name written as a call (or, for a
    /// constructor, after 'new') anywhere beyond its own declarations. A text search, once per method and compilation,
    /// only for wrappers whose load depends on their parameters; a name that also means something else counts as a call
    /// (then the callers that exist are checked, and the load inside stays silent).
    /// </summary>
    public bool HasCallers(IMethodSymbol method) => _called.GetOrAdd(method.OriginalDefinition, m =>
    {
        bool constructor = m.MethodKind == MethodKind.Constructor;
        string name = System.Text.RegularExpressions.Regex.Escape(constructor ? m.ContainingType.Name : m.Name);
        var pattern = new System.Text.RegularExpressions.Regex(constructor ? @"\bnew\s+(?:[\w.]+\.)?" + name + @"\s*[(<{]" : @"\b" + name + @"\s*(?:<[^<>()]*>)?\s*\(");
        int found = 0;
        foreach (var text in _texts.Value) // the compilation's text, taken once however many wrappers ask
        {
            found += pattern.Matches(text).Count;
        }

        int declared = constructor ? 0 : m.DeclaringSyntaxReferences.Length; // "Name(" of the declaration itself
        return found > declared;
    });

    public DerivedLoader? Get(IMethodSymbol method) => Get(method.OriginalDefinition, ImmutableHashSet<IMethodSymbol>.Empty.WithComparer(SymbolEqualityComparer.Default), 0, out _);

    private DerivedLoader? Get(IMethodSymbol method, ImmutableHashSet<IMethodSymbol> inProgress, int depth, out bool cut)
    {
        cut = false;
        if (_known.TryGetValue(method, out var known))
        {
            return known;
        }

        if (inProgress.Contains(method) || depth > MaxDepth)
        {
            cut = true; // recursion: this path adds nothing, and what depends on it is not remembered as final
            return null;
        }

        if (method.DeclaringSyntaxReferences.IsEmpty || method.IsAbstract || _catalog.Loads.ContainsKey(method) || !method.Parameters.Any(p => CanCarryLocation(p.Type)))
        {
            _known.TryAdd(method, null);
            return null;
        }

        var derived = Compute(method, inProgress.Add(method), depth, out cut);
        if (!cut)
        {
            _known.TryAdd(method, derived);
        }

        return derived;
    }

    private DerivedLoader? Compute(IMethodSymbol method, ImmutableHashSet<IMethodSymbol> inProgress, int depth, out bool cut)
    {
        cut = false;
        var bodies = Bodies(method).ToList();
        bool primaryConstructor = method.MethodKind == MethodKind.Constructor
            && method.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax); // class C(string path) { … }
        if (bodies.Count == 0 && !primaryConstructor)
        {
            return null;
        }

        var assignments = AssignmentsOf(method);
        var scanned = new List<IOperation>(bodies);
        if (assignments.Count > 0 || primaryConstructor)
        {
            scanned.AddRange(MemberBodies(method.ContainingType, method)); // loads elsewhere in the type that read what the constructor stored
        }

        var reaches = ImmutableArray.CreateBuilder<DerivedReach>();
        foreach (var root in scanned)
        {
            foreach (var operation in root.Descendants())
            {
                foreach (var candidate in Candidates(operation, root, inProgress, depth, ref cut))
                {
                    var probe = new LoaderBinding(method, assignments, _compilation, _catalog.Carriers, null, null);
                    var (status, path) = candidate.Evaluate(probe);
                    if (status == LocationStatus.Resolved && path!.Contains(Marker))
                    {
                        reaches.Add(candidate);
                    }
                }
            }
        }

        if (reaches.Count == 0)
        {
            return null;
        }

        return new DerivedLoader(method, reaches.ToImmutable());
    }

    /// <summary>
    /// Only a parameter of these types can hand a location to a load: text, bytes, a stream, or an options object a
    /// catalogued carrier fills. Other methods are never looked into (the cheap test that keeps pay-for-play).
    /// </summary>
    private bool CanCarryLocation(ITypeSymbol type)
    {
        if (type.SpecialType == SpecialType.System_String || type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte })
        {
            return true;
        }

        if (type is not INamedTypeSymbol named)
        {
            return false;
        }

        if (named.Name is "Stream" or "Memory" or "ReadOnlyMemory" or "ReadOnlySpan" or "Span" && named.ContainingNamespace?.ToDisplayString() is "System" or "System.IO")
        {
            return true;
        }

        foreach (var carrier in _catalog.Carriers.Keys)
        {
            if (SymbolEqualityComparer.Default.Equals(carrier.ContainingType, named.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The loads (catalog, declared, or through another derived loader) at one operation.</summary>
    private IEnumerable<DerivedReach> Candidates(IOperation operation, IOperation root, ImmutableHashSet<IMethodSymbol> inProgress, int depth, ref bool cut)
    {
        IMethodSymbol? target;
        ImmutableArray<IArgumentOperation> arguments;
        switch (operation)
        {
            case IInvocationOperation invocation:
                target = (invocation.TargetMethod.ReducedFrom ?? invocation.TargetMethod).OriginalDefinition;
                arguments = invocation.Arguments;
                break;
            case IObjectCreationOperation { Constructor: { } constructor } creation:
                target = constructor.OriginalDefinition;
                arguments = creation.Arguments;
                break;
            default:
                return Array.Empty<DerivedReach>();
        }

        if (_catalog.Loads.TryGetValue(target, out var entry))
        {
            if (entry.Kind != LoaderKind.Load)
            {
                return Array.Empty<DerivedReach>();
            }

            var list = new List<DerivedReach>();
            string name = ModelLoadNames.Of(target);
            foreach (var parameter in entry.LocationParameters)
            {
                var argument = arguments.FirstOrDefault(a => a.Parameter?.Name == parameter.Name);
                var form = parameter.Form;
                list.Add(new DerivedReach(
                    binding =>
                    {
                        var location = new ModelLocation(_compilation, _catalog.Carriers, root) { Binding = binding };
                        var status = location.Resolve(argument, form, out string? path, out _);
                        return ((binding as LoaderBinding)?.NotSupplied == true ? LocationStatus.NotSupplied : status, path);
                    },
                    form == LocationForm.Options ? LocationForm.Path : form,
                    name,
                    operation.Syntax));
            }

            return list;
        }

        var inner = Get(target, inProgress, depth + 1, out bool innerCut);
        cut |= innerCut;
        if (inner is null)
        {
            return Array.Empty<DerivedReach>();
        }

        string via = ModelLoadNames.Of(target);
        return inner.Reaches.Select(reach => new DerivedReach(
            binding =>
            {
                var caller = new ModelLocation(_compilation, _catalog.Carriers, root) { Binding = binding };
                var call = CallBinding(inner.Method, caller, arguments);
                var result = reach.Evaluate(call);
                return (call.NotSupplied || (binding as LoaderBinding)?.NotSupplied == true ? LocationStatus.NotSupplied : result.Status, result.Path);
            },
            reach.Form,
            via + " -> " + reach.InnerName,
            operation.Syntax)).ToList();
    }

    /// <summary>What a constructor stores in the readonly fields and get-only properties of its type, from its own body.</summary>
    /// <remarks>Bound once per constructor and compilation: call sites and probes ask for it again and again.</remarks>
    private Dictionary<ISymbol, (IOperation Value, IOperation Root)> AssignmentsOf(IMethodSymbol method) => _assignments.GetOrAdd(method.OriginalDefinition, m =>
        m.MethodKind == MethodKind.Constructor && Bodies(m).FirstOrDefault() is { } body
            ? ConstructorAssignments(m, body)
            : new Dictionary<ISymbol, (IOperation, IOperation)>(SymbolEqualityComparer.Default));

    private static Dictionary<ISymbol, (IOperation Value, IOperation Root)> ConstructorAssignments(IMethodSymbol constructor, IOperation body)
    {
        var assigned = new Dictionary<ISymbol, (IOperation, IOperation)>(SymbolEqualityComparer.Default);
        var twice = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var assignment in body.Descendants().OfType<ISimpleAssignmentOperation>())
        {
            ISymbol? member = assignment.Target switch
            {
                IFieldReferenceOperation { Instance: IInstanceReferenceOperation, Field: { IsReadOnly: true, IsStatic: false } field } => field,
                IPropertyReferenceOperation { Instance: IInstanceReferenceOperation, Property: { SetMethod: null, IsStatic: false } property } => property,
                _ => null,
            };
            if (member is null || !SymbolEqualityComparer.Default.Equals(member.ContainingType, constructor.ContainingType))
            {
                continue;
            }

            if (assigned.ContainsKey(member))
            {
                twice.Add(member);
            }

            assigned[member] = (assignment.Value, body);
        }

        foreach (var member in twice)
        {
            assigned.Remove(member); // two values: which one a load sees depends on the order of execution
        }

        return assigned;
    }

    /// <summary>The operation trees of a method's own bodies (its declaration, all partial parts).</summary>
    private IEnumerable<IOperation> Bodies(IMethodSymbol method)
    {
        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            var syntax = reference.GetSyntax();
            if (syntax is not (BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax or ArrowExpressionClauseSyntax))
            {
                continue; // records' primary constructors, properties declared as fields: not followed
            }

#pragma warning disable RS1030 // On demand, for a called method declared in another file: once per method per compilation.
            var model = _compilation.GetSemanticModel(syntax.SyntaxTree);
#pragma warning restore RS1030
            if (model.GetOperation(syntax) is { } operation)
            {
                yield return operation;
            }
        }
    }

    private IEnumerable<IOperation> MemberBodies(INamedTypeSymbol type, IMethodSymbol except)
    {
        foreach (var member in type.GetMembers())
        {
            var method = member switch
            {
                IMethodSymbol m when m.MethodKind is MethodKind.Ordinary or MethodKind.PropertyGet or MethodKind.PropertySet => m,
                _ => null,
            };
            if (method is null || SymbolEqualityComparer.Default.Equals(method, except) || method.IsStatic)
            {
                continue;
            }

            foreach (var body in Bodies(method))
            {
                yield return body;
            }
        }
    }

    /// <summary>
    /// What a derived loader's parameters (and the members its constructor assigns) hold: at a call site, the caller's
    /// resolved arguments (or the defaults); without a call site, a marker that shows which locations depend on them.
    /// </summary>
    internal sealed class LoaderBinding : ILocationBinding
    {
        private readonly IMethodSymbol _method;
        private readonly Dictionary<ISymbol, (IOperation Value, IOperation Root)> _assignments;
        private readonly Compilation _compilation;
        private readonly IReadOnlyDictionary<ISymbol, LoaderEntry> _carriers;
        private readonly ModelLocation? _caller;
        private readonly ImmutableArray<IArgumentOperation> _arguments;
        private int _depth;

        public LoaderBinding(IMethodSymbol method, Dictionary<ISymbol, (IOperation Value, IOperation Root)> assignments, Compilation compilation, IReadOnlyDictionary<ISymbol, LoaderEntry> carriers, ModelLocation? caller, ImmutableArray<IArgumentOperation>? arguments)
        {
            _method = method;
            _assignments = assignments;
            _compilation = compilation;
            _carriers = carriers;
            _caller = caller;
            _arguments = arguments ?? ImmutableArray<IArgumentOperation>.Empty;
        }

        /// <summary>An optional location parameter left empty at the call site: nothing is loaded.</summary>
        public bool NotSupplied { get; private set; }

        public bool Binds(ISymbol symbol) => symbol switch
        {
            IParameterSymbol parameter => SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol?.OriginalDefinition, _method),
            _ => _assignments.ContainsKey(symbol.OriginalDefinition),
        };

        public string? Text(ISymbol symbol) => Resolve(symbol, null);

        public string? Value(ISymbol symbol, LocationForm form) => Resolve(symbol, form);

        private string? Resolve(ISymbol symbol, LocationForm? form)
        {
            if (symbol is not IParameterSymbol parameter)
            {
                if (!_assignments.TryGetValue(symbol.OriginalDefinition, out var stored) || _depth > MaxDepth)
                {
                    return null;
                }

                _depth++;
                var inConstructor = new ModelLocation(_compilation, _carriers, stored.Root) { Binding = this };
                string? value = form is { } f ? inConstructor.ResolveValue(stored.Value, f) : inConstructor.ResolvePath(stored.Value);
                _depth--;
                return value;
            }

            if (_caller is null)
            {
                return Marker; // detection: the location depends on this parameter
            }

            var argument = _arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.OriginalDefinition, parameter.OriginalDefinition))
                ?? _arguments.FirstOrDefault(a => a.Parameter?.Name == parameter.Name);
            if (argument is null || argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                var declared = argument?.Parameter ?? parameter;
                if (declared.HasExplicitDefaultValue && declared.ExplicitDefaultValue is string text && text.Length > 0)
                {
                    return text;
                }

                NotSupplied = true;
                return null;
            }

            if (argument.Value.ConstantValue is { HasValue: true, Value: null or "" })
            {
                NotSupplied = true;
                return null;
            }

            return form is { } valueForm && argument.Value.Type?.SpecialType != SpecialType.System_String
                ? _caller.ResolveValue(argument.Value, valueForm)
                : _caller.ResolvePath(argument.Value);
        }
    }
}

/// <summary>How messages name a loader: "new InferenceSession", "ModelOperationsCatalog.Load".</summary>
internal static class ModelLoadNames
{
    public static string Of(IMethodSymbol loader) => loader.MethodKind switch
    {
        MethodKind.Constructor => "new " + loader.ContainingType.Name,
        MethodKind.LocalFunction => loader.Name,
        MethodKind.PropertyGet or MethodKind.PropertySet when loader.AssociatedSymbol is { } property => loader.ContainingType.Name + "." + property.Name,
        _ => loader.ContainingType.Name + "." + loader.Name,
    };
}
