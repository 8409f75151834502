using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using OpenTrainAnalyzers.Catalog;

namespace OpenTrainAnalyzers;

/// <summary>
/// Finds code that loads model weights (the loader catalog) and checks that each load is linked to a
/// training-lineage manifest: by a [ModelLineage] attribute on the member, type or assembly, or by a manifest in
/// AdditionalFiles that lists the loaded file.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModelLoadAnalyzer : DiagnosticAnalyzer
{
    internal const string AttributeMetadataName = "OpenTrain.Annotations.ModelLineageAttribute";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Rules.All;

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();

        // Generated code is not analyzed: nobody can add an attribute to it, and its loads are reported where
        // the user's code calls into it.
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(OnCompilationStart);
    }

    private static void OnCompilationStart(CompilationStartAnalysisContext context)
    {
        var loaders = LoaderCatalog.Resolve(context.Compilation);
        if (loaders.Count == 0)
        {
            return; // pay for play: no model library referenced, nothing registered
        }

        context.Options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue("build_property.projectdir", out string? projectDirectory);
        var state = new CompilationState(
            loaders,
            context.Compilation.GetTypeByMetadataName(AttributeMetadataName),
            new ManifestIndex(context.Options, string.IsNullOrWhiteSpace(projectDirectory) ? null : projectDirectory, context.CancellationToken));

        context.RegisterOperationAction(state.AnalyzeObjectCreation, OperationKind.ObjectCreation);
        context.RegisterOperationAction(state.AnalyzeInvocation, OperationKind.Invocation);
        if (state.AttributeType is not null)
        {
            context.RegisterSyntaxNodeAction(state.AnalyzeAttribute, SyntaxKind.Attribute);
        }
    }

    private sealed class CompilationState
    {
        private readonly Dictionary<IMethodSymbol, LoaderEntry> _loaders;
        private readonly ManifestIndex _manifests;

        public CompilationState(Dictionary<IMethodSymbol, LoaderEntry> loaders, INamedTypeSymbol? attributeType, ManifestIndex manifests)
        {
            _loaders = loaders;
            AttributeType = attributeType;
            _manifests = manifests;
        }

        public INamedTypeSymbol? AttributeType { get; }

        public void AnalyzeObjectCreation(OperationAnalysisContext context)
        {
            var creation = (IObjectCreationOperation)context.Operation;
            if (creation.Constructor is { } constructor && _loaders.TryGetValue(constructor.OriginalDefinition, out var entry))
            {
                AnalyzeLoad(context, constructor, creation.Arguments, entry);
            }
        }

        public void AnalyzeInvocation(OperationAnalysisContext context)
        {
            var invocation = (IInvocationOperation)context.Operation;
            var method = invocation.TargetMethod.ReducedFrom ?? invocation.TargetMethod;
            if (_loaders.TryGetValue(method.OriginalDefinition, out var entry))
            {
                AnalyzeLoad(context, method, invocation.Arguments, entry);
            }
        }

        /// <summary>OTA0002: an attribute that names a manifest the compiler cannot see.</summary>
        public void AnalyzeAttribute(SyntaxNodeAnalysisContext context)
        {
            var attribute = (AttributeSyntax)context.Node;
            string name = attribute.Name is QualifiedNameSyntax qualified ? qualified.Right.Identifier.ValueText
                : attribute.Name is IdentifierNameSyntax identifier ? identifier.Identifier.ValueText
                : attribute.Name is AliasQualifiedNameSyntax alias ? alias.Name.Identifier.ValueText
                : string.Empty;
            if (name is not ("ModelLineage" or "ModelLineageAttribute") || attribute.ArgumentList?.Arguments.Count is not > 0)
            {
                return; // cheap syntactic filter before binding
            }

            if (context.SemanticModel.GetSymbolInfo(attribute, context.CancellationToken).Symbol is not IMethodSymbol constructor
                || !SymbolEqualityComparer.Default.Equals(constructor.ContainingType, AttributeType))
            {
                return;
            }

            var argument = attribute.ArgumentList.Arguments[0].Expression;
            if (context.SemanticModel.GetConstantValue(argument, context.CancellationToken).Value is string path && _manifests.Find(path) is null)
            {
                context.ReportDiagnostic(Diagnostic.Create(Rules.ManifestNotInAdditionalFiles, argument.GetLocation(), path));
            }
        }

        private void AnalyzeLoad(OperationAnalysisContext context, IMethodSymbol loader, ImmutableArray<IArgumentOperation> arguments, LoaderEntry entry)
        {
            string loaderName = loader.MethodKind == MethodKind.Constructor
                ? "new " + loader.ContainingType.Name
                : loader.ContainingType.Name + "." + loader.Name;
            var locationArgument = arguments.FirstOrDefault(a => a.Parameter?.Name == entry.LocationParameter);
            if (locationArgument?.Syntax.ContainsDiagnostics == true)
            {
                return; // still being typed: the compiler reports the syntax error, a guess here would only be noise
            }

            string? path = ModelLocation.Resolve(locationArgument?.Value);

            var linkedPaths = LinkedManifestPaths(context.ContainingSymbol, context.Compilation);
            if (linkedPaths.Count > 0)
            {
                var linked = linkedPaths.Select(_manifests.Find).Where(m => m is not null).ToList();
                if (linked.Count == 0 || path is null)
                {
                    return; // a missing manifest is reported at the attribute (OTA0002); a dynamic path is linked by the attribute
                }

                // An attribute states a link; a manifest that lists the exact file is a link too (an assembly-wide
                // attribute must not turn loads that another manifest documents into OTA0003).
                if (!linked.Any(m => m!.Declares(path, _manifests.ProjectDirectory))
                    && !_manifests.Manifests.Any(m => m.Declares(path, _manifests.ProjectDirectory)))
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        Rules.LoadNotListedInManifest,
                        locationArgument!.Syntax.GetLocation(),
                        path,
                        string.Join("', '", linkedPaths)));
                }

                return;
            }

            if (path is null)
            {
                context.ReportDiagnostic(Diagnostic.Create(Rules.LocationNotStatic, context.Operation.Syntax.GetLocation(), loaderName));
                return;
            }

            if (!_manifests.Manifests.Any(m => m.Declares(path, _manifests.ProjectDirectory)))
            {
                context.ReportDiagnostic(Diagnostic.Create(Rules.UnlinkedModelLoad, context.Operation.Syntax.GetLocation(), loaderName, path));
            }
        }

        /// <summary>Manifest paths named by [ModelLineage] on the enclosing members, types, module and assembly.</summary>
        private List<string> LinkedManifestPaths(ISymbol? symbol, Compilation compilation)
        {
            var paths = new List<string>();
            if (AttributeType is null)
            {
                return paths;
            }

            for (var current = symbol; current is not null and not INamespaceSymbol; current = current.ContainingSymbol)
            {
                Collect(current.GetAttributes(), paths);
                if (current is IMethodSymbol { AssociatedSymbol: { } property })
                {
                    Collect(property.GetAttributes(), paths); // accessors inherit their property's link
                }
            }

            Collect(compilation.Assembly.GetAttributes(), paths);
            Collect(compilation.SourceModule.GetAttributes(), paths);
            return paths;
        }

        private void Collect(ImmutableArray<AttributeData> attributes, List<string> paths)
        {
            foreach (var attribute in attributes)
            {
                if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, AttributeType)
                    && attribute.ConstructorArguments.Length == 1
                    && attribute.ConstructorArguments[0].Value is string path)
                {
                    paths.Add(path);
                }
            }
        }
    }
}
