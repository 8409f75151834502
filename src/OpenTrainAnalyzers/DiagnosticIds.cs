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
}
