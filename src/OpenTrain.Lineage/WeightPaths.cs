using System;

namespace OpenTrain.Lineage;

/// <summary>Weight and parent paths must stay inside the manifest's directory: no absolute paths, no '..'.</summary>
public static class WeightPaths
{
    /// <summary>Why <paramref name="path"/> is not allowed, or null when it is a contained relative path.</summary>
    public static string? Problem(string path)
    {
        if (path.Length == 0)
        {
            return "is empty";
        }

        foreach (char c in path)
        {
            if (c < 0x20 || c == 0x7F)
            {
                return "contains a control character (U+" + ((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture) + "); a file name in a manifest must be printable";
            }
        }

        if (path.StartsWith("/", StringComparison.Ordinal) || path.StartsWith("\\", StringComparison.Ordinal)
            || (path.Length >= 2 && path[1] == ':') || path.StartsWith("~", StringComparison.Ordinal))
        {
            return "is absolute; write it relative to the manifest's directory";
        }

        if (path.IndexOf('\\') >= 0)
        {
            return "uses '\\'; write '/' separators so the manifest reads the same on every OS";
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment == "..")
            {
                return "leaves the manifest's directory ('..'); keep weights next to or below their manifest";
            }
        }

        return null;
    }

    /// <summary>
    /// Normalises a path for comparisons, on strings only (analyzers may not touch the file system): '/' separators,
    /// no empty or '.' segments, '..' resolved where it can be, and a leading '/' kept.
    /// </summary>
    public static string Normalize(string path)
    {
        string p = path.Replace('\\', '/');
        var parts = new System.Collections.Generic.List<string>();
        foreach (var segment in p.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == ".")
            {
                continue;
            }

            if (segment == ".." && parts.Count > 0 && parts[parts.Count - 1] != "..")
            {
                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(segment);
        }

        return (p.StartsWith("/", StringComparison.Ordinal) ? "/" : string.Empty) + string.Join("/", parts);
    }
}
