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
/// <c>identifiers</c> (<c>huggingface</c> + <c>huggingfaceRevision</c>, <c>url</c>, <c>purl</c>, <c>doi</c>,
/// <c>motRecord</c>) and a manifest pinned by <c>sha256</c> alone resolves to the source manifest whose own
/// <c>model.identifiers</c> agree with it and whose bytes have that digest. The identity only narrows the search; the
/// pinned digest decides. The manifests are loaded on the first lookup only: most builds never need them.
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

    /// <summary>
    /// The identity a parent entry or a model section states. A <c>pkg:huggingface/…</c> purl states the Hugging Face id
    /// and revision (when the huggingface fields do not); any other purl, a DOI and a MOT record are compared as ids.
    /// </summary>
    public static ModelIdentity IdentityOf(JsonValue? identifiers)
    {
        string? hub = HubId(identifiers?["huggingface"]?.AsString());
        string? revision = Trimmed(identifiers?["huggingfaceRevision"]?.AsString());
        string? purl = Purl(identifiers?[FieldNames.Purl]?.AsString(), out string? purlHub, out string? purlRevision);
        if (purlHub is not null)
        {
            // pkg:huggingface/<namespace>/<name>@<revision> (the purl spec's type for Hugging Face models).
            if (hub is null)
            {
                hub = purlHub;
                revision ??= purlRevision;
            }
            else if (string.Equals(hub, purlHub, StringComparison.OrdinalIgnoreCase))
            {
                revision ??= purlRevision;
            }

            purl = null;
        }

        return new ModelIdentity(hub, revision, Url(identifiers?[FieldNames.Url]?.AsString()), purl, Doi(identifiers?["doi"]?.AsString()), Trimmed(identifiers?["motRecord"]?.AsString()));
    }

    /// <summary>Source manifests that describe the model <paramref name="wanted"/> names, in a stable order, and those that differ only by revision.</summary>
    public (List<SourceManifest> Matches, List<SourceManifest> OtherRevisions) Find(ModelIdentity wanted)
    {
        // Many children name the same few base models: each identity is searched for once per build.
        // The key compares as the match does: a Hugging Face id, revision and DOI without case, the others with it.
        string key = string.Join("\n", "hf " + wanted.HuggingFace?.ToLowerInvariant() + "@" + wanted.Revision?.ToLowerInvariant(),
            "url " + (wanted.HasModelId ? null : wanted.Url), "purl " + wanted.Purl, "doi " + wanted.Doi?.ToLowerInvariant(), "mot " + wanted.MotRecord);
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

        // Only a file whose bytes write one of the wanted ids can state it: the others are not parsed at all (a source of
        // a thousand base models costs one byte search per lookup, not a thousand parses). An id written with JSON escapes
        // is missed, which can only leave the parent unresolved (OTL0501), never resolve a wrong one. A URL is compared
        // normalised (host case, trailing slash), so it has no such text: a parent known by its URL alone parses every candidate.
        var texts = !wanted.HasModelId ? null
            : new[] { wanted.HuggingFace, PurlText(wanted.Purl), wanted.Doi, wanted.MotRecord }.Where(t => t is not null).Select(t => new AsciiSearch(t!)).ToList();
        foreach (var candidate in Manifests)
        {
            if (texts is not null && !texts.Any(text => text.In(candidate.Bytes)))
            {
                continue;
            }

            switch (Compare(wanted, candidate.Identity))
            {
                case Agreement.Same:
                    matches.Add(candidate);
                    break;
                case Agreement.OtherRevision:
                    otherRevisions.Add(candidate);
                    break;
            }
        }

        matches.Sort((a, b) => string.CompareOrdinal(a.Origin, b.Origin));
        otherRevisions.Sort((a, b) => string.CompareOrdinal(a.Origin, b.Origin));
        return (matches, otherRevisions);
    }

    /// <summary>What a writer of the same purl certainly wrote: all but "pkg:" (which may be written "pkg:/").</summary>
    private static string? PurlText(string? purl) =>
        purl is not null && purl.StartsWith("pkg:", StringComparison.Ordinal) ? purl.Substring(4) : purl;

    private enum Agreement
    {
        Different,
        Same,
        OtherRevision,
    }

    /// <summary>
    /// Whether a source manifest's own identity is the wanted one. The ids that name one model (Hugging Face id, purl,
    /// DOI, MOT record): every kind both state agrees, and they share at least one; a parent pinned to a revision needs a
    /// manifest of that revision (one that states none is not it). A URL is often a project's page rather than the
    /// model's, so it is compared only when the parent states no other id. Agreeing on more than is needed costs nothing:
    /// the pinned digest still has to match the manifest's bytes.
    /// </summary>
    private static Agreement Compare(ModelIdentity wanted, ModelIdentity own)
    {
        if (!wanted.HasModelId)
        {
            return wanted.Url is not null && string.Equals(own.Url, wanted.Url, StringComparison.Ordinal) ? Agreement.Same : Agreement.Different;
        }

        bool shared = false;
        bool otherRevision = false;
        if (wanted.HuggingFace is not null && own.HuggingFace is not null)
        {
            if (!string.Equals(own.HuggingFace, wanted.HuggingFace, StringComparison.OrdinalIgnoreCase))
            {
                return Agreement.Different;
            }

            otherRevision = wanted.Revision is not null && !string.Equals(own.Revision, wanted.Revision, StringComparison.OrdinalIgnoreCase);
            shared = true;
        }

        foreach (var (a, b, comparison) in new[]
        {
            (wanted.Purl, own.Purl, StringComparison.Ordinal),
            (wanted.Doi, own.Doi, StringComparison.OrdinalIgnoreCase),
            (wanted.MotRecord, own.MotRecord, StringComparison.Ordinal),
        })
        {
            if (a is not null && b is not null)
            {
                if (!string.Equals(a, b, comparison))
                {
                    return Agreement.Different;
                }

                shared = true;
            }
        }

        return !shared ? Agreement.Different : otherRevision ? Agreement.OtherRevision : Agreement.Same;
    }

    /// <summary>ASCII case-insensitive search of <paramref name="text"/> in UTF-8 bytes (see <see cref="AsciiSearch"/>).</summary>
    internal static bool ContainsAsciiIgnoreCase(byte[] bytes, string text) => new AsciiSearch(text).In(bytes);

    /// <summary>
    /// One id searched for, ASCII without case, in many manifests' bytes: the pattern is prepared once per lookup, and
    /// each search is linear (Knuth-Morris-Pratt): a packaged manifest chooses its parents' ids, and a naive search of a
    /// long id against near misses in a large source would run for hours.
    /// </summary>
    private sealed class AsciiSearch
    {
        private readonly byte[]? _pattern;
        private readonly int[] _fallback = Array.Empty<int>();

        public AsciiSearch(string text)
        {
            if (text.Length == 0 || text.Any(c => c > 0x7F))
            {
                return; // not searchable as ASCII: every candidate is parsed instead (once per build)
            }

            _pattern = new byte[text.Length];
            for (int i = 0; i < text.Length; i++)
            {
                _pattern[i] = Lower((byte)text[i]);
            }

            // _fallback[i]: the length of the longest proper prefix of _pattern[0..i] that is also its suffix.
            _fallback = new int[_pattern.Length];
            for (int i = 1, k = 0; i < _pattern.Length; i++)
            {
                while (k > 0 && _pattern[i] != _pattern[k])
                {
                    k = _fallback[k - 1];
                }

                if (_pattern[i] == _pattern[k])
                {
                    k++;
                }

                _fallback[i] = k;
            }
        }

        public bool In(byte[] bytes)
        {
            if (_pattern is null)
            {
                return true;
            }

            for (int i = 0, matched = 0; i < bytes.Length; i++)
            {
                byte b = Lower(bytes[i]);
                while (matched > 0 && b != _pattern[matched])
                {
                    matched = _fallback[matched - 1];
                }

                if (b == _pattern[matched] && ++matched == _pattern.Length)
                {
                    return true;
                }
            }

            return false;
        }
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

    /// <summary>
    /// A package URL compared without its qualifiers and subpath (their order and presence vary between writers), with
    /// its type in lower case. A <c>pkg:huggingface</c> purl is returned as its Hugging Face id and revision instead.
    /// </summary>
    private static string? Purl(string? text, out string? hub, out string? revision)
    {
        hub = null;
        revision = null;
        string? purl = Trimmed(text);
        if (purl is null || !purl.StartsWith("pkg:", StringComparison.OrdinalIgnoreCase))
        {
            return purl; // not a purl: still an id to compare as written
        }

        string body = purl.Substring(4).TrimStart('/');
        int end = body.IndexOfAny(new[] { '?', '#' });
        body = (end < 0 ? body : body.Substring(0, end)).TrimEnd('/');
        int slash = body.IndexOf('/');
        if (slash <= 0)
        {
            return body.Length == 0 ? null : "pkg:" + body; // not a valid purl: compared as written
        }

        string type = body.Substring(0, slash).ToLowerInvariant();
        string rest = body.Substring(slash + 1);
        if (type == "huggingface")
        {
            int at = rest.LastIndexOf('@');
            // Hub names and revisions need no percent-encoding ([A-Za-z0-9._-]); one that has it is compared as written.
            string name = at < 0 ? rest : rest.Substring(0, at);
            revision = at < 0 ? null : Trimmed(rest.Substring(at + 1));
            hub = name.Trim('/').Length == 0 ? null : name;
            revision = hub is null ? null : revision;
            return null; // the Hub id and revision, or nothing when the purl names no model
        }

        return "pkg:" + type + "/" + rest;
    }

    /// <summary>A DOI without its resolver or "doi:" prefix (DOIs are compared without case).</summary>
    private static string? Doi(string? text)
    {
        string? doi = Trimmed(text);
        if (doi is null)
        {
            return null;
        }

        foreach (var prefix in new[] { "https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi.org/", "doi:" })
        {
            if (doi.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                doi = doi.Substring(prefix.Length).Trim();
                break;
            }
        }

        return doi.Length == 0 ? null : doi;
    }
}

/// <summary>Who a model is: its Hugging Face id and revision, URL, package URL, DOI, MOT record. Empty when none is stated.</summary>
public readonly struct ModelIdentity
{
    public ModelIdentity(string? huggingFace, string? revision, string? url, string? purl = null, string? doi = null, string? motRecord = null)
    {
        HuggingFace = huggingFace;
        Revision = huggingFace is null ? null : revision;
        Url = url;
        Purl = purl;
        Doi = doi;
        MotRecord = motRecord;
    }

    public string? HuggingFace { get; }

    public string? Revision { get; }

    public string? Url { get; }

    /// <summary>A package URL other than pkg:huggingface (that one is <see cref="HuggingFace"/>), without qualifiers.</summary>
    public string? Purl { get; }

    public string? Doi { get; }

    public string? MotRecord { get; }

    public bool IsEmpty => !HasModelId && Url is null;

    /// <summary>An id that names one model (not a URL, which may be a project's page): then the URL is not compared.</summary>
    public bool HasModelId => HuggingFace is not null || Purl is not null || Doi is not null || MotRecord is not null;

    /// <summary>The ids a lookup compares, for messages: "huggingface org/name@rev, doi 10.…" or "url https://…".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (HuggingFace is not null)
        {
            parts.Add("huggingface " + HuggingFace + (Revision is null ? string.Empty : "@" + Revision));
        }

        foreach (var (kind, value) in new[] { ("purl", Purl), ("doi", Doi), ("motRecord", MotRecord), ("url", HasModelId ? null : Url) })
        {
            if (value is not null)
            {
                parts.Add(kind + " " + value);
            }
        }

        return parts.Count == 0 ? "no identity" : string.Join(", ", parts);
    }
}
