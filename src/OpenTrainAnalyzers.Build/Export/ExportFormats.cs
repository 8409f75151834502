using System;
using System.Collections.Generic;

namespace OpenTrainAnalyzers.Build.Export;

/// <summary>The formats OpenTrainExport can name.</summary>
[Flags]
internal enum ExportFormats
{
    None = 0,
    CycloneDx = 1,
    Spdx = 2,
    Mot = 4,
}

internal static class ExportFormatNames
{
    /// <summary>
    /// Reads "cyclonedx+spdx+mot", "cyclonedx;spdx" (quoted on a command line, where MSBuild splits an unquoted ';'),
    /// commas or spaces alike; case does not matter. Names it does not know are returned for a coded error.
    /// </summary>
    public static ExportFormats Parse(string? text, out List<string> unknown)
    {
        unknown = new List<string>();
        var formats = ExportFormats.None;
        foreach (var part in (text ?? string.Empty).Split(new[] { ';', '+', ',', ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries))
        {
            string name = part.Trim().Trim('"', '\'');
            switch (name.ToLowerInvariant())
            {
                case "":
                    break;
                case "cyclonedx":
                case "cdx":
                    formats |= ExportFormats.CycloneDx;
                    break;
                case "spdx":
                    formats |= ExportFormats.Spdx;
                    break;
                case "mot":
                    formats |= ExportFormats.Mot;
                    break;
                default:
                    unknown.Add(name);
                    break;
            }
        }

        return formats;
    }
}
