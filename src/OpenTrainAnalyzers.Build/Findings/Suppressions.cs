using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Microsoft.Build.Framework;
using OpenTrain.Lineage;
using OpenTrainAnalyzers.Build.Weights;

namespace OpenTrainAnalyzers.Build.Findings;

/// <summary>
/// One <c>OpenTrainSuppress</c> item: a code, optionally narrowed to a manifest and a JSON element, with a required
/// justification and an optional expiry date. Expired suppressions stop suppressing; unused ones are reported.
/// </summary>
internal sealed class Suppression
{
    public Suppression(string id, string? manifest, string? manifestFullPath, string? element, string? justification, string? untilText, DateTime? until, string? package = null)
    {
        Id = id;
        Package = package;
        Manifest = manifest;
        ManifestFullPath = manifestFullPath;
        Element = element;
        Justification = justification;
        UntilText = untilText;
        Until = until;
    }

    public string Id { get; }

    /// <summary>The id of the package whose packaged manifests it covers (Package="..."); null for the project's own.</summary>
    public string? Package { get; }

    /// <summary>As written in the item (relative to the project folder, or absolute).</summary>
    public string? Manifest { get; }

    public string? ManifestFullPath { get; }

    public string? Element { get; }

    public string? Justification { get; }

    public string? UntilText { get; }

    public DateTime? Until { get; }

    /// <summary>No justification or an unreadable date (OTL0600): such an item suppresses nothing.</summary>
    public bool Invalid { get; set; }

    public bool Expired { get; set; }

    public int Matched { get; set; }

    public string Status => Invalid ? "invalid" : Expired ? "expired" : Matched == 0 ? "stale" : "active";

    /// <summary>How messages name the item: <c>OTL0300 (manifest 'x', element '$.a')</c>.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Package is not null)
        {
            parts.Add($"package '{Package}'");
        }

        if (Manifest is not null)
        {
            parts.Add($"manifest '{Manifest}'");
        }

        if (Element is not null)
        {
            parts.Add($"element '{Element}'");
        }

        return parts.Count == 0 ? $"'{Id}'" : $"'{Id}' ({string.Join(", ", parts)})";
    }

    public bool Matches(string id, string? manifestFullPath, string element, string? package = null)
    {
        if (!string.Equals(Id, id, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // A packaged manifest's finding is covered only by an item naming its package; the project's own only by one that names none.
        if (!string.Equals(Package, package, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (ManifestFullPath is not null && (manifestFullPath is null || !WeightVerifier.PathComparer.Equals(ManifestFullPath, manifestFullPath)))
        {
            return false;
        }

        return Element is null || ElementMatches(Element, element);
    }

    /// <summary>
    /// Exactly, or as a prefix ending at a segment boundary. JSON paths: '$.training' covers '$.training.code' and
    /// '$.training[0]', not '$.trainingX'. Item paths (OTL0207): 'models' covers 'models/a.onnx', and 'models/a.onnx'
    /// does not cover 'models/a.onnx.data'.
    /// </summary>
    internal static bool ElementMatches(string pattern, string element)
    {
        if (string.Equals(pattern, element, StringComparison.Ordinal))
        {
            return true;
        }

        if (element.Length <= pattern.Length || !element.StartsWith(pattern, StringComparison.Ordinal))
        {
            return false;
        }

        char next = element[pattern.Length];
        bool jsonPath = element.StartsWith("$", StringComparison.Ordinal);
        return pattern.EndsWith(jsonPath ? "." : "/", StringComparison.Ordinal) || (jsonPath ? next is '.' or '[' : next == '/');
    }
}

/// <summary>The project's suppressions and the findings about the items themselves (OTL0600).</summary>
internal sealed class SuppressionSet
{
    // Configuration and suppression codes: suppressing them would hide the gate's own state.
    private static readonly HashSet<string> Unsuppressible = new(StringComparer.OrdinalIgnoreCase)
    {
        LineageRules.UnknownLevel.Id, LineageRules.ValidationFailed.Id, LineageRules.SuppressionInvalid.Id, LineageRules.SuppressionExpired.Id, LineageRules.SuppressionStale.Id, LineageRules.LicensePolicyInvalid.Id,
    };

    private SuppressionSet(List<Suppression> items, List<LineageFinding> problems)
    {
        Items = items;
        Problems = problems;
    }

    public IReadOnlyList<Suppression> Items { get; }

    /// <summary>OTL0600 findings, located at the project file.</summary>
    public IReadOnlyList<LineageFinding> Problems { get; }

    public static SuppressionSet From(IEnumerable<ITaskItem> items, string projectDirectory, DateTime today)
    {
        var suppressions = new List<Suppression>();
        var problems = new List<LineageFinding>();
        foreach (var item in items)
        {
            string id = item.ItemSpec.Trim();
            string? manifest = Optional(item, "Manifest");
            string? element = Optional(item, "Element");
            string? package = Optional(item, "Package");
            string? justification = Optional(item, "Justification");
            string? untilText = Optional(item, "Until");
            DateTime? until = null;
            if (untilText is not null && DateTime.TryParseExact(untilText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                until = parsed.Date;
            }

            string? manifestFullPath = null;
            if (manifest is not null)
            {
                try
                {
                    manifestFullPath = Path.GetFullPath(Path.Combine(projectDirectory, manifest.Replace('/', Path.DirectorySeparatorChar).Replace('\\', Path.DirectorySeparatorChar)));
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException or System.Security.SecurityException)
                {
                    manifestFullPath = manifest; // matches nothing, so it ends up reported as stale
                }
            }

            var suppression = new Suppression(id, manifest, manifestFullPath, element, justification, untilText, until, package);
            var reasons = new List<string>();
            if (justification is null)
            {
                reasons.Add("has no Justification: say why the finding is acceptable (Justification=\"...\")");
            }

            if (untilText is not null && until is null)
            {
                reasons.Add($"has Until=\"{untilText}\", which is not a date in the form yyyy-MM-dd");
            }

            if (Unsuppressible.Contains(id))
            {
                reasons.Add($"names {id}, which reports the gate's own configuration and cannot be suppressed (NoWarn works for its warnings)");
            }

            if (reasons.Count > 0)
            {
                suppression.Invalid = true;
                problems.Add(new LineageFinding(LineageRules.SuppressionInvalid,
                    $"The OpenTrainSuppress item for {suppression.Describe()} {string.Join("; and ", reasons)}. It suppresses nothing until it is fixed.",
                    string.Empty, null, LineageLevel.Declared));
            }
            else if (until is { } date && date < today.Date)
            {
                suppression.Expired = true;
            }

            suppressions.Add(suppression);
        }

        return new SuppressionSet(suppressions, problems);
    }

    /// <summary>
    /// The active suppression covering the finding, or null. Expired suppressions that would have matched are
    /// counted, so their OTL0601 says what they used to cover, but they do not suppress.
    /// </summary>
    public Suppression? Match(string id, string? manifestFullPath, string element, string? package = null)
    {
        Suppression? active = null;
        foreach (var suppression in Items)
        {
            if (suppression.Invalid || !suppression.Matches(id, manifestFullPath, element, package))
            {
                continue;
            }

            suppression.Matched++;
            if (!suppression.Expired && active is null)
            {
                active = suppression;
            }
        }

        return active;
    }

    private static string? Optional(ITaskItem item, string name)
    {
        string value = item.GetMetadata(name).Trim();
        return value.Length == 0 ? null : value;
    }
}
