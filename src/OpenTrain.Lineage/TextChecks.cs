using System;
using System.Linq;
using System.Text.RegularExpressions;

namespace OpenTrain.Lineage;

/// <summary>What counts as "not really written": placeholders, evasions, fake URLs and digests.</summary>
internal static class TextChecks
{
    private static readonly string[] PlaceholderWords =
    {
        "todo", "tbd", "tba", "tbc", "fixme", "xxx", "n/a", "na", "none", "null", "nil", "unknown", "unspecified",
        "not specified", "-", "--", "?", "...", "same as above", "see above", "various",
    };

    private static readonly string[] Evasions =
    {
        "not disclosed", "undisclosed", "not publicly disclosed", "not available", "no information", "proprietary",
        "confidential", "internal",
    };

    private static readonly Regex PlaceholderPattern = new Regex(
        @"\[More Information Needed\]|\[Needs More Information\]|\[NEEDS INPUT\]|\[FILL[^\]]*\]|\[TODO[^\]]*\]|\{\{.*\}\}|^<[^>]+>$|lorem ipsum|coming soon|to be (added|announced|determined|released)|will be (added|published|released)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
        TimeSpan.FromMilliseconds(200));

    private static readonly Regex Sha256Pattern = new Regex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant);
    private static readonly Regex CommitInUrl = new Regex("/(blob|tree|resolve|raw|commit)/[0-9a-f]{40}([0-9a-f]{24})?(/|$)", RegexOptions.CultureInvariant);
    private static readonly Regex ImmutableRevision = new Regex(
        @"^([0-9a-f]{40}|[0-9a-f]{64}|10\.\d{4,9}/\S+|(arxiv:)?\d{4}\.\d{4,5}v\d+|pkg:[a-z0-9.+-]+/\S+@\S+)$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    public const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>True when a free-text value is a placeholder rather than content.</summary>
    public static bool IsPlaceholder(string value)
    {
        string trimmed = value.Trim();
        if (PlaceholderWords.Contains(trimmed.ToLowerInvariant()))
        {
            return true;
        }

        try
        {
            return PlaceholderPattern.IsMatch(trimmed);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>True when a narrative only says that the thing is withheld.</summary>
    public static bool IsEvasion(string value)
    {
        string trimmed = value.Trim().TrimEnd('.').ToLowerInvariant();
        return Evasions.Contains(trimmed);
    }

    public static int WordCount(string value) =>
        value.Split(new[] { ' ', '\t', '\n', '\r' }, StringSplitOptions.RemoveEmptyEntries).Length;

    public static bool IsSha256(string value) => Sha256Pattern.IsMatch(value);

    /// <summary>A digest that is well-formed but obviously not of real content.</summary>
    public static bool IsPlaceholderDigest(string value) => value.Distinct().Count() == 1;

    public static bool IsImmutableRevision(string value) => ImmutableRevision.IsMatch(value.Trim());

    public static bool UrlEmbedsCommit(string url) => CommitInUrl.IsMatch(url);

    /// <summary>Why a URL cannot be a real published location, or null when it looks like one.</summary>
    public static string? UrlProblem(string url, out bool isWarningOnly)
    {
        isWarningOnly = false;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "is not an absolute URL";
        }

        if (uri.Scheme == "file")
        {
            return "is a file: URL; use a 'path' relative to the manifest for local files";
        }

        if (uri.Scheme == "http")
        {
            isWarningOnly = true;
            return "uses plain http; use https so the location cannot be tampered with in transit";
        }

        if (uri.Scheme != "https")
        {
            return $"uses the '{uri.Scheme}' scheme; use https";
        }

        string host = uri.Host.ToLowerInvariant();
        if (host is "example.com" or "example.org" or "example.net" or "localhost"
            || host.EndsWith(".example.com", StringComparison.Ordinal) || host.EndsWith(".example", StringComparison.Ordinal)
            || host.EndsWith(".test", StringComparison.Ordinal) || host.EndsWith(".invalid", StringComparison.Ordinal)
            || host.EndsWith(".localhost", StringComparison.Ordinal) || IsPrivateAddress(host))
        {
            return $"points at '{host}', which is a placeholder or local host";
        }

        string path = Uri.UnescapeDataString(uri.AbsolutePath).ToLowerInvariant();
        if (path.Contains("/path/to/") || path.Contains("your-org") || path.Contains("your_org") || path.Contains("<") || path.Contains("{{"))
        {
            return "contains a template segment (such as /path/to/ or your-org)";
        }

        return null;
    }

    private static bool IsPrivateAddress(string host)
    {
        if (host == "[::1]" || host == "::1")
        {
            return true;
        }

        var parts = host.Split('.');
        if (parts.Length != 4 || !parts.All(p => int.TryParse(p, out _)))
        {
            return false;
        }

        int a = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        int b = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        return a == 127 || a == 10 || a == 0 || (a == 192 && b == 168) || (a == 172 && b >= 16 && b <= 31) || (a == 169 && b == 254);
    }
}
