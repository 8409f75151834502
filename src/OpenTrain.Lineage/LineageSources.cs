using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;

namespace OpenTrain.Lineage;

/// <summary>
/// A manifest a lineage source holds (a folder source, a lineage-only package): found by the identity of the model it
/// describes, never by a path the child wrote. Supplied by the host, which read its bytes under the usual limits.
/// </summary>
public sealed class SourceManifest
{
    private LineageManifest? _manifest;
    private string? _sha256;

    /// <param name="fullPath">Where the file is on disk (its own vendored parents resolve relative to it).</param>
    /// <param name="origin">What messages, reports and exports call it, e.g. "package Contoso.ModelLineage 1.2.0 (opentrain/lineage/aurora.lineage.json)".</param>
    /// <param name="bytes">The file's bytes.</param>
    public SourceManifest(string fullPath, string origin, byte[] bytes)
    {
        FullPath = fullPath;
        Origin = origin;
        Bytes = bytes;
    }

    public string FullPath { get; }

    public string Origin { get; }

    public byte[] Bytes { get; }

    public string Sha256 => _sha256 ??= LineageSources.Sha256Of(Bytes);

    public LineageManifest Manifest => _manifest ??= LineageManifest.Read(Bytes);

    /// <summary>Who the manifest says its model is (its own model.identifiers); empty when it is not readable.</summary>
    public ModelIdentity Identity => _identity ??= Manifest.IsReadable ? LineageSources.IdentityOf(Manifest.Document?.Model.Node?.Identifiers.Value) : default(ModelIdentity);

    private ModelIdentity? _identity;
}

/// <summary>
/// Where parent manifests are found by the parent's identity (docs/sharing-lineage.md): a parent entry with
/// <c>identifiers.huggingface</c> (+ <c>huggingfaceRevision</c>) or <c>identifiers.url</c> and a manifest pinned by
/// <c>sha256</c> alone resolves to the source manifest whose own <c>model.identifiers</c> say the same and whose bytes
/// have that digest. The manifests are loaded on the first lookup only: most builds never need them.
/// </summary>
public sealed class LineageSources
{
    private readonly Func<IReadOnlyList<SourceManifest>> _load;
    private IReadOnlyList<SourceManifest>? _manifests;

    /// <param name="searched">One line per configured source (a folder, a package id and version), for messages.</param>
    /// <param name="load">Reads the sources' manifests; called at most once, on the first lookup; never throws.</param>
    public LineageSources(IReadOnlyList<string> searched, Func<IReadOnlyList<SourceManifest>> load)
    {
        Searched = searched;
        _load = load;
    }

    public static LineageSources None { get; } = new(Array.Empty<string>(), () => Array.Empty<SourceManifest>());

    /// <summary>The sources, described for messages ("folder ../vetted-lineage", "package Contoso.ModelLineage 1.2.0").</summary>
    public IReadOnlyList<string> Searched { get; }

    /// <summary>Source files that are not readable manifests (they cannot say whose lineage they are).</summary>
    public int Unreadable => Manifests.Count(m => !m.Manifest.IsReadable);

    public IReadOnlyList<SourceManifest> Manifests => _manifests ??= _load();

    /// <summary>The identity a parent entry or a model section states: the Hugging Face id and revision, or a URL.</summary>
    public static ModelIdentity IdentityOf(JsonValue? identifiers) =>
        new(HubId(identifiers?["huggingface"]?.AsString()), Trimmed(identifiers?["huggingfaceRevision"]?.AsString()), Url(identifiers?[FieldNames.Url]?.AsString()));

    /// <summary>Source manifests that describe the model <paramref name="wanted"/> names, in a stable order, and those that differ only by revision.</summary>
    public (List<SourceManifest> Matches, List<SourceManifest> OtherRevisions) Find(ModelIdentity wanted)
    {
        // Many children name the same few base models: each identity is searched for once per build.
        // The key compares as the match does: a Hugging Face id and revision without case, a URL's path with it.
        string key = wanted.HuggingFace is not null
            ? "hf " + wanted.HuggingFace.ToLowerInvariant() + "@" + wanted.Revision?.ToLowerInvariant()
            : "url " + wanted.Url;
        if (!_found.TryGetValue(key, out var found))
        {
            found = Search(wanted);
            _found[key] = found;
        }

        return (new List<SourceManifest>(found.Matches), new List<SourceManifest>(found.OtherRevisions));
    }

    private readonly Dictionary<string, (List<SourceManifest> Matches, List<SourceManifest> OtherRevisions)> _found = new(StringComparer.Ordinal);

    private (List<SourceManifest> Matches, List<SourceManifest> OtherRevisions) Search(ModelIdentity wanted)
    {
        var matches = new List<SourceManifest>();
        var otherRevisions = new List<SourceManifest>();
        if (wanted.IsEmpty)
        {
            return (matches, otherRevisions);
        }

        foreach (var candidate in Manifests)
        {
            // Only a file whose bytes name the Hugging Face id can state it: the others are not parsed at all (a source
            // of a thousand base models costs one byte search per lookup, not a thousand parses). A name written with
            // JSON escapes is missed, which can only leave the parent unresolved (OTL0501), never resolve a wrong one.
            if (wanted.HuggingFace is not null && !ContainsAsciiIgnoreCase(candidate.Bytes, wanted.HuggingFace))
            {
                continue;
            }

            var own = candidate.Identity;
            if (wanted.HuggingFace is not null)
            {
                if (!string.Equals(own.HuggingFace, wanted.HuggingFace, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                // A parent pinned to a revision needs the manifest of that revision; one that states no revision is not it.
                if (wanted.Revision is not null && !string.Equals(own.Revision, wanted.Revision, StringComparison.OrdinalIgnoreCase))
                {
                    otherRevisions.Add(candidate);
                    continue;
                }

                matches.Add(candidate);
            }
            else if (wanted.Url is not null && string.Equals(own.Url, wanted.Url, StringComparison.Ordinal))
            {
                matches.Add(candidate);
            }
        }

        matches.Sort((a, b) => string.CompareOrdinal(a.Origin, b.Origin));
        otherRevisions.Sort((a, b) => string.CompareOrdinal(a.Origin, b.Origin));
        return (matches, otherRevisions);
    }

    /// <summary>ASCII case-insensitive search of <paramref name="text"/> (a Hugging Face id: ASCII) in UTF-8 bytes.</summary>
    internal static bool ContainsAsciiIgnoreCase(byte[] bytes, string text)
    {
        if (text.Length == 0 || text.Any(c => c > 0x7F))
        {
            return true; // not searchable as ASCII: parse instead
        }

        byte first = (byte)char.ToLowerInvariant(text[0]);
        for (int i = 0; i + text.Length <= bytes.Length; i++)
        {
            if (Lower(bytes[i]) != first)
            {
                continue;
            }

            int k = 1;
            while (k < text.Length && Lower(bytes[i + k]) == (byte)char.ToLowerInvariant(text[k]))
            {
                k++;
            }

            if (k == text.Length)
            {
                return true;
            }
        }

        return false;
    }

    private static byte Lower(byte b) => b >= (byte)'A' && b <= (byte)'Z' ? (byte)(b | 0x20) : b;

    /// <summary>One manifest per distinct content: the same bytes in two sources are one manifest.</summary>
    public static List<SourceManifest> DistinctContents(IEnumerable<SourceManifest> manifests) =>
        manifests.GroupBy(m => m.Sha256, StringComparer.Ordinal).Select(g => g.First()).ToList();

    internal static string Sha256Of(byte[] bytes)
    {
        using var sha = SHA256.Create();
        return Digests.ToHex(sha.ComputeHash(bytes));
    }

    private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text!.Trim();

    /// <summary>"org/name", also when written as a huggingface.co URL.</summary>
    private static string? HubId(string? text)
    {
        string? id = Trimmed(text);
        if (id is null)
        {
            return null;
        }

        foreach (var prefix in new[] { "https://huggingface.co/", "http://huggingface.co/", "huggingface.co/", "hf.co/" })
        {
            if (id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                id = id.Substring(prefix.Length);
                break;
            }
        }

        id = id.TrimEnd('/');
        return id.Length == 0 ? null : id;
    }

    /// <summary>A URL compared without its trailing slash and with its scheme and host in lower case.</summary>
    private static string? Url(string? text)
    {
        string? url = Trimmed(text)?.TrimEnd('/');
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return url;
        }

        return uri.Scheme.ToLowerInvariant() + "://" + uri.Authority.ToLowerInvariant() + uri.PathAndQuery.TrimEnd('/') + uri.Fragment;
    }
}

/// <summary>Who a model is: its Hugging Face id and revision, or its URL. Empty when neither is stated.</summary>
public readonly struct ModelIdentity
{
    public ModelIdentity(string? huggingFace, string? revision, string? url)
    {
        HuggingFace = huggingFace;
        Revision = huggingFace is null ? null : revision;
        Url = url;
    }

    public string? HuggingFace { get; }

    public string? Revision { get; }

    public string? Url { get; }

    public bool IsEmpty => HuggingFace is null && Url is null;

    public override string ToString() =>
        HuggingFace is not null ? "huggingface " + HuggingFace + (Revision is null ? string.Empty : "@" + Revision) : Url is not null ? "url " + Url : "no identity";
}
