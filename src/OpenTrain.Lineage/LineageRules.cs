using System.Collections.Generic;

namespace OpenTrain.Lineage;

public enum FindingSeverity
{
    Info,
    Warning,
    Error,
}

/// <summary>One class of lineage finding: a stable code users can suppress or escalate, and the page that explains it.</summary>
public sealed class LineageRule
{
    internal LineageRule(string id, FindingSeverity severity, string title)
    {
        Id = id;
        DefaultSeverity = severity;
        Title = title;
    }

    public string Id { get; }

    public FindingSeverity DefaultSeverity { get; }

    public string Title { get; }

    public string HelpLink => LineageRules.HelpLinkFor(Id);
}

/// <summary>
/// The one table of OTL codes (manifests, weights, completeness, licences, lineage chain).
/// Each code is one class of failure so teams can configure it with NoWarn / WarningsAsErrors.
/// </summary>
public static class LineageRules
{
    public const string HelpLinkBase = "https://github.com/opentrainanalyzers/opentrainanalyzers/blob/main/docs/rules/";

    // Configuration of the build gate.
    public static readonly LineageRule UnknownLevel = new("OTL0010", FindingSeverity.Error, "Unknown required lineage level");
    public static readonly LineageRule ValidationFailed = new("OTL0011", FindingSeverity.Error, "Lineage validation stopped unexpectedly");
    public static readonly LineageRule UnknownProfile = new("OTL0012", FindingSeverity.Error, "Unknown lineage profile");
    public static readonly LineageRule UnknownExportFormat = new("OTL0013", FindingSeverity.Error, "Unknown export format");

    // The scaffold command (dotnet build -t:OpenTrainScaffold).
    public static readonly LineageRule ScaffoldTargetExists = new("OTL0014", FindingSeverity.Error, "Scaffold would overwrite an existing manifest");
    public static readonly LineageRule ScaffoldSourceInvalid = new("OTL0015", FindingSeverity.Error, "Scaffold path is not a weight file or a model folder");
    public static readonly LineageRule ScaffoldSourceUnreadable = new("OTL0016", FindingSeverity.Warning, "Scaffold source cannot be read");
    public static readonly LineageRule LineageSourceInvalid = new("OTL0017", FindingSeverity.Error, "Lineage source missing or not a folder");

    // The manifest file itself.
    public static readonly LineageRule InvalidJson = new("OTL0100", FindingSeverity.Error, "Manifest is not valid JSON");
    public static readonly LineageRule WrongType = new("OTL0101", FindingSeverity.Error, "Manifest value has the wrong type or an unknown enumeration value");
    public static readonly LineageRule UnsupportedVersion = new("OTL0102", FindingSeverity.Error, "Unsupported manifestVersion");
    public static readonly LineageRule DuplicateKey = new("OTL0103", FindingSeverity.Error, "Duplicate key in manifest");
    public static readonly LineageRule UnknownField = new("OTL0104", FindingSeverity.Warning, "Unknown manifest field");
    public static readonly LineageRule LimitExceeded = new("OTL0105", FindingSeverity.Error, "Manifest exceeds a size or nesting limit");
    public static readonly LineageRule Unreadable = new("OTL0106", FindingSeverity.Error, "Manifest file cannot be read");

    // Weights bound to bytes.
    public static readonly LineageRule WeightMissing = new("OTL0200", FindingSeverity.Error, "Weight file missing");
    public static readonly LineageRule WeightDigestMismatch = new("OTL0201", FindingSeverity.Error, "Weight file SHA-256 mismatch");
    public static readonly LineageRule WeightSizeMismatch = new("OTL0202", FindingSeverity.Error, "Weight file size mismatch");
    public static readonly LineageRule PathEscapes = new("OTL0203", FindingSeverity.Error, "Path is absolute or escapes its allowed root");
    public static readonly LineageRule RootDigestMismatch = new("OTL0205", FindingSeverity.Error, "Root digest mismatch");
    public static readonly LineageRule MalformedDigest = new("OTL0206", FindingSeverity.Error, "Malformed or placeholder digest");
    public static readonly LineageRule HeaderContradiction = new("OTL0208", FindingSeverity.Warning, "Weight file header contradicts the manifest");
    public static readonly LineageRule HeaderUnreadable = new("OTL0209", FindingSeverity.Warning, "Weight file header cannot be read");

    // Lineage that travels in NuGet packages (dotnet pack).
    public static readonly LineageRule PackedWeightsUndeclared = new("OTL0210", FindingSeverity.Error, "Packed model weights without a lineage manifest");
    public static readonly LineageRule PackedManifestUnresolved = new("OTL0211", FindingSeverity.Error, "Packed manifest's files do not resolve inside the package");

    // Completeness per level.
    public static readonly LineageRule Missing = new("OTL0300", FindingSeverity.Error, "Required lineage element missing");
    public static readonly LineageRule Empty = new("OTL0301", FindingSeverity.Error, "Required lineage element empty");
    public static readonly LineageRule Placeholder = new("OTL0302", FindingSeverity.Error, "Placeholder value in lineage element");
    public static readonly LineageRule NotOpenEnough = new("OTL0303", FindingSeverity.Error, "Availability below what the level requires");
    public static readonly LineageRule LocationMissing = new("OTL0304", FindingSeverity.Error, "Location missing");
    public static readonly LineageRule LocationNotPinned = new("OTL0305", FindingSeverity.Error, "Location not pinned");
    public static readonly LineageRule BadUrl = new("OTL0306", FindingSeverity.Error, "Placeholder, local or non-HTTPS URL");
    public static readonly LineageRule NotApplicableMisused = new("OTL0307", FindingSeverity.Error, "'not-applicable' without justification or not allowed here");
    public static readonly LineageRule StatusContradiction = new("OTL0308", FindingSeverity.Error, "Availability contradicts its parts or its text");
    public static readonly LineageRule UnknownDatasetReference = new("OTL0309", FindingSeverity.Error, "Unknown dataset reference");
    public static readonly LineageRule LabelingIncomplete = new("OTL0310", FindingSeverity.Error, "Labelling without criteria or guidelines");
    public static readonly LineageRule ReportInsteadOfPaper = new("OTL0311", FindingSeverity.Warning, "Technical report used in place of a research paper");
    public static readonly LineageRule NonOpenBenchmark = new("OTL0312", FindingSeverity.Warning, "Evaluation on a benchmark that is not open");
    public static readonly LineageRule ModelCardCoversData = new("OTL0313", FindingSeverity.Warning, "Model card stands in for the data card");
    public static readonly LineageRule DocumentationAbsent = new("OTL0314", FindingSeverity.Warning, "Model card or data card absent");
    public static readonly LineageRule MetricValueNotTranscribed = new("OTL0315", FindingSeverity.Warning, "Metric value not transcribed from its published results");

    // Licences.
    public static readonly LineageRule LicenseMissing = new("OTL0400", FindingSeverity.Error, "Licence missing on an open component");
    public static readonly LineageRule LicenseInvalid = new("OTL0401", FindingSeverity.Error, "Invalid SPDX licence expression");
    public static readonly LineageRule LicenseNotOpen = new("OTL0402", FindingSeverity.Error, "Licence not open for the component's content");
    public static readonly LineageRule LicenseNotTypeAppropriate = new("OTL0403", FindingSeverity.Warning, "Open licence not written for the component's content");
    public static readonly LineageRule LicenseNoAssertion = new("OTL0404", FindingSeverity.Error, "NOASSERTION, NONE or LicenseRef where an open licence is required");

    // Lineage chain.
    public static readonly LineageRule ParentsRequired = new("OTL0500", FindingSeverity.Error, "Derivation requires parents");
    public static readonly LineageRule ParentUnverified = new("OTL0501", FindingSeverity.Error, "Parent manifest not found");
    public static readonly LineageRule ParentDigestMismatch = new("OTL0502", FindingSeverity.Error, "Parent manifest SHA-256 mismatch");
    public static readonly LineageRule ParentBelowLevel = new("OTL0503", FindingSeverity.Error, "Parent's effective level below the required level");
    public static readonly LineageRule LineageCycle = new("OTL0504", FindingSeverity.Error, "Lineage cycle");
    public static readonly LineageRule LineageTooDeep = new("OTL0505", FindingSeverity.Error, "Lineage deeper than 16");
    public static readonly LineageRule ParentWeightsMismatch = new("OTL0506", FindingSeverity.Error, "Parent weightsRootDigest mismatch");
    public static readonly LineageRule ThirdPartyParent = new("OTL0507", FindingSeverity.Info, "Parent manifest asserted by a third party");
    public static readonly LineageRule SourceDigestMismatch = new("OTL0508", FindingSeverity.Error, "Parent found by identity in a lineage source, but its manifest digest differs from the pin");
    public static readonly LineageRule SourceAmbiguous = new("OTL0509", FindingSeverity.Error, "Different lineage-source manifests claim the parent's identity");

    // Licence policy over the lineage chain (OpenTrainDeniedLicenses, OpenTrainAllowedLicenses, OpenTrainLicenseScope).
    public static readonly LineageRule LicenseDenied = new("OTL0700", FindingSeverity.Error, "Licence denied by the project's licence policy");
    public static readonly LineageRule LicensePolicyInvalid = new("OTL0701", FindingSeverity.Error, "Invalid licence policy entry or scope");

    // Reserved for the build gate (issue 5): weights that ship without a declaration, and suppressions.
    public static readonly LineageRule UndeclaredExternalData = new("OTL0204", FindingSeverity.Warning, "Undeclared external data file next to ONNX weights");
    public static readonly LineageRule UndeclaredShippedWeights = new("OTL0207", FindingSeverity.Warning, "Model weights ship without a lineage manifest");
    public static readonly LineageRule SuppressionInvalid = new("OTL0600", FindingSeverity.Error, "Suppression without a justification or with an invalid expiry date");
    public static readonly LineageRule SuppressionExpired = new("OTL0601", FindingSeverity.Warning, "Suppression expired");
    public static readonly LineageRule SuppressionStale = new("OTL0602", FindingSeverity.Warning, "Suppression matches no finding");

    // Signed weights: OpenSSF model signatures (weights.signature, docs/signed-weights.md).
    public static readonly LineageRule SignatureUnreadable = new("OTL0800", FindingSeverity.Error, "Model signature missing, unreadable or not an OpenSSF model signature");
    public static readonly LineageRule SignatureInvalid = new("OTL0801", FindingSeverity.Error, "Model signature does not verify");
    public static readonly LineageRule SignatureUntrusted = new("OTL0802", FindingSeverity.Warning, "Model signature not from a trusted signer");
    public static readonly LineageRule SignedFilesMismatch = new("OTL0803", FindingSeverity.Error, "Signed files differ from weights.files");
    public static readonly LineageRule UnsignedFile = new("OTL0804", FindingSeverity.Error, "File in the signed model folder is neither signed nor ignored");
    public static readonly LineageRule SignatureMethodUnsupported = new("OTL0805", FindingSeverity.Warning, "Model signature not verified: method not supported");
    public static readonly LineageRule SignatureRequired = new("OTL0806", FindingSeverity.Error, "Model signature required");
    public static readonly LineageRule TrustedSignerInvalid = new("OTL0807", FindingSeverity.Error, "Invalid trusted signer or signature setting");

    public static IReadOnlyList<LineageRule> All { get; } = new[]
    {
        UnknownLevel, ValidationFailed, UnknownProfile, UnknownExportFormat, ScaffoldTargetExists, ScaffoldSourceInvalid, ScaffoldSourceUnreadable,
        InvalidJson, WrongType, UnsupportedVersion, DuplicateKey, UnknownField, LimitExceeded, Unreadable,
        WeightMissing, WeightDigestMismatch, WeightSizeMismatch, PathEscapes, RootDigestMismatch, MalformedDigest, HeaderContradiction, HeaderUnreadable,
        PackedWeightsUndeclared, PackedManifestUnresolved,
        Missing, Empty, Placeholder, NotOpenEnough, LocationMissing, LocationNotPinned, BadUrl, NotApplicableMisused,
        StatusContradiction, UnknownDatasetReference, LabelingIncomplete, ReportInsteadOfPaper, NonOpenBenchmark, ModelCardCoversData, DocumentationAbsent, MetricValueNotTranscribed,
        LicenseMissing, LicenseInvalid, LicenseNotOpen, LicenseNotTypeAppropriate, LicenseNoAssertion,
        ParentsRequired, ParentUnverified, ParentDigestMismatch, ParentBelowLevel, LineageCycle, LineageTooDeep, ParentWeightsMismatch, ThirdPartyParent, SourceDigestMismatch, SourceAmbiguous, LineageSourceInvalid,
        UndeclaredExternalData, UndeclaredShippedWeights, SuppressionInvalid, SuppressionExpired, SuppressionStale,
        SignatureUnreadable, SignatureInvalid, SignatureUntrusted, SignedFilesMismatch, UnsignedFile, SignatureMethodUnsupported, SignatureRequired, TrustedSignerInvalid,
        LicenseDenied, LicensePolicyInvalid,
    };

    public static string HelpLinkFor(string id) => HelpLinkBase + id + ".md";
}
