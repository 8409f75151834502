using System;
using System.Collections.Generic;
using System.Globalization;
using OpenTrain.Lineage.Json;

namespace OpenTrain.Lineage.Signing;

/// <summary>One signed resource: a file (<c>files</c>) or a byte range of one (<c>shards</c>: <c>path:start:end</c>).</summary>
public sealed class OmsResource
{
    internal OmsResource(string name, string path, long start, long end, string digest)
    {
        Name = name;
        Path = path;
        Start = start;
        End = end;
        Digest = digest;
    }

    /// <summary>As signed: a POSIX path relative to the model folder ("." for a single-file model), or <c>path:start:end</c>.</summary>
    public string Name { get; }

    /// <summary>The file the resource is (a part of).</summary>
    public string Path { get; }

    /// <summary>Shards only: the byte range [Start, End); -1 for whole files.</summary>
    public long Start { get; }

    public long End { get; }

    /// <summary>Lowercase hex SHA-256.</summary>
    public string Digest { get; }
}

/// <summary>
/// The in-toto statement inside an OpenSSF model signature (predicate type <see cref="PredicateType"/>), parsed
/// strictly and never throwing. Unknown predicate fields are allowed (the spec reserves them for extensions); a
/// duplicate key anywhere is refused, so no two readers can see two different statements in the same signed bytes.
/// </summary>
public sealed class OmsStatement
{
    public const string StatementType = "https://in-toto.io/Statement/v1";
    public const string PredicateType = "https://model_signing/signature/v1.0";

    private OmsStatement()
    {
    }

    public string SubjectName { get; private set; } = string.Empty;

    /// <summary>The signed root digest: SHA-256 over the resources' raw digests in sorted order.</summary>
    public string SubjectDigest { get; private set; } = string.Empty;

    /// <summary><c>files</c> or <c>shards</c>.</summary>
    public string Serialization { get; private set; } = string.Empty;

    public string HashType { get; private set; } = string.Empty;

    public long ShardSize { get; private set; }

    public bool AllowSymlinks { get; private set; }

    public IReadOnlyList<string> IgnorePaths { get; private set; } = Array.Empty<string>();

    public IReadOnlyList<OmsResource> Resources { get; private set; } = Array.Empty<OmsResource>();

    /// <summary>True when the statement is about a single file (its one resource is named ".").</summary>
    public bool IsSingleFile => Resources.Count == 1 && Resources[0].Path == ".";

    /// <summary>
    /// The statement, or null and why not. <paramref name="unsupported"/> is set (and null returned) when the
    /// statement is well formed but uses what this verifier cannot check (another hash than SHA-256, an older
    /// predicate): never reported as verified, never as forged.
    /// </summary>
    public static OmsStatement? Parse(byte[] payload, out string? problem, out bool unsupported)
    {
        problem = null;
        unsupported = false;
        if (!Utf8Text.TryDecode(payload, payload.Length, out string text, out _))
        {
            problem = "the signed statement is not UTF-8 text";
            return null;
        }

        var parsed = JsonParser.Parse(text);
        if (parsed.Root is not { Kind: JsonValueKind.Object } root || parsed.Problems.Count > 0)
        {
            problem = parsed.Problems.Count > 0 ? $"the signed statement is not valid JSON: {parsed.Problems[0].Message}" : "the signed statement is not a JSON object";
            return null;
        }

        if (root[OmsKeys._type]?.AsString() != StatementType)
        {
            problem = $"the signed statement's _type is not {StatementType}";
            return null;
        }

        string predicateType = root[OmsKeys.predicateType]?.AsString() ?? "(none)";
        if (predicateType != PredicateType)
        {
            // The v0.2 predicate (https://model_signing/Digests/v0.1) used another PAE and layout: not checked here.
            unsupported = predicateType.StartsWith("https://model_signing/", StringComparison.Ordinal);
            problem = $"its predicateType is '{OmsBundle.Short(predicateType)}', not {PredicateType}";
            return null;
        }

        var statement = new OmsStatement();
        if (root[OmsKeys.subject] is not { Kind: JsonValueKind.Array } subjects || subjects.Items.Count != 1
            || subjects.Items[0][OmsKeys.digest]?[OmsKeys.sha256]?.AsString() is not { } rootDigest || !TextChecks.IsSha256(rootDigest))
        {
            problem = "the signed statement must have exactly one subject with a sha256 digest (64 lowercase hex digits)";
            return null;
        }

        statement.SubjectName = subjects.Items[0][OmsKeys.name]?.AsString() ?? string.Empty;
        statement.SubjectDigest = rootDigest;
        var predicate = root[OmsKeys.predicate];
        var serialization = predicate?[OmsKeys.serialization];
        if (predicate is not { Kind: JsonValueKind.Object } || serialization is not { Kind: JsonValueKind.Object })
        {
            problem = "the signed statement has no predicate.serialization object";
            return null;
        }

        statement.Serialization = serialization[OmsKeys.method]?.AsString() ?? string.Empty;
        statement.HashType = serialization[OmsKeys.hash_type]?.AsString() ?? string.Empty;
        statement.AllowSymlinks = serialization[OmsKeys.allow_symlinks] is { Kind: JsonValueKind.Boolean, Boolean: true };
        if (statement.Serialization != "files" && statement.Serialization != "shards")
        {
            problem = $"its serialization method is '{OmsBundle.Short(statement.Serialization)}', not files or shards";
            return null;
        }

        if (statement.HashType != "sha256")
        {
            unsupported = statement.HashType.Length > 0;
            problem = $"its files are hashed with '{OmsBundle.Short(statement.HashType)}'; only sha256 can be checked against the manifest";
            return null;
        }

        if (statement.Serialization == "shards")
        {
            // model_signing may write the size as 1000000000.0.
            if (serialization[OmsKeys.shard_size] is not { Kind: JsonValueKind.Number, Text: { } sizeText }
                || !double.TryParse(sizeText, NumberStyles.Float, CultureInfo.InvariantCulture, out double size)
                || size < 1 || size > long.MaxValue / 2 || Math.Floor(size) != size)
            {
                problem = "its shards serialization has no positive whole shard_size";
                return null;
            }

            statement.ShardSize = (long)size;
        }

        var ignored = new List<string>();
        if (serialization[OmsKeys.ignore_paths] is { } ignorePaths)
        {
            if (ignorePaths.Kind != JsonValueKind.Array)
            {
                problem = "its ignore_paths is not an array";
                return null;
            }

            foreach (var item in ignorePaths.Items)
            {
                if (item.AsString() is not { } ignore)
                {
                    problem = "an entry of ignore_paths is not a string";
                    return null;
                }

                ignored.Add(ignore);
            }
        }

        statement.IgnorePaths = ignored;
        if (predicate[OmsKeys.resources] is not { Kind: JsonValueKind.Array } resources || resources.Items.Count == 0)
        {
            problem = "its predicate.resources is not a non-empty array";
            return null;
        }

        var list = new List<OmsResource>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in resources.Items)
        {
            string? name = item[OmsKeys.name]?.AsString();
            string? algorithm = item[OmsKeys.algorithm]?.AsString();
            string? digest = item[OmsKeys.digest]?.AsString();
            if (name is null || algorithm is null || digest is null || !TextChecks.IsSha256(digest))
            {
                problem = "a resource has no string name, algorithm and sha256 digest (64 lowercase hex digits)";
                return null;
            }

            bool algorithmOk = statement.Serialization == "files"
                ? algorithm == "sha256"
                : algorithm == "sha256" || algorithm.StartsWith("sha256-sharded-", StringComparison.Ordinal);
            if (!algorithmOk)
            {
                unsupported = true;
                problem = $"resource '{OmsBundle.Short(name)}' is hashed with '{OmsBundle.Short(algorithm)}'";
                return null;
            }

            if (!names.Add(name))
            {
                problem = $"resource '{OmsBundle.Short(name)}' is listed twice";
                return null;
            }

            string path = name;
            long start = -1, end = -1;
            if (statement.Serialization == "shards")
            {
                int second = name.LastIndexOf(':');
                int first = second > 0 ? name.LastIndexOf(':', second - 1) : -1;
                if (first <= 0
                    || !long.TryParse(name.Substring(first + 1, second - first - 1), NumberStyles.None, CultureInfo.InvariantCulture, out start)
                    || !long.TryParse(name.Substring(second + 1), NumberStyles.None, CultureInfo.InvariantCulture, out end)
                    || end < start || (end == start && start != 0))
                {
                    problem = $"shard resource '{OmsBundle.Short(name)}' is not named path:start:end";
                    return null;
                }

                path = name.Substring(0, first);
            }

            list.Add(new OmsResource(name, path, start, end, digest));
        }

        statement.Resources = list;
        return statement;
    }
}
