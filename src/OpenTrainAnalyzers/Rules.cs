using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using OpenTrain.Lineage;

namespace OpenTrainAnalyzers;

/// <summary>The one descriptor table of the analyzers; help links point at docs/rules/ID.md.</summary>
internal static class Rules
{
    public const string Category = "OpenTrain.Lineage";

    public static readonly DiagnosticDescriptor UnlinkedModelLoad = Create(
        DiagnosticIds.UnlinkedModelLoad,
        "Model weights loaded without a linked training lineage",
        "'{0}' loads model weights from '{1}' with no training-lineage manifest linked: list the file in a *.lineage.json manifest, or link one with [ModelLineage]; to start one from the model's own files (card, config, headers, digests), run '{2}'",
        "Open weights are not open training. A load site should be linked to a manifest that says how the model came to be: its datasets, pipeline, hyperparameters, training code and evaluation.");

    public static readonly DiagnosticDescriptor ManifestNotInAdditionalFiles = Create(
        DiagnosticIds.ManifestNotInAdditionalFiles,
        "Linked lineage manifest is not passed to the compiler",
        "[ModelLineage] names '{0}', which is not an AdditionalFiles item of this project: fix the path (relative to the project directory) or add the file to the project",
        "The analyzers can only read manifests that reach the compiler as AdditionalFiles; files named *.lineage.json are added by the package.");

    public static readonly DiagnosticDescriptor LoadNotListedInManifest = Create(
        DiagnosticIds.LoadNotListedInManifest,
        "Loaded file is not listed in the linked manifest",
        "'{0}' is not listed in weights.files of the linked manifest '{1}': add it with its sha256 and size, or link the manifest that describes it",
        "A manifest vouches for the files it lists; a linked load of another file is not covered by it.");

    /// <summary>OTA0004 at the load inside a public API of a library whose location is one of its parameters: how to declare it for consumers.</summary>
    public static readonly DiagnosticDescriptor LocationFromPublicParameter = Create(
        DiagnosticIds.LocationNotStatic,
        "Model location cannot be resolved at compile time",
        "'{0}' loads model weights from parameter '{1}' of '{2}', a public API of this library whose callers are outside this compilation: declare it for the library's consumers in OpenTrainLoaders.txt as '{3};{1}' (dotnet pack ships that file with the package), or link its manifest with [ModelLineage(\"path/to/model.lineage.json\")]",
        "A wrapper inside the compilation is checked where it is called; a library's public wrapper is called by its consumers, who see it only when the library declares it.");

    /// <summary>OTA0004 at the load inside an internal wrapper of a library that friend assemblies (InternalsVisibleTo) can call.</summary>
    public static readonly DiagnosticDescriptor LocationFromFriendParameter = Create(
        DiagnosticIds.LocationNotStatic,
        "Model location cannot be resolved at compile time",
        "'{0}' loads model weights from parameter '{1}' of '{2}', which other assemblies can call through InternalsVisibleTo ('{4}'), where this compilation cannot check the calls: declare it in those projects' OpenTrainLoaders.txt as '{3};{1}', or link its manifest with [ModelLineage(\"path/to/model.lineage.json\")]",
        "A wrapper is checked where it is called; calls from a friend assembly are compiled elsewhere and are checked there only when the wrapper is declared.");

    /// <summary>OTA0004 at the load inside a wrapper whose calls are not all checked (method group, virtual, generated caller, no caller).</summary>
    public static readonly DiagnosticDescriptor LocationFromUncheckedWrapper = Create(
        DiagnosticIds.LocationNotStatic,
        "Model location cannot be resolved at compile time",
        "'{0}' loads model weights from parameter '{1}' of '{2}', and not every way into '{2}' is a call the analyzer checks: {3}. Link its manifest with [ModelLineage(\"path/to/model.lineage.json\")] on '{2}' or its type, or reach it only through direct calls.",
        "The load inside a wrapper stays silent only when every way into the wrapper is a direct call that the analyzer checks with the path it passes; otherwise nothing would check the paths that arrive another way.");

    public static readonly DiagnosticDescriptor LinkedLineageBelowLevel = Create(
        DiagnosticIds.LinkedLineageBelowLevel,
        "Linked lineage is below the required level",
        "'{0}' loads a model whose manifest '{1}' reaches '{2}', below the '{3}' this project requires: the build lists each missing element",
        "A summary where the model is used; the per-element errors are reported by the build in the manifest itself.");

    public static readonly DiagnosticDescriptor LocationNotStatic = Create(
        DiagnosticIds.LocationNotStatic,
        "Model location cannot be resolved at compile time",
        "'{0}' loads model weights from a location that is not a compile-time constant, so no manifest can be matched to it: link its manifest with [ModelLineage(\"path/to/model.lineage.json\")] on the member, type or assembly",
        "When the path is computed at run time the analyzer cannot tell which manifest describes it; the attribute states the link explicitly.");

    public static readonly DiagnosticDescriptor ImplicitModelLocation = Create(
        DiagnosticIds.ImplicitModelLocation,
        "Model weights loaded from a location that is not an argument",
        "'{0}' loads model weights from a location that is not an argument ({1}): link the manifest that describes them with [ModelLineage(\"path/to/model.lineage.json\")] on the member, type or assembly",
        "Some loaders read weights embedded in a package's DLL, from a default path, or downloaded at Fit(). No path in the code names them, so only an explicit link says which lineage describes them.");

    public static readonly DiagnosticDescriptor ReflectionModelLoad = Create(
        DiagnosticIds.ReflectionModelLoad,
        "Model loaded through reflection",
        "'{0}' names the model loader '{1}' through reflection, so the analyzer cannot see which weights it reads: call the loader directly, or link its manifest with [ModelLineage(\"path/to/model.lineage.json\")]",
        "A loader reached through Type.GetType or Activator.CreateInstance hides its arguments from the compiler; the load is reported where the reflection names the loader's type.");

    /// <summary>Reported from a compilation-end action (the file is read once per compilation), hence the tag (RS1037).</summary>
    public static readonly DiagnosticDescriptor InvalidDeclaredLoader = Create(
        DiagnosticIds.InvalidDeclaredLoader,
        "Invalid declared loader",
        "Invalid declared loader '{0}' in OpenTrainLoaders.txt: {1}",
        "Each line of OpenTrainLoaders.txt declares one method or constructor that reads model weights: its documentation-comment ID, ';' and the parameter that carries the location (optionally ':dir'). A line that names nothing would silently leave that loader unchecked.",
        WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor UnknownLoaderMember = Create(
        DiagnosticIds.UnknownLoaderMember,
        "Possible model load through a member the loader catalog does not know",
        "'{0}' takes a model location ('{1}') and belongs to {2}, whose other members load model weights, but this version of OpenTrainAnalyzers does not know it (a newer library version?): if it loads weights, declare it in OpenTrainLoaders.txt as '{3};{1}' so its calls are checked; if it does not, suppress OTA0009 here with a justification",
        "Fail closed: a library version newer than the loader catalog can add loaders. A static factory or constructor of a known loader type that takes a path, stream, bytes, loader or options object, and that the catalog neither lists as a load nor classifies as a writer, look-alike or non-load, is reported instead of passing silently.");

    public static ImmutableArray<DiagnosticDescriptor> All { get; } = ImmutableArray.Create(
        UnlinkedModelLoad, ManifestNotInAdditionalFiles, LoadNotListedInManifest, LocationNotStatic, LocationFromPublicParameter, LocationFromFriendParameter, LocationFromUncheckedWrapper, LinkedLineageBelowLevel, ImplicitModelLocation, ReflectionModelLoad, InvalidDeclaredLoader, UnknownLoaderMember);

    private static DiagnosticDescriptor Create(string id, string title, string message, string description, params string[] customTags) => new DiagnosticDescriptor(
        id,
        title,
        message,
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: description,
        helpLinkUri: LineageRules.HelpLinkFor(id),
        customTags: customTags);
}
