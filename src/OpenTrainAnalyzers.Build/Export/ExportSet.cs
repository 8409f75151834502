using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using OpenTrain.Lineage;
using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;
using OpenTrainAnalyzers.Build.Findings;

namespace OpenTrainAnalyzers.Build.Export;

/// <summary>One checked manifest, as the gate left it: the document, its levels, its parents and its exceptions.</summary>
internal sealed class ExportedModel
{
    public ExportedModel(
        string relativePath, LineageManifest manifest, LineageLevel ownLevel, LineageLevel effectiveLevel, IReadOnlyList<ResolvedParent> parents,
        bool weightsVerified, IReadOnlyList<Suppression> suppressions, string? packageUrl = null)
    {
        PackageUrl = packageUrl;
        RelativePath = relativePath;
        Manifest = manifest;
        OwnLevel = ownLevel;
        EffectiveLevel = effectiveLevel;
        Parents = parents;
        WeightsVerified = weightsVerified;
        Suppressions = suppressions;
    }

    /// <summary>What the gate concluded about the weights' OpenSSF model signature; null when the manifest points at none.</summary>
    public Signing.SignatureOutcome? Signature { get; set; }

    /// <summary>The manifest's path relative to the project, '/' separated: the stable key of this model in every export.</summary>
    public string RelativePath { get; }

    public LineageManifest Manifest { get; }

    /// <summary>pkg:nuget/Id@Version of the package the manifest came with; null for the project's own.</summary>
    public string? PackageUrl { get; }

    public LineageDocument Document => Manifest.Document!;

    public LineageLevel OwnLevel { get; }

    public LineageLevel EffectiveLevel { get; }

    public IReadOnlyList<ResolvedParent> Parents { get; }

    /// <summary>True when the build compared every declared weight file with its size and SHA-256 and all matched.</summary>
    public bool WeightsVerified { get; }

    /// <summary>The justified exceptions that hid findings of this manifest in this build.</summary>
    public IReadOnlyList<Suppression> Suppressions { get; }

    /// <summary>The licence policy's decisions over this model's chain; null when no policy is set.</summary>
    public IReadOnlyList<LicenseDecision>? LicenseDecisions { get; set; }

    public string Name => Document.Model.Node?.Name.AsString() ?? StemOf(RelativePath);

    public string? Version => Document.Model.Node?.Version.AsString();

    /// <summary>The training datasets and the evaluation datasets that are not references to training ones.</summary>
    public IEnumerable<(Dataset Dataset, bool Training)> Datasets()
    {
        var training = Document.Training.Node;
        foreach (var dataset in training?.Data.Node?.Datasets.Nodes ?? Array.Empty<Dataset>())
        {
            yield return (dataset, true);
        }

        foreach (var dataset in training?.Evaluation.Node?.Datasets.Nodes ?? Array.Empty<Dataset>())
        {
            if (dataset.Ref.Value is null)
            {
                yield return (dataset, false);
            }
        }
    }

    /// <summary>
    /// Who a manifest describes, so that a parent whose manifest is also one of the exported models is written once:
    /// its manifestId when it has one, else name and version.
    /// </summary>
    public static string? Identity(LineageDocument? document)
    {
        if (document is null)
        {
            return null;
        }

        if (document.ManifestId.AsString() is { } id && id.Trim().Length > 0)
        {
            return "id:" + id.Trim();
        }

        string? name = document.Model.Node?.Name.AsString();
        return name is null ? null : "name:" + name + "@" + document.Model.Node?.Version.AsString();
    }

    /// <summary>The id a dataset is known by in this model: its own id, or for an evaluation reference the training id.</summary>
    public static string? IdOf(Dataset dataset) => dataset.Id.AsString() ?? dataset.Ref.AsString();

    private static string StemOf(string path)
    {
        string name = path.Substring(path.LastIndexOf('/') + 1);
        return name.EndsWith(".lineage.json", StringComparison.Ordinal) ? name.Substring(0, name.Length - ".lineage.json".Length) : name;
    }
}

/// <summary>What every export is written from: the project, the required level, the models, and a reproducible time.</summary>
internal sealed class ExportSet
{
    public ExportSet(string projectName, string? projectVersion, LineageLevel requiredLevel, string? sourceDateEpoch, IReadOnlyList<ExportedModel> models, string? toolVersion)
    {
        ProjectName = projectName;
        ProjectVersion = string.IsNullOrWhiteSpace(projectVersion) ? null : projectVersion;
        RequiredLevel = requiredLevel;
        Models = models.OrderBy(m => m.RelativePath, StringComparer.Ordinal).ToList();
        ToolVersion = toolVersion;
        Timestamp = TimestampFrom(sourceDateEpoch, Models);
    }

    public string ProjectName { get; }

    public string? ProjectVersion { get; }

    public LineageLevel RequiredLevel { get; }

    public IReadOnlyList<ExportedModel> Models { get; }

    public string? ToolVersion { get; }

    /// <summary>
    /// SOURCE_DATE_EPOCH when set (reproducible builds), else the newest 'created' of the manifests, else none: never
    /// the clock, so the same inputs give the same bytes.
    /// </summary>
    public DateTime? Timestamp { get; }

    public static string Iso(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A name-based UUID (RFC 9562 version 8) from the SHA-256 of <paramref name="content"/>.</summary>
    public static string ContentUuid(string content)
    {
        byte[] hash;
        using (var sha = SHA256.Create())
        {
            hash = sha.ComputeHash(Encoding.UTF8.GetBytes(content));
        }

        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        string hex = Digests.ToHex(hash).Substring(0, 32);
        return $"{hex.Substring(0, 8)}-{hex.Substring(8, 4)}-{hex.Substring(12, 4)}-{hex.Substring(16, 4)}-{hex.Substring(20, 12)}";
    }

    /// <summary>The absolute https (or http) URLs of a component's locations, with their revision and digest.</summary>
    public static IEnumerable<Location> UrlLocations(Disclosure? component)
    {
        foreach (var location in component?.Locations.Nodes ?? Array.Empty<Location>())
        {
            if (IsWebUrl(location.Url.AsString()))
            {
                yield return location;
            }
        }
    }

    /// <summary>A model's or parent's identifiers that are strings (Hub id, revision, purl, DOI, MOT record, URLs), as written.</summary>
    public static List<(string Name, string Value)> Identifiers(JsonValue? identifiers) =>
        (identifiers?.Properties ?? Array.Empty<JsonProperty>())
            .Where(p => p.Value.Kind == JsonValueKind.String)
            .Select(p => (p.Name, p.Value.AsString()!)).ToList();

    /// <summary>
    /// A model's or parent's package URL: the one its identifiers state, else <c>pkg:huggingface/&lt;id&gt;@&lt;revision&gt;</c>
    /// from its Hugging Face id (the purl spec's form: revision in lower case), so that BOM tools match it by that.
    /// </summary>
    public static string? PackageUrl(JsonValue? identifiers)
    {
        if (Identifiers(identifiers).FirstOrDefault(i => i.Value.StartsWith("pkg:", StringComparison.Ordinal)) is { Value: not null } stated)
        {
            return stated.Value;
        }

        var identity = LineageSources.IdentityOf(identifiers);
        if (identity.HuggingFace is not { } id || id.Any(c => !(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '.' or '-' or '_' or '/')))
        {
            return null; // a name that would need percent-encoding is not guessed at
        }

        bool hexRevision = identity.Revision is { } r && r.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f' or >= 'A' and <= 'F');
        return "pkg:huggingface/" + id + (hexRevision ? "@" + identity.Revision!.ToLowerInvariant() : string.Empty);
    }

    public static bool IsWebUrl(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    /// <summary>A JSON value as compact text (hyperparameter values that are objects or arrays).</summary>
    public static string Compact(JsonValue value)
    {
        switch (value.Kind)
        {
            case JsonValueKind.String:
                return value.Text!;
            case JsonValueKind.Number:
                return value.Text!;
            case JsonValueKind.Boolean:
                return value.Boolean ? "true" : "false";
            case JsonValueKind.Null:
                return "null";
            case JsonValueKind.Array:
                return "[" + string.Join(",", value.Items.Select(CompactQuoted)) + "]";
            default:
                return "{" + string.Join(",", value.Properties.Select(p => Quote(p.Name) + ":" + CompactQuoted(p.Value))) + "}";
        }
    }

    private static string CompactQuoted(JsonValue value) => value.Kind == JsonValueKind.String ? Quote(value.Text!) : Compact(value);

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static DateTime? TimestampFrom(string? sourceDateEpoch, IReadOnlyList<ExportedModel> models)
    {
        if (!string.IsNullOrWhiteSpace(sourceDateEpoch)
            && long.TryParse(sourceDateEpoch!.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long seconds)
            && seconds <= 253402300799)
        {
            return new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(seconds);
        }

        DateTime? newest = null;
        foreach (var model in models)
        {
            if (model.Document.Created.AsString() is { } created
                && DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                var utc = new DateTime(parsed.UtcDateTime.Ticks - (parsed.UtcDateTime.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
                newest = newest is null || utc > newest ? utc : newest;
            }
        }

        return newest;
    }
}
