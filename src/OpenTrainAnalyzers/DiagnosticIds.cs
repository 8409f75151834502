namespace OpenTrainAnalyzers;

/// <summary>The analyzers' diagnostic IDs. OTL codes (manifests, weights, build gate) live in OpenTrain.Lineage.</summary>
public static class DiagnosticIds
{
    public const string UnlinkedModelLoad = "OTA0001";
    public const string ManifestNotInAdditionalFiles = "OTA0002";
    public const string LoadNotListedInManifest = "OTA0003";
    public const string LocationNotStatic = "OTA0004";
    public const string LinkedLineageBelowLevel = "OTA0005";

    // OTA0005 is reserved (lineage below the required level, summary at the load site).
    public const string ImplicitModelLocation = "OTA0006";
    public const string ReflectionModelLoad = "OTA0007";
    public const string InvalidDeclaredLoader = "OTA0008";
    public const string UnknownLoaderMember = "OTA0009";
}

/// <summary>Keys of <see cref="Microsoft.CodeAnalysis.Diagnostic.Properties"/> the code fixes read.</summary>
public static class DiagnosticProperties
{
    /// <summary>OTA0001: the model file as resolved from the code (project-relative or rooted, '/' separators).</summary>
    public const string ModelPath = "ModelPath";

    /// <summary>OTA0001: build_property.projectdir, where relative model paths start (absent when unknown).</summary>
    public const string ProjectDirectory = "ProjectDirectory";
}
