using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using OpenTrainAnalyzers.Catalog;

namespace OpenTrainAnalyzers.Derived;

/// <summary>How a location depends on a method's parameters.</summary>
internal enum ParameterDependence
{
    /// <summary>Not at all (a constant, or a value known only at run time).</summary>
    None,

    /// <summary>It is one of the parameters, passed on unchanged.</summary>
    Unchanged,

    /// <summary>It is built from the parameters (combined, concatenated, read from).</summary>
    Derived,
}

/// <summary>One load a derived loader reaches, and how its location follows from the loader's parameters.</summary>
internal sealed class DerivedReach
{
    public DerivedReach(Func<ILocationBinding, (LocationStatus Status, string? Path)> evaluate, LocationForm form, string innerName, ImmutableArray<Location> trail)
    {
        Evaluate = evaluate;
        Form = form;
        InnerName = innerName;
        Trail = trail;
    }

    /// <summary>The location the load reads, given what the derived loader's parameters hold at a call site.</summary>
    public Func<ILocationBinding, (LocationStatus Status, string? Path)> Evaluate { get; }

    public LocationForm Form { get; }

    /// <summary>The wrappers on the way and the catalog (or declared) load at the end: "Models.Load -> new InferenceSession".</summary>
    public string InnerName { get; }

    /// <summary>Where the way goes, from the call inside this loader to the load itself: the related locations of a finding.</summary>
    public ImmutableArray<Location> Trail { get; }
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
/// Finds derived loaders on demand and remembers them for the compilation: only methods that are called, that have a
/// parameter able to carry a location and whose text names a load or another possible wrapper are bound and looked at,
/// each once. Wrappers that call each other are solved together, one strongly connected group at a time (Tarjan's
/// algorithm, iterative), so recursion and mutual recursion cost one pass each and every answer is final and cached.
/// </summary>
internal sealed class DerivedLoaders
{
    /// <summary>What a parameter holds while a loader is probed without a call site: shows which locations depend on it.</summary>
    private const string Marker = "\u0001";

    private readonly Compilation _compilation;
    private readonly ResolvedCatalog _catalog;
    private readonly CancellationToken _cancellationToken;
    private readonly ConcurrentDictionary<IMethodSymbol, DerivedLoader?> _known = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, int> _cycles = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, Dictionary<ISymbol, (IOperation Value, IOperation Root)>> _assignments = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<INamedTypeSymbol, Dictionary<ISymbol, int>> _writers = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, HashSet<IParameterSymbol>> _written = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<IOperation>> _bodies = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<SyntaxTree, SemanticModel> _models = new();
    private readonly HashSet<INamedTypeSymbol> _carrierTypes = new(SymbolEqualityComparer.Default);
    private readonly Lazy<HashSet<string>> _loadNames;
    private readonly Lazy<HashSet<string>> _wrapperNames;
    private readonly List<(string Type, string Method)> _staticLoads = new();
    private readonly Dictionary<string, List<string>> _aliasesByTarget = new(StringComparer.Ordinal);
    private readonly Lazy<NameScan> _scan;
    private readonly Lazy<HashSet<string>> _reaching;
    private readonly object _gate = new();
    private int _cycleCount;

    public DerivedLoaders(Compilation compilation, ResolvedCatalog catalog, CancellationToken cancellationToken)
    {
        _compilation = compilation;
        _catalog = catalog;
        _cancellationToken = cancellationToken;
        foreach (var carrier in catalog.Carriers.Keys)
        {
            if (carrier.ContainingType is { } type)
            {
                _carrierTypes.Add(type.OriginalDefinition);
            }
        }

        _wrapperNames = new Lazy<HashSet<string>>(WrapperNames, LazyThreadSafetyMode.ExecutionAndPublication);
        _loadNames = new Lazy<HashSet<string>>(LoadNames, LazyThreadSafetyMode.ExecutionAndPublication);
        _scan = new Lazy<NameScan>(() => new NameScan(compilation, ScannedNames(), cancellationToken), LazyThreadSafetyMode.ExecutionAndPublication);
        _reaching = new Lazy<HashSet<string>>(ReachingNames, LazyThreadSafetyMode.ExecutionAndPublication);
        Generated = new GeneratedCode(compilation);
        Callers = new WrapperCallers(Generated, Model, () => Scan);
    }

    /// <summary>Each method body's writes, walked once per body (shared with every <see cref="ModelLocation"/> of the compilation).</summary>
    public BodyFacts Facts { get; } = new();

    public GeneratedCode Generated { get; }

    /// <summary>Whether every way into a wrapper is a checked call.</summary>
    public WrapperCallers Callers { get; }

    private IReadOnlyDictionary<ISymbol, LoaderEntry> Carriers => _catalog.Carriers;

    /// <summary>One semantic model per tree for the code this class binds outside the driver's callbacks.</summary>
    public SemanticModel Model(SyntaxTree tree) =>
#pragma warning disable RS1030 // On demand, for called methods and references declared in other files: once per tree per compilation.
        _models.GetOrAdd(tree, t => _compilation.GetSemanticModel(t));
#pragma warning restore RS1030

    /// <summary>What <paramref name="method"/>'s parameters hold at one call: the caller's arguments, resolved in its context.</summary>
    public LoaderBinding CallBinding(IMethodSymbol method, ModelLocation caller, ImmutableArray<CallArgument> arguments) =>
        new(this, CallSite.Declared(method), caller, arguments);

    /// <summary>
    /// How a location inside <paramref name="owner"/> depends on its parameters (or what its constructor stores), from
    /// one evaluation with a marker in each parameter: then the owner's callers may be checked instead of this site.
    /// </summary>
    public ParameterDependence Probe(IMethodSymbol owner, Func<ILocationBinding, (LocationStatus Status, string? Path)> evaluate)
    {
        var (status, path) = evaluate(new LoaderBinding(this, CallSite.Declared(owner), null, default));
        return status != LocationStatus.Resolved || !path!.Contains(Marker) ? ParameterDependence.None
            : path == Marker ? ParameterDependence.Unchanged
            : ParameterDependence.Derived;
    }

    /// <summary>Whether two wrappers call each other (directly or through others): one strongly connected group.</summary>
    public bool InSameCycle(IMethodSymbol first, IMethodSymbol second) =>
        _cycles.TryGetValue(CallSite.Declared(first), out int a) && _cycles.TryGetValue(CallSite.Declared(second), out int b) && a == b;

    public DerivedLoader? Get(IMethodSymbol method)
    {
        var declared = CallSite.Declared(method);
        if (_known.TryGetValue(declared, out var known))
        {
            return known;
        }

        if (!IsCandidate(declared))
        {
            _known.TryAdd(declared, null);
            return null;
        }

        lock (_gate)
        {
            if (!_known.ContainsKey(declared))
            {
                Solve(declared);
            }
        }

        return _known.TryGetValue(declared, out known) ? known : null;
    }

    /// <summary>
    /// The one type test for "can hand a location to a load", used both to find wrappers and to bind their parameters:
    /// text, bytes, a stream or buffer, <c>object</c> (a path or bytes passed untyped), or an options object of a
    /// catalogued carrier's type (also the project's own type that implements or derives from it).
    /// </summary>
    public bool CanCarryLocation(ITypeSymbol type)
    {
        if (type.SpecialType is SpecialType.System_String or SpecialType.System_Object || type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte })
        {
            return true;
        }

        if (type is not INamedTypeSymbol named)
        {
            return false;
        }

        if (named.Name is "Memory" or "ReadOnlyMemory" or "ReadOnlySpan" or "Span" && named.ContainingNamespace is { Name: "System", ContainingNamespace.IsGlobalNamespace: true })
        {
            return true;
        }

        for (var current = named; current is not null; current = current.BaseType)
        {
            if ((current.Name == "Stream" && current.ContainingNamespace is { Name: "IO", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } })
                || _carrierTypes.Contains(current.OriginalDefinition))
            {
                return true;
            }
        }

        return named.AllInterfaces.Any(i => _carrierTypes.Contains(i.OriginalDefinition));
    }

    /// <summary>A parameter whose value at a call site is the value inside: by value, of a carrying type, never reassigned.</summary>
    private bool IsBindable(IParameterSymbol parameter, IMethodSymbol owner) =>
        parameter.RefKind is RefKind.None or RefKind.In
        && CanCarryLocation(parameter.Type)
        && !WrittenParameters(owner).Contains(parameter.OriginalDefinition);

    private bool IsCandidate(IMethodSymbol method)
    {
        // Cheapest first: most calls go to metadata, or to methods whose name reaches no load by the text.
        var implementation = method.PartialImplementationPart ?? method;
        if (implementation.DeclaringSyntaxReferences.IsEmpty || method.IsAbstract || method.IsExtern || !MayReachLoad(implementation))
        {
            return false;
        }

        return !_catalog.Loads.ContainsKey(method)
            && method.Parameters.Any(p => p.RefKind is RefKind.None or RefKind.In && CanCarryLocation(p.Type));
    }

    /// <summary>
    /// The cheap test before binding: whether the method's name (a constructor's type, a setter's property) is one of
    /// the names from which a load can be reached, as the text says (<see cref="ReachingNames"/>).
    /// </summary>
    private bool MayReachLoad(IMethodSymbol method)
    {
        if (method.MethodKind == MethodKind.LocalFunction)
        {
            return true; // not a member: its calls are inside its method, whose name stands for it
        }

        string key = method.MethodKind switch
        {
            MethodKind.Constructor => method.ContainingType.Name,
            MethodKind.PropertySet or MethodKind.PropertyGet when method.AssociatedSymbol is { } property => property.Name,
            _ => method.Name,
        };
        return _reaching.Value.Contains(key);
    }

    /// <summary>The one text pass over the compilation for the names that matter (also the callers' index).</summary>
    public NameScan Scan => _scan.Value;

    /// <summary>
    /// Names from which a load may be reached, closed backwards over the text: start from the loads' names (and using
    /// aliases), and add the member (and its enclosing types) that writes each hit, until nothing new is added. A method
    /// whose name is not in the result cannot reach a load through calls, so it is never bound. Over-approximate on
    /// purpose (same-named members, hits in comments of a member): that costs a bind, never a missed load.
    /// </summary>
    private HashSet<string> ReachingNames()
    {
        var reaching = new HashSet<string>(_loadNames.Value, StringComparer.Ordinal);
        // A first pass for the loads' names only: code that writes none of them (most code) reaches no load, and the
        // full pass over every possible wrapper's name is never made.
        var loadsOnly = new NameScan(_compilation, reaching.Concat(_staticLoads.Select(load => load.Method)), _cancellationToken);
        if (reaching.All(name => loadsOnly.Hits(name).Count == 0))
        {
            return reaching;
        }

        foreach (var (type, method) in _staticLoads)
        {
            // Unqualified calls of a static load: in a type derived from the loader's type, or after 'using static'.
            foreach (var (tree, position) in Scan.Hits(type))
            {
                var token = tree.GetRoot(_cancellationToken).FindToken(position);
                if (token.SpanStart == position && token.Parent?.FirstAncestorOrSelf<SyntaxNode>(n => n is BaseListSyntax or UsingDirectiveSyntax) is not null)
                {
                    reaching.Add(method);
                    break;
                }
            }
        }

        var queue = new Queue<string>(reaching);
        var scan = Scan;
        void Add(SyntaxNode? from)
        {
            foreach (string key in EnclosingKeys(from))
            {
                if (reaching.Add(key))
                {
                    queue.Enqueue(key);
                    foreach (string alias in _aliasesByTarget.TryGetValue(key, out var aliases) ? aliases : Enumerable.Empty<string>())
                    {
                        if (reaching.Add(alias))
                        {
                            queue.Enqueue(alias);
                        }
                    }
                }
            }
        }

        // new(…) names no type: the target type may be written in another member, so each one counts.
        foreach (var (tree, position) in scan.Nameless)
        {
            var token = tree.GetRoot(_cancellationToken).FindToken(position);
            if (token.SpanStart == position && token.IsKind(SyntaxKind.NewKeyword))
            {
                Add(token.Parent);
            }
        }

        while (queue.Count > 0)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            foreach (var (tree, position) in scan.Hits(queue.Dequeue()))
            {
                var token = tree.GetRoot(_cancellationToken).FindToken(position);
                if (token.SpanStart == position && token.IsKind(SyntaxKind.IdentifierToken))
                {
                    Add(token.Parent);
                }
            }
        }

        return reaching;
    }

    /// <summary>The member a piece of code is written in (by the name its callers write) and every type around it.</summary>
    private static IEnumerable<string> EnclosingKeys(SyntaxNode? node)
    {
        bool member = false;
        for (var current = node; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case MethodDeclarationSyntax method when !member:
                    member = true;
                    yield return method.Identifier.ValueText;
                    break;
                case PropertyDeclarationSyntax property when !member:
                    member = true;
                    yield return property.Identifier.ValueText;
                    break;
                case BaseTypeDeclarationSyntax type:
                    member = true;
                    yield return type.Identifier.ValueText; // its constructors, which may store what a member loads
                    break;
                case MemberDeclarationSyntax and not BaseNamespaceDeclarationSyntax:
                    member = true; // constructors (by their type, above), fields, indexers, operators: not called by a name of their own
                    break;
            }
        }
    }

    /// <summary>
    /// The names a load is written with: a constructor's type, an instance or extension method's name, and each using
    /// alias whose target names a load or a possible wrapper (<c>using Session = Microsoft.ML.OnnxRuntime.InferenceSession;</c>;
    /// an alias of anything else, <c>using Complex = System.Numerics.Complex;</c>, cannot stand for a load). A static
    /// method is written with its type (<c>OrtLoraAdapter.Create(…)</c>): its type's name is the key, and its own name
    /// only where the type is imported with <c>using static</c> or derived from (see <see cref="ReachingNames"/>), so
    /// that a common name such as <c>Create</c> does not pull in every factory of the project.
    /// </summary>
    private HashSet<string> LoadNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pair in _catalog.Loads)
        {
            if (pair.Value.Kind != LoaderKind.Load)
            {
                continue;
            }

            var method = pair.Key;
            if (method.MethodKind == MethodKind.Constructor)
            {
                names.Add(method.ContainingType.Name);
            }
            else if (method.IsStatic && !method.IsExtensionMethod)
            {
                names.Add(method.ContainingType.Name);
                _staticLoads.Add((method.ContainingType.Name, method.AssociatedSymbol?.Name ?? method.Name));
            }
            else
            {
                names.Add(method.AssociatedSymbol?.Name ?? method.Name);
            }
        }

        foreach (var tree in _compilation.SyntaxTrees)
        {
            if (tree.GetRoot(_cancellationToken) is CompilationUnitSyntax unit)
            {
                AddAliases(unit.Usings, unit.Members, names, _aliasesByTarget);
            }
        }

        return names;
    }

    /// <summary>
    /// The names of members that could be wrappers, from the declarations' syntax (no symbol is created): methods,
    /// constructors (by their type) and properties with a setter, unless every parameter is of a predefined type that
    /// cannot carry a location (numbers, bool, char). Over-approximate on purpose: a name too many only widens the search.
    /// </summary>
    private HashSet<string> WrapperNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tree in _compilation.SyntaxTrees)
        {
            var members = tree.GetRoot(_cancellationToken).DescendantNodes(node => node is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax);
            foreach (var member in members)
            {
                switch (member)
                {
                    case MethodDeclarationSyntax method when MayCarry(method.ParameterList):
                        names.Add(method.Identifier.ValueText);
                        break;
                    case ConstructorDeclarationSyntax constructor when MayCarry(constructor.ParameterList):
                        names.Add(constructor.Identifier.ValueText);
                        break;
                    case TypeDeclarationSyntax type when MayCarry(type.ParameterList):
                        names.Add(type.Identifier.ValueText); // a primary constructor
                        break;
                    case PropertyDeclarationSyntax property when property.AccessorList?.Accessors.Any(a => a.Keyword.IsKind(SyntaxKind.SetKeyword) || a.Keyword.IsKind(SyntaxKind.InitKeyword)) == true
                        && !IsPredefinedNonCarrier(property.Type):
                        names.Add(property.Identifier.ValueText);
                        break;
                }
            }
        }

        return names;
    }

    private static bool MayCarry(ParameterListSyntax? parameters) =>
        parameters is not null && parameters.Parameters.Any(p => p.Type is null || !IsPredefinedNonCarrier(p.Type));

    /// <summary>int, double, bool, char and the like (also nullable): never a path, bytes, a stream or an options object.</summary>
    private static bool IsPredefinedNonCarrier(TypeSyntax type) =>
        (type is NullableTypeSyntax nullable ? nullable.ElementType : type) is PredefinedTypeSyntax predefined
        && !predefined.Keyword.IsKind(SyntaxKind.StringKeyword)
        && !predefined.Keyword.IsKind(SyntaxKind.ObjectKeyword);

    /// <summary>The words the text pass looks for: load names (with their aliases), and the names of members that could be wrappers.</summary>
    private HashSet<string> ScannedNames()
    {
        var names = new HashSet<string>(_loadNames.Value, StringComparer.Ordinal);
        names.UnionWith(_wrapperNames.Value);
        names.UnionWith(_staticLoads.Select(load => load.Method));
        names.UnionWith(_aliasesByTarget.Values.SelectMany(aliases => aliases));
        return names;
    }

    /// <summary>
    /// Using aliases: one whose target names a load counts as that load's name at once; any other waits, by the names in
    /// its target, until one of them turns out to reach a load (<c>using M = App.Models;</c> once Models does).
    /// </summary>
    private static void AddAliases(SyntaxList<UsingDirectiveSyntax> usings, SyntaxList<MemberDeclarationSyntax> members, HashSet<string> loadNames, Dictionary<string, List<string>> byTarget)
    {
        foreach (var directive in usings)
        {
            if (directive.Alias is not { } alias || directive.Name is not { } target)
            {
                continue;
            }

            string name = alias.Name.Identifier.ValueText;
            var identifiers = target.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText).ToList();
            if (identifiers.Any(loadNames.Contains))
            {
                loadNames.Add(name); // using Session = Microsoft.ML.OnnxRuntime.InferenceSession;
                continue;
            }

            foreach (string identifier in identifiers)
            {
                if (!byTarget.TryGetValue(identifier, out var list))
                {
                    byTarget[identifier] = list = new List<string>();
                }

                list.Add(name);
            }
        }

        foreach (var member in members)
        {
            if (member is BaseNamespaceDeclarationSyntax inner)
            {
                AddAliases(inner.Usings, inner.Members, loadNames, byTarget);
            }
        }
    }

    private sealed class Node
    {
        public Node(IMethodSymbol method, List<Call> calls)
        {
            Method = method;
            Calls = calls;
        }

        public IMethodSymbol Method { get; }

        public List<Call> Calls { get; }

        public int Index { get; set; }

        public int Low { get; set; }

        public bool OnStack { get; set; }

        public int Next { get; set; }

        /// <summary>Direct loads and loads through finished wrappers outside this node's group, in this node's terms.</summary>
        public List<DerivedReach> Local { get; } = new();

        /// <summary>Calls of wrappers of the same group.</summary>
        public List<(Call Call, Node Target)> Internal { get; } = new();
    }

    private sealed class Call
    {
        public Call(CallSite site, IOperation root, LoaderEntry? load)
        {
            Site = site;
            Root = root;
            Load = load;
        }

        public CallSite Site { get; }

        public IOperation Root { get; }

        /// <summary>The catalog (or declared) load called here, or null for a method of this compilation.</summary>
        public LoaderEntry? Load { get; }
    }

    /// <summary>Tarjan's strongly connected components over "calls a possible wrapper", iterative (no stack depth limit).</summary>
    private void Solve(IMethodSymbol start)
    {
        var nodes = new Dictionary<IMethodSymbol, Node>(SymbolEqualityComparer.Default);
        var stack = new Stack<Node>();
        var path = new Stack<Node>();
        int index = 0;

        Node Visit(IMethodSymbol method)
        {
            var node = new Node(method, ScanCalls(method)) { Index = index, Low = index };
            index++;
            nodes[method] = node;
            stack.Push(node);
            node.OnStack = true;
            path.Push(node);
            return node;
        }

        Visit(start);
        while (path.Count > 0)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var node = path.Peek();
            if (node.Next < node.Calls.Count)
            {
                var call = node.Calls[node.Next];
                var target = call.Site.Target;
                if (call.Load is { } load)
                {
                    node.Local.AddRange(DirectReaches(call, load));
                }
                else if (_known.TryGetValue(target, out var final))
                {
                    if (final is not null)
                    {
                        node.Local.AddRange(final.Reaches.Select(reach => Through(call, reach, final.Method)));
                    }
                }
                else if (nodes.TryGetValue(target, out var visited))
                {
                    if (visited.OnStack)
                    {
                        node.Low = Math.Min(node.Low, visited.Low);
                        node.Internal.Add((call, visited));
                    }
                }
                else if (IsCandidate(target))
                {
                    Visit(target);
                    continue; // this call is looked at again when the callee is done: final, or a member of this group
                }
                else
                {
                    _known.TryAdd(target, null);
                }

                node.Next++;
                continue;
            }

            path.Pop();
            if (path.Count > 0)
            {
                path.Peek().Low = Math.Min(path.Peek().Low, node.Low);
            }

            if (node.Low == node.Index)
            {
                var group = new List<Node>();
                Node member;
                do
                {
                    member = stack.Pop();
                    member.OnStack = false;
                    group.Add(member);
                }
                while (member != node);

                Finish(group);
            }
        }
    }

    private void Finish(List<Node> group)
    {
        bool cyclic = group.Count > 1 || group[0].Internal.Count > 0;
        int id = cyclic ? Interlocked.Increment(ref _cycleCount) : 0;
        var results = new List<(IMethodSymbol, DerivedLoader?)>();
        foreach (var node in group)
        {
            var reaches = ImmutableArray.CreateBuilder<DerivedReach>();
            foreach (var reach in cyclic ? Closure(node) : node.Local)
            {
                var (status, path) = reach.Evaluate(new LoaderBinding(this, node.Method, null, default));
                if (status == LocationStatus.Resolved && path!.Contains(Marker))
                {
                    reaches.Add(reach);
                }
            }

            results.Add((node.Method, reaches.Count == 0 ? null : new DerivedLoader(node.Method, reaches.ToImmutable())));
        }

        foreach (var (method, result) in results)
        {
            if (cyclic)
            {
                _cycles[method] = id;
            }

            _known[method] = result;
        }
    }

    /// <summary>
    /// Every load a member of a recursive group reaches: its own, and each other member's once, through the first way
    /// found to it. A value passed around the cycle unchanged is the same on every turn; one that changes on the way is
    /// checked where the recursive call is written (the analyzer does not defer it, see ModelLoadAnalyzer).
    /// </summary>
    private List<DerivedReach> Closure(Node start)
    {
        var result = new List<DerivedReach>(start.Local);
        var visited = new HashSet<Node> { start };
        var queue = new Queue<(Node Node, Func<DerivedReach, DerivedReach> Wrap)>();
        queue.Enqueue((start, reach => reach));
        while (queue.Count > 0)
        {
            var (node, wrap) = queue.Dequeue();
            foreach (var (call, target) in node.Internal)
            {
                if (!visited.Add(target))
                {
                    continue;
                }

                Func<DerivedReach, DerivedReach> wrapTarget = reach => wrap(Through(call, reach, target.Method));
                result.AddRange(target.Local.Select(wrapTarget));
                queue.Enqueue((target, wrapTarget));
            }
        }

        return result;
    }

    /// <summary>The calls in a method's bodies (and, for a constructor that stores its parameters, in its type's members) that may load.</summary>
    private List<Call> ScanCalls(IMethodSymbol method)
    {
        var calls = new List<Call>();
        var bodies = Bodies(method);
        bool primaryConstructor = IsPrimaryConstructor(method);
        var scanned = new List<IOperation>(bodies);
        if (method.MethodKind == MethodKind.Constructor && (AssignmentsOf(method).Count > 0 || primaryConstructor))
        {
            scanned.AddRange(MemberBodies(method.ContainingType, method)); // loads elsewhere in the type that read what the constructor stored
        }

        foreach (var root in scanned)
        {
            foreach (var operation in root.Descendants())
            {
                if (!CallSite.TryGet(operation, out var site))
                {
                    continue;
                }

                if (_catalog.Loads.TryGetValue(site.Target, out var entry))
                {
                    if (entry.Kind == LoaderKind.Load)
                    {
                        calls.Add(new Call(site, root, entry));
                    }
                }
                else if (!site.Target.DeclaringSyntaxReferences.IsEmpty || site.Target.PartialImplementationPart is not null)
                {
                    calls.Add(new Call(site, root, null));
                }
            }
        }

        return calls;
    }

    private IEnumerable<DerivedReach> DirectReaches(Call call, LoaderEntry entry)
    {
        string name = ModelLoadNames.Of(call.Site.Target);
        var trail = ImmutableArray.Create(call.Site.Operation.Syntax.GetLocation());
        foreach (var parameter in entry.LocationParameters)
        {
            var argument = call.Site.Arguments.FirstOrDefault(a => a.Parameter?.Name == parameter.Name);
            var form = parameter.Form;
            var root = call.Root;
            yield return new DerivedReach(
                binding =>
                {
                    var location = new ModelLocation(_compilation, Carriers, root, Facts) { Binding = binding };
                    var status = location.Resolve(argument.Value, form, out string? path, out _);
                    return ((binding as LoaderBinding)?.NotSupplied == true ? LocationStatus.NotSupplied : status, path);
                },
                form == LocationForm.Options ? LocationForm.Path : form,
                name,
                trail);
        }
    }

    /// <summary>A reach of <paramref name="callee"/>, seen from the method that calls it at <paramref name="call"/>.</summary>
    private DerivedReach Through(Call call, DerivedReach reach, IMethodSymbol callee) => new(
        binding =>
        {
            var caller = new ModelLocation(_compilation, Carriers, call.Root, Facts) { Binding = binding };
            var inner = CallBinding(callee, caller, call.Site.Arguments);
            var result = reach.Evaluate(inner);
            return (inner.NotSupplied || (binding as LoaderBinding)?.NotSupplied == true ? LocationStatus.NotSupplied : result.Status, result.Path);
        },
        reach.Form,
        ModelLoadNames.Of(callee) + " -> " + reach.InnerName,
        reach.Trail.Insert(0, call.Site.Operation.Syntax.GetLocation()));

    private static bool IsPrimaryConstructor(IMethodSymbol method) =>
        method.MethodKind == MethodKind.Constructor && method.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax); // class C(string path) { … }

    /// <summary>
    /// What a constructor stores in the readonly fields and get-only properties of its type, from its own body — only the
    /// members no other constructor and no initializer writes (otherwise which value a load sees depends on how the
    /// object was made). Bound once per constructor and compilation.
    /// </summary>
    internal Dictionary<ISymbol, (IOperation Value, IOperation Root)> AssignmentsOf(IMethodSymbol method) => _assignments.GetOrAdd(CallSite.Declared(method), m =>
    {
        if (m.MethodKind != MethodKind.Constructor || Bodies(m).FirstOrDefault() is not { } body)
        {
            return new Dictionary<ISymbol, (IOperation, IOperation)>(SymbolEqualityComparer.Default);
        }

        var own = ConstructorAssignments(m, body);
        var writers = WritersOf(m.ContainingType);
        foreach (var member in own.Keys.ToList())
        {
            if (!writers.TryGetValue(member, out int count) || count != 1)
            {
                own.Remove(member);
            }
        }

        return own;
    });

    /// <summary>How many constructors and initializers of a type write each of its readonly members.</summary>
    private Dictionary<ISymbol, int> WritersOf(INamedTypeSymbol type) => _writers.GetOrAdd(type.OriginalDefinition, t =>
    {
        var writers = new Dictionary<ISymbol, int>(SymbolEqualityComparer.Default);
        void Count(ISymbol member) => writers[member] = writers.TryGetValue(member, out int n) ? n + 1 : 1;
        foreach (var constructor in t.InstanceConstructors)
        {
            if (Bodies(constructor).FirstOrDefault() is { } body)
            {
                foreach (var member in ConstructorAssignments(constructor, body).Keys.Concat(TwiceAssigned(constructor, body)).Distinct(SymbolEqualityComparer.Default))
                {
                    Count(member);
                }
            }
        }

        foreach (var member in t.GetMembers())
        {
            foreach (var reference in member.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax() is VariableDeclaratorSyntax { Initializer: not null } or PropertyDeclarationSyntax { Initializer: not null })
                {
                    Count(member);
                }
            }
        }

        return writers;
    });

    private static IEnumerable<ISymbol> TwiceAssigned(IMethodSymbol constructor, IOperation body)
    {
        var seen = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var assignment in body.Descendants().OfType<IAssignmentOperation>())
        {
            if (StoredMember(constructor, assignment.Target) is { } member && !seen.Add(member))
            {
                yield return member;
            }
        }
    }

    private static ISymbol? StoredMember(IMethodSymbol constructor, IOperation target)
    {
        ISymbol? member = target switch
        {
            IFieldReferenceOperation { Instance: IInstanceReferenceOperation, Field: { IsReadOnly: true, IsStatic: false } field } => field,
            IPropertyReferenceOperation { Instance: IInstanceReferenceOperation, Property: { SetMethod: null, IsStatic: false } property } => property,
            _ => null,
        };
        return member is not null && SymbolEqualityComparer.Default.Equals(member.ContainingType, constructor.ContainingType) ? member.OriginalDefinition : null;
    }

    private static Dictionary<ISymbol, (IOperation Value, IOperation Root)> ConstructorAssignments(IMethodSymbol constructor, IOperation body)
    {
        var assigned = new Dictionary<ISymbol, (IOperation, IOperation)>(SymbolEqualityComparer.Default);
        var twice = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var assignment in body.Descendants().OfType<IAssignmentOperation>())
        {
            if (StoredMember(constructor, assignment.Target) is not { } member)
            {
                continue;
            }

            if (assigned.ContainsKey(member) || assignment is not ISimpleAssignmentOperation)
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

    /// <summary>The parameters a method (or, for a primary constructor, any member of its type) assigns, increments or passes by ref.</summary>
    private HashSet<IParameterSymbol> WrittenParameters(IMethodSymbol method) => _written.GetOrAdd(CallSite.Declared(method), m =>
    {
        var written = new HashSet<IParameterSymbol>(SymbolEqualityComparer.Default);
        var scanned = IsPrimaryConstructor(m) ? MemberBodies(m.ContainingType, m) : Bodies(m);
        foreach (var root in scanned)
        {
            foreach (var operation in root.Descendants())
            {
                if (operation is IParameterReferenceOperation reference && BodyFacts.IsWrite(reference))
                {
                    written.Add(reference.Parameter.OriginalDefinition);
                }
            }
        }

        if (m.PartialImplementationPart is { } implementation)
        {
            // The body binds the implementation's parameters: name them by the declaration's.
            foreach (var parameter in implementation.Parameters)
            {
                if (written.Contains(parameter.OriginalDefinition))
                {
                    written.Add(m.Parameters[parameter.Ordinal]);
                }
            }
        }

        return written;
    });

    /// <summary>The operation trees of a method's own bodies (its declaration, all parts; a partial method's implementation).</summary>
    private ImmutableArray<IOperation> Bodies(IMethodSymbol method) => _bodies.GetOrAdd(CallSite.Declared(method), m =>
    {
        var builder = ImmutableArray.CreateBuilder<IOperation>();
        foreach (var reference in (m.PartialImplementationPart ?? m).DeclaringSyntaxReferences)
        {
            var syntax = reference.GetSyntax(_cancellationToken);
            if (syntax is not (BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax or ArrowExpressionClauseSyntax))
            {
                continue; // records' primary constructors, properties declared as fields: not followed
            }

            if (Model(syntax.SyntaxTree).GetOperation(syntax, _cancellationToken) is { } operation)
            {
                builder.Add(operation);
            }
        }

        return builder.ToImmutable();
    });

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
        private const int MaxDepth = 8;

        private readonly DerivedLoaders _owner;
        private readonly IMethodSymbol _method;
        private readonly Dictionary<ISymbol, (IOperation Value, IOperation Root)> _assignments;
        private readonly ModelLocation? _caller;
        private readonly ImmutableArray<CallArgument> _arguments;
        private int _depth;

        public LoaderBinding(DerivedLoaders owner, IMethodSymbol method, ModelLocation? caller, ImmutableArray<CallArgument> arguments)
        {
            _owner = owner;
            _method = method;
            _assignments = owner.AssignmentsOf(method);
            _caller = caller;
            _arguments = arguments.IsDefault ? ImmutableArray<CallArgument>.Empty : arguments;
        }

        /// <summary>An optional location parameter left empty at the call site: nothing is loaded.</summary>
        public bool NotSupplied { get; private set; }

        public bool Binds(ISymbol symbol) => symbol switch
        {
            IParameterSymbol parameter => parameter.ContainingSymbol is IMethodSymbol container
                && SymbolEqualityComparer.Default.Equals(CallSite.Declared(container), _method)
                && _owner.IsBindable(parameter, _method),
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
                var inConstructor = new ModelLocation(_owner._compilation, _owner.Carriers, stored.Root, _owner.Facts) { Binding = this };
                string? value = form is { } f ? inConstructor.ResolveValue(stored.Value, f) : inConstructor.ResolvePath(stored.Value);
                _depth--;
                return value;
            }

            if (_caller is null)
            {
                return Marker; // detection: the location depends on this parameter
            }

            var argument = _arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.OriginalDefinition, parameter.OriginalDefinition));
            if (argument.Parameter is null)
            {
                argument = _arguments.FirstOrDefault(a => a.Parameter?.Name == parameter.Name); // a partial method's other part
            }

            if (argument.Parameter is null || argument.Value is null || argument.IsDefault)
            {
                var declared = argument.Parameter ?? parameter;
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
