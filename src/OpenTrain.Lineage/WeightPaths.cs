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

    /// <summary>Normalises a declared path for comparisons: '/' separators, no './' segments.</summary>
    public static string Normalize(string path)
    {
        var parts = path.Replace('\\', '/').Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
        return string.Join("/", Array.FindAll(parts, p => p != "."));
    }
}
