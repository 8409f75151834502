using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using OpenTrain.Lineage;
using OpenTrainAnalyzers.Catalog;
using OpenTrainAnalyzers.Derived;

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

        // Generated files are skipped by the actions themselves (context.IsGeneratedCode): nobody can add an
        // attribute there. Asking the driver to do it instead (GeneratedCodeAnalysisFlags.None) makes it walk each
        // tree again on the first diagnostic it reports — a third of our time on code full of loads
        // (docs/benchmarks.md).
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
        context.RegisterCompilationStartAction(OnCompilationStart);
    }

    private static void OnCompilationStart(CompilationStartAnalysisContext context)
    {
        var catalog = LoaderCatalog.Resolve(context.Compilation);
        var declared = DeclaredLoaders.Read(context.Options, context.Compilation, context.CancellationToken);
        catalog.AddDeclared(declared.Loads);
        if (!declared.Problems.IsEmpty)
        {
            context.RegisterCompilationEndAction(declared.ReportProblems); // OTA0008, located in OpenTrainLoaders.txt
        }

        if (catalog.IsEmpty)
        {
            return; // pay for play: no model library referenced and no loader declared, nothing (else) registered
        }

        var globalOptions = context.Options.AnalyzerConfigOptionsProvider.GlobalOptions;
        globalOptions.TryGetValue("build_property.projectdir", out string? projectDirectory);
        globalOptions.TryGetValue("build_property.OpenTrainRequiredLevel", out string? levelText);
        var state = new CompilationState(
            context.Compilation,
            catalog,
            context.Compilation.GetTypeByMetadataName(AttributeMetadataName),
            new ManifestIndex(
                context.Options,
                string.IsNullOrWhiteSpace(projectDirectory) ? null : projectDirectory,
                text => context.TryGetValue(text, ManifestIndex.Parser, out var parsed) ? parsed : new ParsedManifest(ManifestIndex.Parse(text)),
                context.CancellationToken),
            OpenTrain.Lineage.LineageLevels.TryParse(levelText, out var level) ? level : null,
            context.CancellationToken);

        context.RegisterOperationAction(state.AnalyzeObjectCreation, OperationKind.ObjectCreation);
        context.RegisterOperationAction(state.AnalyzeInvocation, OperationKind.Invocation);
        context.RegisterOperationAction(state.AnalyzePropertyAssignment, OperationKind.SimpleAssignment);
        if (state.AttributeType is not null)
        {
            context.RegisterSyntaxNodeAction(state.AnalyzeAttribute, SyntaxKind.Attribute);
        }
    }

    private sealed class CompilationState
    {
        private readonly ResolvedCatalog _catalog;
        private readonly Dictionary<IMethodSymbol, LoaderEntry> _loaders;
        private readonly ManifestIndex _manifests;

        private readonly OpenTrain.Lineage.LineageLevel? _requiredLevel;
        private readonly DerivedLoaders _derived;
        private readonly bool _isLibrary;

        private readonly string? _friendAssemblies;

        public CompilationState(Compilation compilation, ResolvedCatalog catalog, INamedTypeSymbol? attributeType, ManifestIndex manifests, OpenTrain.Lineage.LineageLevel? requiredLevel, System.Threading.CancellationToken cancellationToken)
        {
            _derived = new DerivedLoaders(compilation, catalog, cancellationToken);
            _isLibrary = compilation.Options.OutputKind == OutputKind.DynamicallyLinkedLibrary;
            _friendAssemblies = FriendAssemblies(compilation);
            _catalog = catalog;
            _loaders = catalog.Loads;
            AttributeType = attributeType;
            _manifests = manifests;
            _requiredLevel = requiredLevel;
        }

        public INamedTypeSymbol? AttributeType { get; }

        public void AnalyzeObjectCreation(OperationAnalysisContext context)
        {
            if (context.IsGeneratedCode)
            {
                return;
            }

            var creation = (IObjectCreationOperation)context.Operation;
            if (creation.Constructor is { } constructor && _loaders.TryGetValue(constructor.OriginalDefinition, out var entry))
            {
                AnalyzeLoad(context, constructor, creation.Arguments, entry);
            }
            else if (creation.Constructor is { } other)
            {
                if (_derived.Get(other) is { } derived && CallSite.TryGet(creation, out var call))
                {
                    AnalyzeDerivedCall(context, derived, call);
                    return;
                }

                ReportUnknownLoaderMember(context, other);
            }
        }

        /// <summary>
        /// OTA0009, fail closed: a public static factory or constructor of a catalogued loader type that takes a
        /// location and that the catalog neither lists nor classifies (a library newer than the catalog).
        /// </summary>
        private void ReportUnknownLoaderMember(OperationAnalysisContext context, IMethodSymbol method)
        {
            var definition = method.OriginalDefinition;
            if (!(definition.IsStatic || definition.MethodKind == MethodKind.Constructor)
                || definition.DeclaredAccessibility != Accessibility.Public
                || _catalog.Carriers.ContainsKey(definition)
                || definition.ContainingType is not { } type
                || !_catalog.LoaderTypes.Contains(type.OriginalDefinition)
                || LoadShape.LocationParameter(definition) is not { } parameter
                || LoadShape.IdOf(definition) is not { } id
                || ClassifiedMembers.Contains(id))
            {
                return;
            }

            context.ReportDiagnostic(Diagnostic.Create(Rules.UnknownLoaderMember, context.Operation.Syntax.GetLocation(), LoaderName(definition), parameter.Name, type.ToDisplayString(), id));
        }

        public void AnalyzeInvocation(OperationAnalysisContext context)
        {
            if (context.IsGeneratedCode)
            {
                return;
            }

            var invocation = (IInvocationOperation)context.Operation;
            var method = invocation.TargetMethod.ReducedFrom ?? invocation.TargetMethod;
            if (_loaders.TryGetValue(method.OriginalDefinition, out var entry))
            {
                if (entry.Kind == LoaderKind.Reflection)
                {
                    AnalyzeReflection(context, method, invocation.Arguments);
                    return;
                }

                if (IsBaseCallInOwnOverride(context, invocation, method.OriginalDefinition))
                {
                    return; // a user override forwarding to the library: its callers are reported
                }

                AnalyzeLoad(context, method, invocation.Arguments, entry);
                return;
            }

            // A user override of a virtual loader (TorchSharp Module.load on a subclass): the catalog holds the base.
            for (var overridden = method.IsOverride ? method.OverriddenMethod : null; overridden is not null; overridden = overridden.OverriddenMethod)
            {
                if (_loaders.TryGetValue(overridden.OriginalDefinition, out entry) && entry.Kind != LoaderKind.Reflection)
                {
                    AnalyzeLoad(context, overridden, invocation.Arguments, entry);
                    return;
                }
            }

            // A method of this compilation whose load location comes from its parameters (a wrapper): checked here.
            if (_derived.Get(method) is { } derived && CallSite.TryGet(invocation, out var call))
            {
                AnalyzeDerivedCall(context, derived, call);
                return;
            }

            ReportUnknownLoaderMember(context, method);
        }

        /// <summary>obj.ModelPath = "…" (also in an object initializer): a property setter that loads is checked like a call.</summary>
        public void AnalyzePropertyAssignment(OperationAnalysisContext context)
        {
            if (context.IsGeneratedCode
                || context.Operation is not ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.SetMethod: { } setter } } assignment
                || setter.DeclaringSyntaxReferences.IsEmpty
                || !CallSite.TryGet(assignment, out var call)
                || _derived.Get(setter) is not { } derived)
            {
                return;
            }

            AnalyzeDerivedCall(context, derived, call);
        }

        private bool IsBaseCallInOwnOverride(OperationAnalysisContext context, IInvocationOperation invocation, IMethodSymbol loader)
        {
            if (invocation.Instance is not IInstanceReferenceOperation || context.ContainingSymbol is not IMethodSymbol { IsOverride: true } container)
            {
                return false;
            }

            for (var overridden = container.OverriddenMethod; overridden is not null; overridden = overridden.OverriddenMethod)
            {
                if (SymbolEqualityComparer.Default.Equals(overridden.OriginalDefinition, loader))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>OTA0002: an attribute that names a manifest the compiler cannot see.</summary>
        public void AnalyzeAttribute(SyntaxNodeAnalysisContext context)
        {
            if (context.IsGeneratedCode)
            {
                return;
            }

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

        private static string LoaderName(IMethodSymbol loader) => ModelLoadNames.Of(loader);

        private void AnalyzeLoad(OperationAnalysisContext context, IMethodSymbol loader, ImmutableArray<IArgumentOperation> arguments, LoaderEntry entry)
        {
            string loaderName = LoaderName(loader);
            if (entry.Kind == LoaderKind.Implicit)
            {
                AnalyzeImplicitLoad(context, loaderName, arguments, entry);
                return;
            }

            var location = new ModelLocation(context.Compilation, _catalog.Carriers, context.Operation, _derived.Facts);
            var resolved = new List<(string Path, LocationForm Form, SyntaxNode At)>();
            bool supplied = false;
            Unresolved? unresolved = null;
            foreach (var parameter in entry.LocationParameters)
            {
                var argument = FindArgument(arguments, parameter.Name);
                if (argument is { ArgumentKind: not ArgumentKind.DefaultValue } && argument.Syntax.ContainsDiagnostics)
                {
                    return; // still being typed: the compiler reports the syntax error, a guess here would only be noise
                }

                switch (location.Resolve(argument, parameter.Form, out string? path, out var form))
                {
                    case LocationStatus.Resolved:
                        supplied = true;
                        resolved.Add((path!, form, argument!.ArgumentKind == ArgumentKind.DefaultValue ? context.Operation.Syntax : argument.Syntax));
                        break;
                    case LocationStatus.Unresolved:
                        var unresolvedArgument = argument;
                        var unresolvedForm = parameter.Form;
                        if (ForwardsOwnLocationParameter(context, argument!))
                        {
                            return; // a declared loader passing its own location parameter on: its callers are reported
                        }

                        var deferral = DeferToCallers(context, loaderName, null, binding =>
                        {
                            var probe = new ModelLocation(context.Compilation, _catalog.Carriers, context.Operation, _derived.Facts) { Binding = binding };
                            return (probe.Resolve(unresolvedArgument, unresolvedForm, out string? probed, out _), probed);
                        });
                        if (deferral.Handled)
                        {
                            return; // a wrapper passing its own location parameter on: its callers are reported
                        }

                        supplied = true;
                        unresolved ??= deferral;
                        break;
                }
            }

            if (!supplied)
            {
                return; // optional model arguments left empty: nothing is loaded (TorchVision weights_file = null, …)
            }

            ReportLoad(context, loaderName, resolved, unresolved, ImmutableArray<Location>.Empty);
        }

        /// <summary>
        /// The call of a derived loader: each load it reaches, with the location its parameters give it here, is checked
        /// like a catalog load at this call site, named "Wrapper.Open -> new InferenceSession"; the wrappers on the way
        /// and the load are the finding's related locations.
        /// </summary>
        private void AnalyzeDerivedCall(OperationAnalysisContext context, DerivedLoader derived, CallSite call)
        {
            if (call.Arguments.Any(a => a.IsBroken) || LinkedManifestPaths(derived.Method, context.Compilation).Count > 0)
            {
                return; // still being typed; or [ModelLineage] on the derived loader links all its loads, as on any member
            }

            var caller = new ModelLocation(context.Compilation, _catalog.Carriers, context.Operation, _derived.Facts);
            var resolved = new List<(string Path, LocationForm Form, SyntaxNode At)>();
            bool unresolved = false;
            string name = ModelLoadNames.Of(derived.Method);
            DerivedReach? named = null;
            foreach (var reach in derived.Reaches)
            {
                var binding = _derived.CallBinding(derived.Method, caller, call.Arguments);
                var (status, path) = reach.Evaluate(binding);
                if (binding.NotSupplied || status == LocationStatus.NotSupplied)
                {
                    continue;
                }

                if (status == LocationStatus.Resolved)
                {
                    named ??= reach;
                    resolved.Add((path!, reach.Form, context.Operation.Syntax));
                }
                else if (!unresolved)
                {
                    named = reach; // the message names the load whose location is not known
                    unresolved = true;
                }
            }

            if (named is null)
            {
                return; // every location left empty: nothing is loaded
            }

            string loaderName = name + " -> " + named.InnerName;
            Unresolved? why = null;
            if (unresolved)
            {
                var deferral = DeferToCallers(context, loaderName, derived.Method, binding =>
                {
                    var probeCaller = new ModelLocation(context.Compilation, _catalog.Carriers, context.Operation, _derived.Facts) { Binding = binding };
                    foreach (var reach in derived.Reaches)
                    {
                        var result = reach.Evaluate(_derived.CallBinding(derived.Method, probeCaller, call.Arguments));
                        if (result.Status == LocationStatus.Resolved)
                        {
                            return result;
                        }
                    }

                    return (LocationStatus.Unresolved, null);
                });
                if (deferral.Handled)
                {
                    return; // a wrapper of a wrapper passing its parameter on: the outer wrapper's callers are reported
                }

                why = deferral;
            }

            ReportLoad(context, loaderName, resolved, why, named.Trail);
        }

        /// <summary>
        /// Why an unresolved location inside a wrapper is (or is not) left to the wrapper's callers. Handled: the callers
        /// are all checked, or a library's API was reported with how to declare it. Otherwise the load reports, with the
        /// reason when a wrapper was in question.
        /// </summary>
        private readonly struct Unresolved
        {
            public Unresolved(bool handled, Diagnostic? replacement = null)
            {
                Handled = handled;
                Replacement = replacement;
            }

            public bool Handled { get; }

            /// <summary>The OTA0004 to report instead of the plain one: it names the wrapper and why its callers do not cover the load.</summary>
            public Diagnostic? Replacement { get; }
        }

        /// <summary>
        /// An unresolved load inside a derived loader: left to its callers only when every way into the loader is a call
        /// the analyzer checks (fail closed); reported with the declaration hint when it is a library's API, and with the
        /// reason otherwise. <paramref name="callee"/> is the wrapper called here, when this site is a wrapper call.
        /// </summary>
        private Unresolved DeferToCallers(OperationAnalysisContext context, string loaderName, IMethodSymbol? callee, Func<ILocationBinding, (LocationStatus Status, string? Path)> evaluate)
        {
            var site = context.Operation.Syntax;
            foreach (var owner in Owners(context))
            {
                var dependence = _derived.Probe(owner, evaluate);
                if (dependence == ParameterDependence.None)
                {
                    continue;
                }

                string parameter = owner.Parameters.FirstOrDefault(p => _derived.CanCarryLocation(p.Type))?.Name ?? "path";
                string ownerName = ModelLoadNames.Of(owner);
                string id = LoadShape.IdOf(CallSite.Declared(owner)) ?? owner.Name;
                if (IsLibraryApi(owner))
                {
                    // Its callers are (also) outside the compilation: say how the library hands the wrapper to them.
                    context.ReportDiagnostic(Diagnostic.Create(Rules.LocationFromPublicParameter, site.GetLocation(), loaderName, parameter, ownerName, id));
                    return new Unresolved(true);
                }

                if (_friendAssemblies is not null && IsFriendApi(owner))
                {
                    return new Unresolved(false, Diagnostic.Create(Rules.LocationFromFriendParameter, site.GetLocation(), loaderName, parameter, ownerName, id, _friendAssemblies));
                }

                if (_derived.Get(owner) is null)
                {
                    return new Unresolved(false); // not a wrapper whose calls are checked: the load keeps its finding
                }

                if (callee is not null && dependence != ParameterDependence.Unchanged && _derived.InSameCycle(owner, callee))
                {
                    // A recursive call that changes the location: each turn loads another path, which no caller sees.
                    return new Unresolved(false, Diagnostic.Create(Rules.LocationFromUncheckedWrapper, site.GetLocation(), loaderName, parameter, ownerName, "it calls itself (through '" + ModelLoadNames.Of(callee) + "') with a changed location, so the locations of later turns are not known"));
                }

                var reach = _derived.Callers.Of(CallSite.Declared(owner), context.CancellationToken);
                if (reach.OnlyCheckedCalls)
                {
                    return new Unresolved(true);
                }

                var additional = reach.Where is { } where ? new[] { where } : null;
                return new Unresolved(false, Diagnostic.Create(Rules.LocationFromUncheckedWrapper, site.GetLocation(), additional, loaderName, parameter, ownerName, reach.Why));
            }

            return new Unresolved(false);
        }

        /// <summary>The members whose derived loader may cover this site: the enclosing local functions and method, and the type's constructors.</summary>
        private static IEnumerable<IMethodSymbol> Owners(OperationAnalysisContext context)
        {
            for (var parent = context.Operation.Parent; parent is not null; parent = parent.Parent)
            {
                if (parent is ILocalFunctionOperation local)
                {
                    yield return local.Symbol;
                }
            }

            if (context.ContainingSymbol is IMethodSymbol method)
            {
                yield return method;
                if (!method.IsStatic && method.MethodKind != MethodKind.Constructor)
                {
                    foreach (var constructor in method.ContainingType.InstanceConstructors)
                    {
                        yield return constructor;
                    }
                }
            }
        }

        /// <summary>A member consumers of this library can call: public in a public type, in a library.</summary>
        private bool IsLibraryApi(IMethodSymbol method)
        {
            if (!_isLibrary || method.MethodKind == MethodKind.LocalFunction || method.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal))
            {
                return false;
            }

            for (var type = method.ContainingType; type is not null; type = type.ContainingType)
            {
                if (type.DeclaredAccessibility != Accessibility.Public)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// A member a friend assembly (InternalsVisibleTo) of this library can call: not private anywhere on the way.
        /// An application's friends are its tests, which ship nothing: an application is treated as closed.
        /// </summary>
        private bool IsFriendApi(IMethodSymbol method)
        {
            if (!_isLibrary || method.MethodKind == MethodKind.LocalFunction || method.DeclaredAccessibility is Accessibility.Private or Accessibility.ProtectedAndInternal)
            {
                return false;
            }

            for (var type = method.ContainingType; type is not null; type = type.ContainingType)
            {
                if (type.DeclaredAccessibility is Accessibility.Private or Accessibility.ProtectedAndInternal)
                {
                    return false;
                }
            }

            return true;
        }

        private static string? FriendAssemblies(Compilation compilation)
        {
            var names = compilation.Assembly.GetAttributes()
                .Where(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.CompilerServices.InternalsVisibleToAttribute" && a.ConstructorArguments.Length == 1)
                .Select(a => a.ConstructorArguments[0].Value as string)
                .Where(n => !string.IsNullOrEmpty(n))
                .Select(n => n!.Split(',')[0].Trim())
                .ToList();
            return names.Count == 0 ? null : string.Join("', '", names);
        }

        /// <summary>OTA0003/OTA0004/OTA0001/OTA0005 for the locations of one load site (catalog, declared or derived).</summary>
        private void ReportLoad(OperationAnalysisContext context, string loaderName, List<(string Path, LocationForm Form, SyntaxNode At)> resolved, Unresolved? unresolved, ImmutableArray<Location> trail)
        {
            IEnumerable<Location>? related = trail.IsDefaultOrEmpty ? null : trail;
            var linkedPaths = LinkedManifestPaths(context.ContainingSymbol, context.Compilation);
            if (linkedPaths.Count > 0)
            {
                var linked = linkedPaths.Select(_manifests.Find).Where(m => m is not null).ToList();
                if (linked.Count == 0)
                {
                    return; // a missing manifest is reported at the attribute (OTA0002); a dynamic path is linked by the attribute
                }

                // An attribute states a link; a manifest that lists the exact file is a link too (an assembly-wide
                // attribute must not turn loads that another manifest documents into OTA0003).
                IndexedManifest? linking = resolved.Count == 0 ? linked[0] : null;
                foreach (var (path, form, at) in resolved)
                {
                    var declaring = linked.FirstOrDefault(m => Declares(m!, path, form)) ?? _manifests.Manifests.FirstOrDefault(m => Declares(m, path, form));
                    if (declaring is null)
                    {
                        context.ReportDiagnostic(Diagnostic.Create(Rules.LoadNotListedInManifest, at.GetLocation(), related, path, string.Join("', '", linkedPaths)));
                        return;
                    }

                    linking ??= declaring;
                }

                ReportIfBelowRequiredLevel(context, loaderName, linking, related);
                return;
            }

            if (unresolved is { } why)
            {
                context.ReportDiagnostic(why.Replacement ?? Diagnostic.Create(Rules.LocationNotStatic, context.Operation.Syntax.GetLocation(), related, loaderName));
                return;
            }

            IndexedManifest? listing = null;
            foreach (var (path, form, _) in resolved)
            {
                var declaring = _manifests.Manifests.FirstOrDefault(m => Declares(m, path, form));
                if (declaring is null)
                {
                    // The skeleton code fix needs the file (not a directory or model text) and where relative paths start.
                    var properties = form == LocationForm.Path
                        ? ImmutableDictionary<string, string?>.Empty
                            .Add(DiagnosticProperties.ModelPath, path)
                            .Add(DiagnosticProperties.ProjectDirectory, _manifests.ProjectDirectory)
                        : null;
                    context.ReportDiagnostic(Diagnostic.Create(Rules.UnlinkedModelLoad, context.Operation.Syntax.GetLocation(), related, properties, loaderName, path, ManifestSkeleton.ScaffoldCommand(path)));
                    return; // one finding per load site
                }

                listing ??= declaring;
            }

            ReportIfBelowRequiredLevel(context, loaderName, listing, related);
        }

        /// <summary>
        /// Inside a declared loader (OpenTrainLoaders.txt), the load that receives the declared location parameter
        /// unchanged is the wrapper's implementation, not a load of its own: each call of the wrapper is checked instead.
        /// </summary>
        private bool ForwardsOwnLocationParameter(OperationAnalysisContext context, IArgumentOperation argument)
        {
            var value = argument.Value;
            while (value is IConversionOperation or IParenthesizedOperation)
            {
                value = value is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)value).Operand;
            }

            return value is IParameterReferenceOperation { Parameter: var parameter }
                && context.ContainingSymbol is IMethodSymbol container
                && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, container)
                && _loaders.TryGetValue(container.OriginalDefinition, out var own)
                && own.Library == DeclaredLoaders.Library
                && own.LocationParameters.Any(p => p.Name == parameter.Name);
        }

        /// <summary>
        /// OTA0005: a summary at the load site when the linked manifest, by itself, is below the level the project
        /// requires. The per-element errors (and the parents' levels) are the build task's: never the same finding twice.
        /// </summary>
        private void ReportIfBelowRequiredLevel(OperationAnalysisContext context, string loaderName, IndexedManifest? manifest, IEnumerable<Location>? related)
        {
            if (manifest is null || _requiredLevel is not { } required || !manifest.Manifest.IsReadable || manifest.OwnLevel >= required)
            {
                return;
            }

            context.ReportDiagnostic(Diagnostic.Create(
                Rules.LinkedLineageBelowLevel,
                context.Operation.Syntax.GetLocation(),
                related,
                loaderName,
                PathText.FileName(manifest.FullPath),
                OpenTrain.Lineage.LineageLevels.ToName(manifest.OwnLevel),
                OpenTrain.Lineage.LineageLevels.ToName(required)));
        }

        private bool Declares(IndexedManifest manifest, string path, LocationForm form) => form == LocationForm.Directory
            ? manifest.DeclaresUnder(path, _manifests.ProjectDirectory)
            : manifest.Declares(path, _manifests.ProjectDirectory);

        private static IArgumentOperation? FindArgument(ImmutableArray<IArgumentOperation> arguments, string parameterName)
        {
            foreach (var argument in arguments)
            {
                if (argument.Parameter?.Name == parameterName)
                {
                    return argument;
                }
            }

            return null;
        }

        /// <summary>OTA0006: weights from a default path, a package DLL or a download.</summary>
        private void AnalyzeImplicitLoad(OperationAnalysisContext context, string loaderName, ImmutableArray<IArgumentOperation> arguments, LoaderEntry entry)
        {
            foreach (var parameter in entry.LocationParameters)
            {
                // A model factory (ML.NET DnnFeaturizeImage): the loads inside the lambda or method are reported there.
                if (FindArgument(arguments, parameter.Name)?.Value is IDelegateCreationOperation or IAnonymousFunctionOperation)
                {
                    return;
                }
            }

            if (IsLinkedByAttribute(context))
            {
                return;
            }

            context.ReportDiagnostic(Diagnostic.Create(Rules.ImplicitModelLocation, context.Operation.Syntax.GetLocation(), loaderName, entry.ImplicitLocation));
        }

        /// <summary>OTA0007: Type.GetType("…InferenceSession"), Activator.CreateInstance(typeof(InferenceSession), …).</summary>
        private void AnalyzeReflection(OperationAnalysisContext context, IMethodSymbol method, ImmutableArray<IArgumentOperation> arguments)
        {
            string? typeName = null;
            foreach (var argument in arguments)
            {
                if (argument.Parameter is not { } parameter)
                {
                    continue;
                }

                if (parameter.Type.SpecialType == SpecialType.System_String && parameter.Name is "typeName" or "name"
                    && argument.Value.ConstantValue is { HasValue: true, Value: string text })
                {
                    int comma = text.IndexOf(',');
                    typeName = (comma < 0 ? text : text.Substring(0, comma)).Trim().Replace('+', '.');
                }
                else if (parameter.Name == "type" && argument.Value is ITypeOfOperation { TypeOperand: INamedTypeSymbol type })
                {
                    typeName = type.OriginalDefinition.GetDocumentationCommentId()?.Substring(2);
                }
            }

            if (typeName is null || !_catalog.LoaderTypeNames.Contains(typeName) || IsLinkedByAttribute(context))
            {
                return;
            }

            context.ReportDiagnostic(Diagnostic.Create(Rules.ReflectionModelLoad, context.Operation.Syntax.GetLocation(), method.ContainingType.Name + "." + method.Name, typeName));
        }

        /// <summary>An attribute on the member, type or assembly names a manifest the compiler can see (or one it cannot: OTA0002).</summary>
        private bool IsLinkedByAttribute(OperationAnalysisContext context) => LinkedManifestPaths(context.ContainingSymbol, context.Compilation).Count > 0;

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
