using System;
using System.Linq;
using System.Text.RegularExpressions;
using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;

namespace OpenTrain.Lineage.Policy;

/// <summary>
/// Cross-cutting: what every component says about itself (D(x): availability, description, locations, licence,
/// access conditions or justification), what makes it open (O_code, O_data, O_doc) and what pins a location.
/// </summary>
internal sealed partial class PolicyRun
{
    /// <summary>D(x): the component says what it is and how it can be obtained. Returns false when unusable.</summary>
    private bool Disclose(Disclosure? component, string what, LineageLevel level, bool notApplicableAllowed)
    {
        if (component is null)
        {
            return false;
        }

        var availability = Text(component.Availability, level, $"whether {what} is open, restricted, closed or not-applicable", enumerated: true);
        switch (availability?.Text)
        {
            case "open":
                Text(component.Description, level, $"a description of {what}", narrative: true);
                NeedLocations(component, what, level);
                if (Text(component.License, level, $"the licence of {what} (an SPDX expression)", rule: LineageRules.LicenseMissing, enumerated: true)?.Text is { } license)
                {
                    if (Licenses.Judge(license, ContentKind.Code).Status == LicenseStatus.Invalid)
                    {
                        Report(LineageRules.LicenseInvalid, component.License.Value!, level, $"'{license}' is not a valid SPDX licence expression (write e.g. MIT, Apache-2.0, CC-BY-4.0 OR MIT).");
                    }
                }

                CheckOpenText(component, what, level);
                break;
            case "restricted":
                Text(component.Description, level, $"a description of {what}", narrative: true);
                NeedLocations(component, what, level);
                Text(component.AccessConditions, level, $"the conditions under which {what} can be obtained", narrative: true);
                break;
            case "closed":
                Text(component.Description, level, $"a description of {what}", narrative: true);
                Text(component.Justification, level, $"why {what} cannot be published", narrative: true, allowEvasion: true);
                break;
            case "not-applicable":
                if (!notApplicableAllowed)
                {
                    Report(LineageRules.NotApplicableMisused, availability, level,
                        $"{Capitalize(what)} cannot be 'not-applicable' here; say whether it is open, restricted or closed.");
                    return false;
                }

                if (component.Justification.Value is null)
                {
                    Report(LineageRules.NotApplicableMisused, availability, level, $"Explain in 'justification' why {what} does not exist for this model.");
                }

                break;
            default:
                return availability is not null;
        }

        foreach (var location in component.Locations.Nodes)
        {
            CheckLocation(location, level);
        }

        return true;
    }

    private void NeedLocations(Disclosure component, string what, LineageLevel level)
    {
        var locations = component.Locations.Value;
        if (locations is null || locations.Items.Count == 0)
        {
            Report(LineageRules.LocationMissing, locations ?? component.Json, level, $"Say where {what} can be obtained: add locations [{{ \"url\": ..., \"revision\": ... }}] or [{{ \"path\": ... }}].");
        }
    }

    private void CheckOpenText(Disclosure component, string what, LineageLevel level)
    {
        string description = component.Description.Text ?? string.Empty;
        if (description.IndexOf("on request", StringComparison.OrdinalIgnoreCase) >= 0
            || description.IndexOf("contact us", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            Report(LineageRules.StatusContradiction, component.Availability.Value!, level,
                $"{Capitalize(what)} is marked 'open' but its description says it is available on request: that is 'restricted' (add accessConditions).");
        }

        // Items that are not objects count as pinned here: the reader reported them already.
        var locations = component.Locations;
        if (locations.Items.Count > 0 && locations.Nodes.Count == locations.Items.Count && locations.Nodes.All(l => !IsPinned(l)))
        {
            Report(LineageRules.LocationNotPinned, locations.Value!, level,
                $"No location of {what} is pinned; add a 'revision' (commit, DOI, versioned id) or 'digest' so readers get exactly what was used.",
                FindingSeverity.Warning);
        }
    }

    private void CheckLocation(Location location, LineageLevel level) => CheckLocation(location.Json, location.Url, location.Path, level);

    /// <summary>A dataset source is named by a URL only.</summary>
    private void CheckSourceUrl(Source source, LineageLevel level) => CheckLocation(source.Json, source.Url, null, level);

    private void CheckLocation(JsonValue location, ManifestField url, ManifestField? localPath, LineageLevel level)
    {
        var path = localPath?.Value;
        if (url.Value is null && path is null && localPath is not null)
        {
            Report(LineageRules.LocationMissing, location, level, "A location has a 'url' or a 'path'.");
            return;
        }

        if (url.Text is { } text && TextChecks.UrlProblem(text, out bool warningOnly) is { } problem)
        {
            Report(LineageRules.BadUrl, url.Value!, level, $"'{text}' {problem}.", warningOnly ? FindingSeverity.Warning : null);
        }

        if (path?.Text is { } local && (local.StartsWith("/", StringComparison.Ordinal) || local.Contains(":") || local.Contains("\\")))
        {
            Report(LineageRules.PathEscapes, path, level, $"'{local}' is not a relative path with '/' separators; write it relative to the manifest.");
        }
    }

    /// <summary>O_code / O_data / O_doc: open, licensed openly for its content, and (where asked) pinned.</summary>
    private void RequireOpen(Disclosure? component, string what, LineageLevel level, ContentKind kind, bool pinned)
    {
        var availability = component?.Availability.Value;
        if (component is null || availability?.Text != "open")
        {
            if (availability?.Text is { } actual && !(actual == "not-applicable" && level > Declared && _noTrainingHappened))
            {
                Report(LineageRules.NotOpenEnough, availability, level,
                    $"{Requirement(level)}, {what} must be open (published with an open licence); it is '{actual}'.");
            }

            return;
        }

        if (component.License.Text is { } license)
        {
            JudgeLicense(component.License.Value!, license, kind, level, what);
        }

        if (pinned)
        {
            // One pinned location makes the component reproducible; further unpinned ones (a project page, a
            // mirror) add information, so they warn instead of costing the level.
            var locations = component.Locations.Nodes;
            bool anyPinned = locations.Any(IsPinned);
            foreach (var location in locations.Where(l => !IsPinned(l)))
            {
                Report(LineageRules.LocationNotPinned, location.Url.Value ?? location.Json, level,
                    anyPinned
                        ? $"'{location.Url.Text}' is not pinned; {what} is pinned by another location, but readers who follow this one may get something else: add a 'revision' or a 'digest'."
                        : $"{Requirement(level)}, {what} must be pinned: add a 'revision' (full commit hash, DOI, versioned id) or a 'digest' to '{location.Url.Text}'.",
                    anyPinned ? FindingSeverity.Warning : null);
            }
        }
    }

    private static bool IsOpen(Disclosure? component) => component?.Availability.Text == "open";

    private static bool IsPinned(Location location)
    {
        if (location.Path.Value is not null)
        {
            return true; // project-local files are pinned by the build's own source revision
        }

        return (location.Digest.Node?.Sha256.Text is { } digest && TextChecks.IsSha256(digest))
            || (location.Revision.Text is { } revision && TextChecks.IsImmutableRevision(revision))
            || (location.Url.Text is { } url && (TextChecks.UrlEmbedsCommit(url) || VersionedArxivUrl.IsMatch(url.Trim())));
    }

    // An arXiv version (2403.01234v2, hep-th/9901001v1) never changes once announced, so a URL that names it is pinned
    // like a revision; without the version the URL follows the latest one.
    private static readonly Regex VersionedArxivUrl = new Regex(
        @"^https://(www\.)?arxiv\.org/(abs|pdf)/(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})v\d+(\.pdf)?/?$",
        RegexOptions.CultureInvariant,
        TimeSpan.FromMilliseconds(200));
}
