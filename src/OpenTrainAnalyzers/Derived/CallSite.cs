using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace OpenTrainAnalyzers.Derived;

/// <summary>What one argument of a call gives a parameter: its value, or the parameter's default.</summary>
internal readonly struct CallArgument
{
    public CallArgument(IParameterSymbol? parameter, IOperation? value, bool isDefault)
    {
        Parameter = parameter;
        Value = value;
        IsDefault = isDefault;
    }

    public IParameterSymbol? Parameter { get; }

    public IOperation? Value { get; }

    public bool IsDefault { get; }

    /// <summary>Written while the code is still being typed: the compiler reports it, a guess here would be noise.</summary>
    public bool IsBroken => !IsDefault && Value?.Syntax.ContainsDiagnostics == true;
}

/// <summary>
/// A call of a method the analyzer can check where it is written: an invocation (also a <c>base(…)</c>/<c>this(…)</c>
/// initializer), an object creation (also target-typed <c>new(…)</c>), or a simple assignment to a property (its setter).
/// </summary>
internal readonly struct CallSite
{
    private CallSite(IOperation operation, IMethodSymbol target, ImmutableArray<CallArgument> arguments)
    {
        Operation = operation;
        Target = target;
        Arguments = arguments;
    }

    public IOperation Operation { get; }

    /// <summary>The called method as declared (original definition; a partial method's defining part).</summary>
    public IMethodSymbol Target { get; }

    public ImmutableArray<CallArgument> Arguments { get; }

    /// <summary>The method as called, for catalog lookups (a reduced extension method's static form).</summary>
    public static IMethodSymbol Declared(IMethodSymbol method)
    {
        var definition = (method.ReducedFrom ?? method).OriginalDefinition;
        return definition.PartialDefinitionPart ?? definition;
    }

    public static bool TryGet(IOperation operation, out CallSite call)
    {
        switch (operation)
        {
            case IInvocationOperation invocation:
                call = new CallSite(operation, Declared(invocation.TargetMethod), From(invocation.Arguments));
                return true;
            case IObjectCreationOperation { Constructor: { } constructor } creation:
                call = new CallSite(operation, Declared(constructor), From(creation.Arguments));
                return true;
            case ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.SetMethod: { } setter, Arguments.IsEmpty: true } } assignment:
                call = new CallSite(operation, Declared(setter), ImmutableArray.Create(new CallArgument(setter.Parameters[0], assignment.Value, false)));
                return true;
            default:
                call = default;
                return false;
        }
    }

    private static ImmutableArray<CallArgument> From(ImmutableArray<IArgumentOperation> arguments)
    {
        var builder = ImmutableArray.CreateBuilder<CallArgument>(arguments.Length);
        foreach (var argument in arguments)
        {
            builder.Add(new CallArgument(argument.Parameter, argument.Value, argument.ArgumentKind == ArgumentKind.DefaultValue));
        }

        return builder.MoveToImmutable();
    }
}
