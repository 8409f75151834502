using System;
using System.Collections.Generic;
using System.IO;

namespace OpenTrain.Lineage;

/// <summary>The SPDX licence list embedded in this assembly (identifier and OSI approval), read once on first use.</summary>
internal static class SpdxLicenseList
{
    private static readonly Lazy<(Dictionary<string, (bool Approved, string Id)> Licenses, string Version)> Data = new(Load);

    /// <summary>The list's version, e.g. "spdx-license-list@6.12.0".</summary>
    public static string Version => Data.Value.Version;

    public static bool IsKnown(string id) => Data.Value.Licenses.ContainsKey(id);

    public static bool IsOsiApproved(string id) => Data.Value.Licenses.TryGetValue(id, out var license) && license.Approved;

    /// <summary>The identifier as the list spells it ("apache-2.0" -> "Apache-2.0"), or null when it is not on the list.</summary>
    public static string? Canonical(string id) => Data.Value.Licenses.TryGetValue(id, out var license) ? license.Id : null;

    private static (Dictionary<string, (bool, string)>, string) Load()
    {
        var licenses = new Dictionary<string, (bool, string)>(StringComparer.OrdinalIgnoreCase);
        string version = "unknown";
        using var stream = typeof(SpdxLicenseList).Assembly.GetManifestResourceStream("OpenTrain.Lineage.spdx-licenses.tsv")
            ?? throw new InvalidOperationException("The SPDX licence list resource is missing from OpenTrain.Lineage.");
        using var reader = new StreamReader(stream);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.StartsWith("#", StringComparison.Ordinal))
            {
                int at = line.IndexOf("spdx-license-list@", StringComparison.Ordinal);
                if (at >= 0)
                {
                    version = line.Substring(at).Split(' ')[0];
                }

                continue;
            }

            int tab = line.IndexOf('\t');
            if (tab > 0)
            {
                string id = line.Substring(0, tab);
                licenses[id] = (line.Substring(tab + 1) == "1", id);
            }
        }

        return (licenses, version);
    }
}
