using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using OpenTrainAnalyzers.Catalog;

namespace OpenTrainAnalyzers;

/// <summary>The outcome of resolving one location argument.</summary>
internal enum LocationStatus
{
    /// <summary>The argument is omitted with a null/empty default, or is a null/empty constant: nothing is loaded from it.</summary>
    NotSupplied,

    /// <summary>The location is known at compile time.</summary>
    Resolved,

    /// <summary>The location is computed at run time (or in a form the analyzer does not follow).</summary>
    Unresolved,
}

/// <summary>
/// What a derived loader's parameters (and the readonly members its constructor assigns from them) hold at one call
/// site: the caller's values, resolved in the caller's context (DerivedLoaders). Null means not known at compile time.
/// </summary>
internal interface ILocationBinding
{
    /// <summary>The path text of <paramref name="symbol"/>, or null; only asked for symbols <see cref="Binds"/> accepts.</summary>
    string? Text(ISymbol symbol);

    /// <summary>The location of <paramref name="symbol"/> in a non-text form (bytes, stream of a file): its path, or null.</summary>
    string? Value(ISymbol symbol, LocationForm form);

    /// <summary>Whether the binding covers this parameter, field or property (those of the derived loader and its type).</summary>
    bool Binds(ISymbol symbol);
}

/// <summary>
/// Resolves the model location a piece of code passes to a loader, when it is known at compile time: constants,
/// string concatenation and interpolation of constants, Path.Combine / Path.Join of them, and the application's
/// base directory as a prefix (files copied to the output keep their project-relative path); locals assigned
/// exactly once in the method; static readonly fields initialised with such an expression; default parameter
/// values; bytes/streams/readers of File.ReadAllBytes / File.OpenRead / new FileStream(…) of such a path; and
/// options objects created in the same method whose carrier (constructor argument, property or field) holds it.
/// Anything else is unresolved: the analyzer then asks for an explicit link instead of guessing.
/// </summary>
internal sealed class ModelLocation
{
    private const int MaxDepth = 16;

    private readonly Compilation _compilation;
    private readonly IReadOnlyDictionary<ISymbol, LoaderEntry> _carriers;
    private readonly IOperation _root;
    private readonly BodyFacts _facts;
    private LocationForm _carrierForm;

    /// <summary>Parameters of a derived loader (and the members its constructor assigns), bound to a call site's arguments.</summary>
    public ILocationBinding? Binding { get; set; }

    public ModelLocation(Compilation compilation, IReadOnlyDictionary<ISymbol, LoaderEntry> carriers, IOperation site, BodyFacts? facts = null)
    {
        _compilation = compilation;
        _carriers = carriers;
        _facts = facts ?? new BodyFacts();
        var root = site;
        while (root.Parent is not null)
        {
            root = root.Parent;
        }

        _root = root;
    }

    /// <summary>Resolves a location argument; <paramref name="path"/> is set when the result is Resolved.</summary>
    public LocationStatus Resolve(IArgumentOperation? argument, LocationForm form, out string? path) => Resolve(argument, form, out path, out _);

    /// <summary>As above; <paramref name="resolvedForm"/> is the carrier's form when an options object holds the location.</summary>
    public LocationStatus Resolve(IArgumentOperation? argument, LocationForm form, out string? path, out LocationForm resolvedForm) =>
        Resolve(argument?.Value, form, out path, out resolvedForm);

    /// <summary>As above, for the value a call passes (an argument's, or the value assigned to a property).</summary>
    public LocationStatus Resolve(IOperation? value, LocationForm form, out string? path, out LocationForm resolvedForm)
    {
        path = null;
        resolvedForm = form;
        if (value is null || IsNothing(value))
        {
            return LocationStatus.NotSupplied;
        }

        _carrierForm = LocationForm.Path;
        path = ResolveValue(value, form, 0);
        if (form == LocationForm.Options)
        {
            resolvedForm = _carrierForm;
        }

        return path is null ? LocationStatus.Unresolved : LocationStatus.Resolved;
    }

    /// <summary>The location a value holds in the given form (a path for text, the file read for bytes and streams), or null.</summary>
    public string? ResolveValue(IOperation? operation, LocationForm form) => ResolveValue(operation, form, 0);

    /// <summary>The symbol a value reads when a binding covers it: a parameter, or an instance member assigned by the constructor.</summary>
    private ISymbol? Bound(IOperation value)
    {
        if (Binding is null)
        {
            return null;
        }

        ISymbol? symbol = value switch
        {
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFieldReferenceOperation { Instance: IInstanceReferenceOperation } field => field.Field,
            IPropertyReferenceOperation { Instance: IInstanceReferenceOperation } property => property.Property,
            _ => null,
        };
        return symbol is not null && Binding.Binds(symbol) ? symbol : null;
    }

    /// <summary>The application-relative path (or rooted) of a string expression, or null when it is not static.</summary>
    public string? ResolvePath(IOperation? operation)
    {
        var parts = new StringBuilder();
        return Append(operation, parts, 0) ? parts.ToString() : null;
    }

    private static IOperation Unwrap(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }

    /// <summary>null, "", default: the optional model argument is not used.</summary>
    private static bool IsNothing(IOperation value)
    {
        if (value.ConstantValue is { HasValue: true, Value: null or "" })
        {
            return true;
        }

        var unwrapped = Unwrap(value);
        return unwrapped is IDefaultValueOperation
            || unwrapped.ConstantValue is { HasValue: true, Value: null or "" };
    }

    private string? ResolveValue(IOperation? operation, LocationForm form, int depth)
    {
        if (operation is null || depth > MaxDepth)
        {
            return null;
        }

        var value = Unwrap(operation);
        if (Bound(value) is { } bound)
        {
            return value.Type?.SpecialType == SpecialType.System_String ? Binding!.Text(bound) : Binding!.Value(bound, form);
        }

        switch (value)
        {
            case ILocalReferenceOperation local when form != LocationForm.Options:
                return ResolveValue(SingleAssignedValue(local.Local), form, depth + 1);
            case IFieldReferenceOperation field when field.ConstantValue is not { HasValue: true } && StaticReadonlyInitializer(field.Field) is { } initializer:
                return ResolveValue(initializer, form, depth + 1);
            case IInvocationOperation invocation when FileReadPath(invocation.TargetMethod) is { } index && invocation.Arguments.Length > index:
                return ResolvePath(ArgumentFor(invocation.Arguments, invocation.TargetMethod.Parameters[index]));
            case IAwaitOperation awaited:
                return ResolveValue(awaited.Operation, form, depth + 1); // await File.ReadAllBytesAsync(path)
            case IInvocationOperation invocation when IsBufferView(invocation.TargetMethod) && invocation.Arguments.Length > 0:
                return ResolveValue(invocation.Arguments[0].Value, form, depth + 1); // bytes.AsMemory(), bytes.AsSpan()
            case IObjectCreationOperation { Constructor: { } memory } creation when IsMemoryOfBytes(memory.ContainingType) && creation.Arguments.Length > 0
                && memory.Parameters[0].Type is IArrayTypeSymbol:
                return ResolveValue(creation.Arguments[0].Value, form, depth + 1); // new Memory<byte>(bytes)
            case IObjectCreationOperation creation when creation.Constructor is { } constructor && StreamOverFile(constructor) is { } wrapped:
                var inner = ArgumentFor(creation.Arguments, constructor.Parameters[0]);
                return wrapped ? ResolveValue(inner, LocationForm.Path, depth + 1) : ResolvePath(inner);
        }

        if (form == LocationForm.Options)
        {
            return ResolveOptions(value, depth);
        }

        // Text forms: the argument itself is the path. Bytes, streams and model text resolve only through a file read.
        return form != LocationForm.Content && value.Type?.SpecialType == SpecialType.System_String ? ResolvePath(value) : null;
    }

    private static IOperation? ArgumentFor(System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments, IParameterSymbol parameter)
    {
        foreach (var argument in arguments)
        {
            if (SymbolEqualityComparer.Default.Equals(argument.Parameter?.OriginalDefinition, parameter.OriginalDefinition))
            {
                return argument.Value;
            }
        }

        return null;
    }

    /// <summary>File.ReadAllBytes(path), File.OpenRead(path), …: the index of the path parameter, or null.</summary>
    private static int? FileReadPath(IMethodSymbol method)
    {
        if (method.ContainingType is not { Name: "File", ContainingNamespace: { Name: "IO", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } }
            || method.Parameters.Length == 0
            || method.Parameters[0].Type.SpecialType != SpecialType.System_String)
        {
            return null;
        }

        return method.Name is "ReadAllBytes" or "ReadAllText" or "OpenRead" or "OpenText" or "Open" or "ReadAllLines" or "ReadAllBytesAsync" or "ReadAllTextAsync" ? 0 : null;
    }

    /// <summary>Memory&lt;byte&gt;, ReadOnlyMemory&lt;byte&gt;, Span&lt;byte&gt;, ReadOnlySpan&lt;byte&gt;.</summary>
    private static bool IsMemoryOfBytes(INamedTypeSymbol type) =>
        type is { Name: "Memory" or "ReadOnlyMemory" or "Span" or "ReadOnlySpan", Arity: 1, ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } }
        && type.TypeArguments[0].SpecialType == SpecialType.System_Byte;

    /// <summary>MemoryExtensions.AsMemory / AsSpan over a whole array: the same bytes.</summary>
    private static bool IsBufferView(IMethodSymbol method) =>
        method.Name is "AsMemory" or "AsSpan"
        && method.Parameters.Length == 1
        && method.Parameters[0].Type is IArrayTypeSymbol
        && method.ContainingType is { Name: "MemoryExtensions", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };

    /// <summary>
    /// new FileStream(path, …) / new StreamReader(path) read the file at a path (false); new BinaryReader(stream),
    /// new MemoryStream(bytes), new StreamReader(stream) wrap another location (true); anything else null.
    /// </summary>
    private static bool? StreamOverFile(IMethodSymbol constructor)
    {
        if (constructor.ContainingType is not { ContainingNamespace: { Name: "IO", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } type
            || constructor.Parameters.Length == 0)
        {
            return null;
        }

        var first = constructor.Parameters[0].Type;
        return type.Name switch
        {
            "FileStream" or "StreamReader" when first.SpecialType == SpecialType.System_String => false,
            "BinaryReader" or "StreamReader" or "BufferedStream" when first.Name == "Stream" => true,
            "MemoryStream" when first is IArrayTypeSymbol => true,
            _ => null,
        };
    }

    /// <summary>An options object created in this method: the value its carrier holds when the load runs.</summary>
    private string? ResolveOptions(IOperation value, int depth)
    {
        ILocalSymbol? local = null;
        if (value is ILocalReferenceOperation reference)
        {
            local = reference.Local;
            value = SingleAssignedValue(local) is { } assigned ? Unwrap(assigned) : value;
        }

        if (value is not IObjectCreationOperation creation)
        {
            return null;
        }

        IOperation? carried = null;
        if (creation.Constructor is { } constructor && _carriers.TryGetValue(constructor.OriginalDefinition, out var carrierConstructor))
        {
            var parameter = carrierConstructor.LocationParameters.FirstOrDefault();
            _carrierForm = parameter?.Form ?? LocationForm.Path;
            var argument = parameter is null ? null : creation.Arguments.FirstOrDefault(a => a.Parameter?.Name == parameter.Name);
            carried = argument?.Value;
        }

        if (creation.Initializer is { } initializer)
        {
            foreach (var member in initializer.Initializers)
            {
                if (member is ISimpleAssignmentOperation { Target: IMemberReferenceOperation target } assignment && IsCarrier(target.Member))
                {
                    carried = assignment.Value; // the initializer runs after the constructor
                    _carrierForm = LocationForm.Path;
                }
            }
        }

        if (local is not null)
        {
            // Writes through the local after creation (options.ModelFile = "…"): one write and nothing else is a value;
            // anything more depends on the order of execution, which the analyzer does not guess.
            var writes = _facts.Of(_root).MemberWritesThrough(local).Where(a => IsCarrier(((IMemberReferenceOperation)a.Target).Member)).ToList();
            if (writes.Count > 0)
            {
                if (writes.Count > 1 || carried is not null || writes[0] is not ISimpleAssignmentOperation single)
                {
                    return null;
                }

                carried = single.Value;
            }
        }

        return carried is null ? null : ResolveValue(carried, LocationForm.Path, depth + 1);
    }

    private bool IsCarrier(ISymbol member) => CarrierMembers.IsCarrier(_carriers, member);

    /// <summary>The one value a local receives in this method (its initializer or a single assignment), or null.</summary>
    /// <remarks>From one map of the body's writes, built once per body however many locals and loads ask.</remarks>
    private IOperation? SingleAssignedValue(ILocalSymbol local) => local.RefKind != RefKind.None ? null : _facts.Of(_root).SingleValue(local);

    /// <summary>The initializer of a static readonly source field that nothing else assigns, or null.</summary>
    private IOperation? StaticReadonlyInitializer(IFieldSymbol field)
    {
        if (!field.IsStatic || !field.IsReadOnly || field.IsConst
            || field.DeclaringSyntaxReferences.Length != 1
            || field.ContainingType.StaticConstructors.Any(c => AssignsInBody(c, field.Name)))
        {
            return null; // a static constructor assigns it too
        }

        if (field.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax { Initializer.Value: { } expression })
        {
            return null;
        }

        var model = _root.SemanticModel is { } current && current.SyntaxTree == expression.SyntaxTree
            ? current
#pragma warning disable RS1030 // Only on a load site's path, for a field declared in another file; never on the hot path.
            : _compilation.GetSemanticModel(expression.SyntaxTree);
#pragma warning restore RS1030
        return model.GetOperation(expression);
    }

    /// <summary>Does a (static) constructor assign, or pass by ref/out, a member named <paramref name="name"/>?</summary>
    private static bool AssignsInBody(IMethodSymbol constructor, string name)
    {
        foreach (var reference in constructor.DeclaringSyntaxReferences)
        {
            foreach (var node in reference.GetSyntax().DescendantNodes())
            {
                var target = node switch
                {
                    AssignmentExpressionSyntax assignment => assignment.Left,
                    ArgumentSyntax { RefKindKeyword.RawKind: not 0 } argument => argument.Expression,
                    PrefixUnaryExpressionSyntax prefix => prefix.Operand,
                    PostfixUnaryExpressionSyntax postfix => postfix.Operand,
                    _ => null,
                };
                var simple = target is MemberAccessExpressionSyntax access ? access.Name : target as SimpleNameSyntax;
                if (simple?.Identifier.ValueText == name)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool Append(IOperation? operation, StringBuilder result, int depth)
    {
        if (operation is null || depth > MaxDepth)
        {
            return false;
        }

        operation = Unwrap(operation);
        if (operation.ConstantValue is { HasValue: true, Value: string constant })
        {
            result.Append(constant);
            return true;
        }

        if (Bound(operation) is { } bound)
        {
            if (Binding!.Text(bound) is not { } text)
            {
                return false;
            }

            result.Append(text);
            return true;
        }

        switch (operation)
        {
            case ILocalReferenceOperation local:
                return Append(SingleAssignedValue(local.Local), result, depth + 1);
            case IFieldReferenceOperation field when StaticReadonlyInitializer(field.Field) is { } initializer:
                return Append(initializer, result, depth + 1);
            case IPropertyReferenceOperation property when IsBaseDirectory(property.Property):
                return true; // the application's directory: paths below it are project-relative
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } binary when binary.Type?.SpecialType == SpecialType.System_String:
                return Append(binary.LeftOperand, result, depth + 1) && Append(binary.RightOperand, result, depth + 1);
            case IInterpolatedStringOperation interpolated:
                foreach (var part in interpolated.Parts)
                {
                    bool ok = part switch
                    {
                        IInterpolatedStringTextOperation text => Append(text.Text, result, depth + 1),
                        IInterpolationOperation { Alignment: null, FormatString: null } hole => Append(hole.Expression, result, depth + 1),
                        _ => false,
                    };
                    if (!ok)
                    {
                        return false;
                    }
                }

                return true;
            case IInvocationOperation invocation when IsPathJoin(invocation.TargetMethod):
                return AppendJoined(invocation, result, depth);
            default:
                return false;
        }
    }

    private bool AppendJoined(IInvocationOperation invocation, StringBuilder result, int depth)
    {
        var segments = new List<string>();
        foreach (var argument in invocation.Arguments)
        {
            var values = argument.ArgumentKind == ArgumentKind.ParamArray && argument.Value is IArrayCreationOperation { Initializer: { } initializer }
                ? (IEnumerable<IOperation>)initializer.ElementValues
                : new[] { argument.Value };
            foreach (var value in values)
            {
                var segment = new StringBuilder();
                if (!Append(value, segment, depth + 1))
                {
                    return false;
                }

                string text = segment.ToString();
                if (invocation.TargetMethod.Name == "Combine" && (text.StartsWith("/") || (text.Length > 1 && text[1] == ':')))
                {
                    segments.Clear(); // Path.Combine restarts at a rooted segment
                }

                if (text.Length > 0)
                {
                    segments.Add(text.TrimEnd('/', '\\'));
                }
            }
        }

        result.Append(string.Join("/", segments));
        return true;
    }

    private static bool IsBaseDirectory(IPropertySymbol property) =>
        property.Name == "BaseDirectory"
        && property.ContainingType is { Name: "AppContext" or "AppDomain", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };

    private static bool IsPathJoin(IMethodSymbol method) =>
        method.Name is "Combine" or "Join"
        && method.ContainingType is { Name: "Path", ContainingNamespace: { Name: "IO", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } }
        && method.Parameters.Length > 0
        && (method.Parameters[0].Type.SpecialType == SpecialType.System_String || method.Parameters[0].Type is IArrayTypeSymbol);
}

/// <summary>
/// What one method body writes, from a single walk: the value each local receives (when it receives exactly one) and
/// the member writes made through each local (options.ModelPath = …). Kept per body while the body's operation tree is
/// alive (weakly), one table per compilation: a body with thousands of loads is walked once, not once per local.
/// </summary>
internal sealed class BodyFacts
{
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<IOperation, Facts> _bodies = new();

    public Facts Of(IOperation root) => _bodies.GetValue(root, r => new Facts(r));

    /// <summary>Whether an operation writes the variable <paramref name="reference"/> names (assignment, ref/out, ++, deconstruction).</summary>
    public static bool IsWrite(IOperation reference) => reference switch
    {
        ILocalReferenceOperation { IsDeclaration: true } => true,
        _ => reference.Parent switch
        {
            IAssignmentOperation assignment => assignment.Target == reference,
            IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } => true,
            IIncrementOrDecrementOperation or IDeclarationExpressionOperation or ITupleOperation or IAddressOfOperation => true,
            _ => reference.Syntax.Parent is RefExpressionSyntax, // ref aliases: ref locals, ref returns
        },
    };

    internal sealed class Facts
    {
        private readonly Dictionary<ILocalSymbol, (int Writes, IOperation? Value)> _locals = new(SymbolEqualityComparer.Default);
        private readonly Dictionary<ILocalSymbol, List<IAssignmentOperation>> _memberWrites = new(SymbolEqualityComparer.Default);

        public Facts(IOperation root)
        {
            foreach (var operation in root.Descendants())
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation { Initializer: { } initializer } declarator:
                        Count(declarator.Symbol, initializer.Value);
                        break;
                    case ILocalReferenceOperation reference when IsWrite(reference):
                        Count(reference.Local, reference.Parent is ISimpleAssignmentOperation assignment && assignment.Target == reference ? assignment.Value : null);
                        break;
                    case IAssignmentOperation { Target: IMemberReferenceOperation { Instance: ILocalReferenceOperation owner } } write:
                        if (!_memberWrites.TryGetValue(owner.Local, out var list))
                        {
                            _memberWrites[owner.Local] = list = new List<IAssignmentOperation>();
                        }

                        list.Add(write);
                        break;
                }
            }
        }

        public IOperation? SingleValue(ILocalSymbol local) => _locals.TryGetValue(local, out var entry) && entry.Writes == 1 ? entry.Value : null;

        public IReadOnlyList<IAssignmentOperation> MemberWritesThrough(ILocalSymbol local) =>
            _memberWrites.TryGetValue(local, out var list) ? list : (IReadOnlyList<IAssignmentOperation>)System.Array.Empty<IAssignmentOperation>();

        private void Count(ILocalSymbol local, IOperation? value)
        {
            _locals[local] = _locals.TryGetValue(local, out var entry) ? (entry.Writes + 1, null) : (1, value);
        }
    }
}

/// <summary>Catalogued carriers, and the members of the project's own types that implement or override one.</summary>
internal static class CarrierMembers
{
    public static bool IsCarrier(IReadOnlyDictionary<ISymbol, LoaderEntry> carriers, ISymbol member)
    {
        if (carriers.ContainsKey(member.OriginalDefinition))
        {
            return true;
        }

        if (member is not IPropertySymbol property)
        {
            return false;
        }

        // ModelOptions : ILLamaParams { public string ModelPath { get; set; } } fills IModelParams.ModelPath.
        for (var overridden = property.OverriddenProperty; overridden is not null; overridden = overridden.OverriddenProperty)
        {
            if (carriers.ContainsKey(overridden.OriginalDefinition))
            {
                return true;
            }
        }

        foreach (var implemented in property.ExplicitInterfaceImplementations)
        {
            if (carriers.ContainsKey(implemented.OriginalDefinition))
            {
                return true;
            }
        }

        foreach (var carrier in carriers.Keys)
        {
            if (carrier is IPropertySymbol { ContainingType.TypeKind: TypeKind.Interface } declared
                && property.ContainingType.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, declared.ContainingType))
                && SymbolEqualityComparer.Default.Equals(property.ContainingType.FindImplementationForInterfaceMember(declared)?.OriginalDefinition, property.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }
}
