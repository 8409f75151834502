using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace OpenTrainAnalyzers;

/// <summary>
/// Resolves the model location a piece of code passes to a loader, when it is known at compile time: constants,
/// string concatenation and interpolation of constants, Path.Combine / Path.Join of them, and the application's
/// base directory as a prefix (files copied to the output keep their project-relative path). Anything else is
/// unresolved (null): the analyzer then asks for an explicit link instead of guessing.
/// </summary>
internal static class ModelLocation
{
    /// <summary>The resolved path relative to the application (or rooted), or null when it is not static.</summary>
    public static string? Resolve(IOperation? operation)
    {
        var parts = new StringBuilder();
        return Append(operation, parts, depth: 0) ? parts.ToString() : null;
    }

    private static bool Append(IOperation? operation, StringBuilder result, int depth)
    {
        if (operation is null || depth > 16)
        {
            return false;
        }

        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        if (operation!.ConstantValue is { HasValue: true, Value: string constant })
        {
            result.Append(constant);
            return true;
        }

        switch (operation)
        {
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

    private static bool AppendJoined(IInvocationOperation invocation, StringBuilder result, int depth)
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
