using System;
using System.Collections.Generic;
using System.Text;

namespace OpenTrain.Lineage;

/// <summary>A Hugging Face Hub licence id turned into what a manifest's <c>license</c> field holds.</summary>
public sealed class HubLicense
{
    internal HubLicense(string expression, string? url, string why)
    {
        Expression = expression;
        Url = url;
        Why = why;
    }

    /// <summary>An SPDX identifier, or <c>LicenseRef-…</c> for a licence outside the SPDX list.</summary>
    public string Expression { get; }

    /// <summary>Where the licence text is, for a <c>LicenseRef-…</c> (the card's <c>license_link</c> when it is a URL).</summary>
    public string? Url { get; }

    /// <summary>How the id was mapped, for the message that traces each value to its source.</summary>
    public string Why { get; }

    public bool IsSpdx => !Expression.StartsWith("LicenseRef-", StringComparison.Ordinal);
}

/// <summary>
/// The Hub's licence ids (the <c>license:</c> of a model card, GGUF <c>general.license</c>) mapped to SPDX. Most are
/// SPDX identifiers in lower case; the rest are licence families the SPDX list does not name as one licence ("gpl",
/// "cc", "bsd"), model licences outside it ("llama3.2", "gemma", "openrail++"), or "other" with a
/// <c>license_name</c>. Those become <c>LicenseRef-…</c>: honest, never open, and kept at <c>declared</c> by the gate.
/// </summary>
public static class HubLicenses
{
    // Hub ids that are SPDX identifiers under another spelling.
    private static readonly Dictionary<string, string> Renamed = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lgpl-lr"] = "LGPLLR",
    };

    // Hub ids that name a family of licences, not one SPDX identifier: mapping them to a member would be a guess.
    private static readonly HashSet<string> Families = new(StringComparer.OrdinalIgnoreCase)
    {
        "bsd", "cc", "gpl", "lgpl", "gfdl", "openrail",
    };

    /// <summary>
    /// The manifest licence for a Hub id, or null when the id establishes nothing (empty, "unknown", or "other" without
    /// a <paramref name="licenseName"/>).
    /// </summary>
    public static HubLicense? Map(string? hubId, string? licenseName = null, string? licenseLink = null)
    {
        string id = (hubId ?? string.Empty).Trim();
        string? url = licenseLink is not null && licenseLink.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? licenseLink.Trim() : null;
        if (id.Length == 0 || id.Equals("unknown", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (id.Equals("other", StringComparison.OrdinalIgnoreCase))
        {
            return string.IsNullOrWhiteSpace(licenseName)
                ? null
                : new HubLicense("LicenseRef-" + IdString(licenseName!), url, $"'other' with license_name '{licenseName!.Trim()}'");
        }

        if (Renamed.TryGetValue(id, out var renamed))
        {
            return new HubLicense(renamed, null, $"Hub id '{id}' is SPDX '{renamed}'");
        }

        if (!Families.Contains(id) && SpdxLicenseList.Canonical(id) is { } spdx)
        {
            return new HubLicense(spdx, null, id == spdx ? "an SPDX identifier" : $"Hub id '{id}' is SPDX '{spdx}'");
        }

        return new HubLicense("LicenseRef-" + IdString(id), url, Families.Contains(id)
            ? $"Hub id '{id}' names a family of licences, not one SPDX licence"
            : $"Hub id '{id}' is not on the SPDX licence list");
    }

    /// <summary>An SPDX idstring: letters, digits, '.' and '-' only.</summary>
    private static string IdString(string text)
    {
        var id = new StringBuilder(text.Length);
        foreach (char c in text.Trim())
        {
            id.Append(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '-' ? c.ToString() : c == '+' ? "-plus" : "-");
        }

        return id.ToString().Trim('-') is { Length: > 0 } trimmed ? trimmed : "unnamed";
    }
}
