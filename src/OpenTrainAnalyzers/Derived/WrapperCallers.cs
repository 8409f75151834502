using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace OpenTrainAnalyzers.Derived;

/// <summary>How a wrapper can be reached, which decides whether the load inside it may stay silent.</summary>
internal readonly struct WrapperReach
{
    public WrapperReach(bool onlyCheckedCalls, string why, Location? where)
    {
        OnlyCheckedCalls = onlyCheckedCalls;
        Why = why;
        Where = where;
    }

    /// <summary>Every way into the wrapper is a direct call that the analyzer checks (and there is at least one).</summary>
    public bool OnlyCheckedCalls { get; }

    /// <summary>Otherwise, why not, for the message: "it is used as a method group", "nothing in this compilation calls it".</summary>
    public string Why { get; }

    /// <summary>The reference that is not a checked call, when there is one.</summary>
    public Location? Where { get; }
}

/// <summary>
/// Decides from bound syntax whether every way a wrapper of this compilation can be reached is a call site that the
/// analyzer checks. The compilation's one text pass (<see cref="NameScan"/>) finds where the wrapper's name is written;
/// each hit must be a name in the syntax and is bound before it counts. A name written in a
/// comment or string, or an unrelated member of the same name, never counts; a method group, a delegate, a call in
/// generated code, virtual dispatch or an interface does, and keeps the load's own finding.
/// </summary>
internal sealed class WrapperCallers
{
    private readonly GeneratedCode _generated;
    private readonly System.Func<SyntaxTree, SemanticModel> _model;
    private readonly System.Func<NameScan> _scan;
    private readonly ConcurrentDictionary<IMethodSymbol, WrapperReach> _reach = new(SymbolEqualityComparer.Default);

    public WrapperCallers(GeneratedCode generated, System.Func<SyntaxTree, SemanticModel> model, System.Func<NameScan> scan)
    {
        _generated = generated;
        _model = model;
        _scan = scan;
    }

    /// <param name="wrapper">The wrapper as declared (<see cref="CallSite.Declared"/>).</param>
    public WrapperReach Of(IMethodSymbol wrapper, CancellationToken cancellationToken) =>
        _reach.GetOrAdd(wrapper, w => Compute(w, cancellationToken));

    private WrapperReach Compute(IMethodSymbol wrapper, CancellationToken cancellationToken)
    {
        var member = wrapper.AssociatedSymbol ?? wrapper;
        if (member.IsAbstract || member.IsVirtual || member.IsOverride)
        {
            return new WrapperReach(false, member.IsOverride ? "it overrides a base member, so calls of the base reach it" : "it is virtual, so a call may reach another implementation", null);
        }

        if (ImplementsInterface(wrapper))
        {
            return new WrapperReach(false, "it implements an interface member, so calls through the interface reach it", null);
        }

        if (wrapper.MethodKind == MethodKind.Constructor && wrapper.Parameters.All(p => p.IsOptional || p.IsParams) && HasDerivedType(wrapper.ContainingType, cancellationToken))
        {
            return new WrapperReach(false, "a derived type can call it implicitly", null);
        }

        string name = wrapper.MethodKind switch
        {
            MethodKind.Constructor => wrapper.ContainingType.Name,
            MethodKind.PropertySet => member.Name,
            _ => wrapper.Name,
        };

        int checkedCalls = 0;
        {
            foreach (var token in NamesWritten(wrapper, name, cancellationToken))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var kind = Classify(wrapper, token, out var at);
                if (kind == ReferenceKind.None)
                {
                    continue;
                }

                if (kind == ReferenceKind.Other)
                {
                    return new WrapperReach(false, "it is referenced other than by a direct call (a method group, a delegate or an increment)", at.GetLocation());
                }

                if (IsGenerated(at, cancellationToken))
                {
                    return new WrapperReach(false, "it is called from generated code, where calls are not checked", at.GetLocation());
                }

                checkedCalls++;
            }
        }

        if (wrapper.MethodKind == MethodKind.Constructor)
        {
            foreach (var (tree, position) in _scan().Nameless)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var token = tree.GetRoot(cancellationToken).FindToken(position);
                if (token.SpanStart != position || token.Parent is not (ImplicitObjectCreationExpressionSyntax or ConstructorInitializerSyntax) || token.Parent is not { } node)
                {
                    continue;
                }

                if (SymbolEqualityComparer.Default.Equals(Bound(node), wrapper))
                {
                    if (IsGenerated(node, cancellationToken))
                    {
                        return new WrapperReach(false, "it is called from generated code, where calls are not checked", node.GetLocation());
                    }

                    checkedCalls++;
                }
            }
        }

        return checkedCalls > 0
            ? new WrapperReach(true, string.Empty, null)
            : new WrapperReach(false, "nothing in this compilation calls it", null);
    }

    private enum ReferenceKind
    {
        /// <summary>Not a reference to the wrapper (another symbol of the same name, a type name, a read of a property).</summary>
        None,

        /// <summary>A direct call, an object creation or a simple assignment to the property: checked where it is written.</summary>
        Call,

        /// <summary>Anything else that reaches it: method group, delegate, compound assignment, increment, an ambiguous binding.</summary>
        Other,
    }

    private ReferenceKind Classify(IMethodSymbol wrapper, SyntaxToken token, out SyntaxNode at)
    {
        var name = (SimpleNameSyntax)token.Parent!;
        at = name;
        if (IsInNameOf(name))
        {
            return ReferenceKind.None; // nameof(Load) names it, it does not call it
        }

        var model = _model(name.SyntaxTree);
        if (wrapper.MethodKind == MethodKind.Constructor)
        {
            // new Name(…), new Namespace.Name(…), class D(…) : Name(…): the constructor the creation binds.
            SyntaxNode type = name.Parent is QualifiedNameSyntax qualified && qualified.Right == name ? qualified
                : name.Parent is AliasQualifiedNameSyntax alias && alias.Name == name ? alias
                : name;
            SyntaxNode? creation = type.Parent switch
            {
                ObjectCreationExpressionSyntax created when created.Type == type => created,
                PrimaryConstructorBaseTypeSyntax primary when primary.Type == type => primary,
                _ => null,
            };
            if (creation is null)
            {
                return ReferenceKind.None;
            }

            at = creation;
            return SymbolEqualityComparer.Default.Equals(Bound(creation), wrapper) ? ReferenceKind.Call : ReferenceKind.None;
        }

        var info = model.GetSymbolInfo(name);
        var symbol = info.Symbol;
        if (symbol is null)
        {
            return info.CandidateSymbols.Any(c => Refers(c, wrapper)) ? ReferenceKind.Other : ReferenceKind.None;
        }

        if (!Refers(symbol, wrapper))
        {
            return ReferenceKind.None;
        }

        SyntaxNode expression = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access
            : name.Parent is MemberBindingExpressionSyntax binding && binding.Name == name ? binding
            : name;
        if (wrapper.MethodKind == MethodKind.PropertySet)
        {
            // Reads do not reach the setter; a simple assignment is a checked call; any other write is not.
            switch (model.GetOperation(expression)?.Parent)
            {
                case ISimpleAssignmentOperation assignment when assignment.Target.Syntax == expression:
                    at = assignment.Syntax;
                    return ReferenceKind.Call;
                case IAssignmentOperation assignment when assignment.Target.Syntax == expression:
                case IIncrementOrDecrementOperation:
                case ITupleOperation:
                case IArgumentOperation:
                    return ReferenceKind.Other;
                default:
                    return ReferenceKind.None;
            }
        }

        if (expression.Parent is InvocationExpressionSyntax invocation && invocation.Expression == expression)
        {
            at = invocation;
            return ReferenceKind.Call;
        }

        return ReferenceKind.Other;
    }

    private static bool Refers(ISymbol symbol, IMethodSymbol wrapper) => symbol switch
    {
        IMethodSymbol method => SymbolEqualityComparer.Default.Equals(CallSite.Declared(method), wrapper),
        IPropertySymbol property when property.SetMethod is { } setter => SymbolEqualityComparer.Default.Equals(CallSite.Declared(setter), wrapper),
        _ => false,
    };

    private IMethodSymbol? Bound(SyntaxNode node) =>
        _model(node.SyntaxTree).GetSymbolInfo(node).Symbol is IMethodSymbol method ? CallSite.Declared(method) : null;

    private static bool IsInNameOf(SyntaxNode node)
    {
        for (var current = node.Parent; current is not null and not StatementSyntax and not MemberDeclarationSyntax; current = current.Parent)
        {
            if (current is InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } })
            {
                return true;
            }
        }

        return false;
    }

    private bool IsGenerated(SyntaxNode node, CancellationToken cancellationToken) =>
        _generated.IsGenerated(node.SyntaxTree, _model(node.SyntaxTree).GetEnclosingSymbol(node.SpanStart, cancellationToken), cancellationToken);

    private static bool ImplementsInterface(IMethodSymbol method)
    {
        if (method.ExplicitInterfaceImplementations.Length > 0)
        {
            return true;
        }

        if (method.ContainingType is not { } type || method.MethodKind == MethodKind.LocalFunction)
        {
            return false;
        }

        foreach (var @interface in type.AllInterfaces)
        {
            foreach (var member in @interface.GetMembers())
            {
                var implementation = type.FindImplementationForInterfaceMember(member);
                if (implementation is null)
                {
                    continue;
                }

                if (SymbolEqualityComparer.Default.Equals(implementation.OriginalDefinition, method.OriginalDefinition)
                    || (implementation is IPropertySymbol property && SymbolEqualityComparer.Default.Equals(property.SetMethod?.OriginalDefinition, method.OriginalDefinition)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool HasDerivedType(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (var token in Identifiers(_scan().Hits(type.Name), cancellationToken))
        {
            var name = token.Parent!;
            var typeSyntax = name.Parent is QualifiedNameSyntax qualified && qualified.Right == name ? qualified : name;
            if (typeSyntax.Parent is BaseTypeSyntax && SymbolEqualityComparer.Default.Equals(_model(name.SyntaxTree).GetSymbolInfo(typeSyntax, cancellationToken).Symbol?.OriginalDefinition, type))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Where the wrapper's name is written as a simple name: the text pass's hits for members; for a local function, the
    /// names inside the member that declares it (nothing outside can call it).
    /// </summary>
    private IEnumerable<SyntaxToken> NamesWritten(IMethodSymbol wrapper, string name, CancellationToken cancellationToken)
    {
        if (wrapper.MethodKind != MethodKind.LocalFunction)
        {
            return Identifiers(_scan().Hits(name), cancellationToken);
        }

        var declaration = wrapper.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
        var scope = declaration?.FirstAncestorOrSelf<SyntaxNode>(n => n is MemberDeclarationSyntax and not GlobalStatementSyntax or CompilationUnitSyntax);
        return scope is null
            ? Enumerable.Empty<SyntaxToken>()
            : scope.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken) && t.Parent is SimpleNameSyntax && t.ValueText == name);
    }

    private static IEnumerable<SyntaxToken> Identifiers(IReadOnlyList<(SyntaxTree Tree, int Position)> hits, CancellationToken cancellationToken)
    {
        foreach (var (tree, position) in hits)
        {
            var token = tree.GetRoot(cancellationToken).FindToken(position);
            if (token.SpanStart == position && token.IsKind(SyntaxKind.IdentifierToken) && token.Parent is SimpleNameSyntax)
            {
                yield return token; // a hit in a comment or string is trivia or a literal, not a name
            }
        }
    }
}
