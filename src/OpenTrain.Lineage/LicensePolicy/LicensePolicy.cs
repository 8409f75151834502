using System;
using System.Collections.Generic;
using System.Linq;

namespace OpenTrain.Lineage;

/// <summary>Which parts of a lineage chain the licence policy looks at (OpenTrainLicenseScope).</summary>
[Flags]
public enum LicenseScope
{
    None = 0,
    Weights = 1,
    TrainingData = 2,
    EvaluationData = 4,
    Code = 8,
    Documentation = 16,
}

/// <summary>The verdict on one licence expression: allowed or not, and which licences of it are not.</summary>
public sealed class LicenseVerdictOfPolicy
{
    internal LicenseVerdictOfPolicy(bool allowed, IReadOnlyList<DeniedLicence> denied)
    {
        Allowed = allowed;
        Denied = denied;
    }

    public bool Allowed { get; }

    /// <summary>When not allowed: each licence id that is not, with its categories and the rule that denies it.</summary>
    public IReadOnlyList<DeniedLicence> Denied { get; }
}

/// <summary>One licence id the policy does not allow, and why.</summary>
public sealed class DeniedLicence
{
    internal DeniedLicence(string id, IReadOnlyList<string> categories, string rule)
    {
        Id = id;
        Categories = categories;
        Rule = rule;
    }

    public string Id { get; }

    public IReadOnlyList<string> Categories { get; }

    /// <summary>The entry that denies it, e.g. <c>OpenTrainDeniedLicenses 'non-commercial'</c>.</summary>
    public string Rule { get; }
}

/// <summary>
/// A licence policy in the MSBuild idiom: denied and allowed entries (SPDX ids, LicenseRef ids or category names of
/// <see cref="LicenseCategories"/>) and a scope. SPDX expression semantics: <c>A OR B</c> is allowed when one branch
/// is (the user may choose it), <c>A AND B</c> only when every part is, <c>A WITH exception</c> is judged as A (the
/// classification has no categories for exceptions). An expression that cannot be parsed is <c>unknown</c>.
/// </summary>
public sealed class LicensePolicy
{
    public const LicenseScope DefaultScope = LicenseScope.Weights | LicenseScope.TrainingData;

    // Scope names of OpenTrainLicenseScope (words of the property, not manifest fields, though some are spelt alike).
    private static readonly Dictionary<string, LicenseScope> ScopeNames = new[]
    {
        ("weights", LicenseScope.Weights),
        ("training-data", LicenseScope.TrainingData),
        ("evaluation-data", LicenseScope.EvaluationData),
        ("code", LicenseScope.Code),
        ("documentation", LicenseScope.Documentation),
    }.ToDictionary(s => s.Item1, s => s.Item2, StringComparer.OrdinalIgnoreCase);

    // Licence id (every spelling an entry covers) → the entry as the property wrote it, for the message.
    private readonly Dictionary<string, string> _deniedIds = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _deniedCategories = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _allowedIds = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _allowedCategories = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _problems = new();

    // Manifests repeat a handful of licences: each expression is judged once per policy. Bounded, so hostile
    // manifests with endless distinct texts cannot grow it without limit.
    private readonly Dictionary<string, LicenseVerdictOfPolicy> _verdicts = new(StringComparer.Ordinal);
    private const int MaxRememberedVerdicts = 4096;

    // Deeper parentheses than any real expression: refused as unknown instead of recursing until the stack ends.
    private const int MaxNesting = 32;
    private const int MaxExpressionLength = 4096;

    private LicensePolicy()
    {
    }

    /// <summary>True when the policy denies something (a denylist, or an allowlist); otherwise nothing is judged.</summary>
    public bool IsActive => _deniedIds.Count + _deniedCategories.Count + _allowedIds.Count + _allowedCategories.Count > 0;

    public bool IsAllowlist => _allowedIds.Count + _allowedCategories.Count > 0;

    public LicenseScope Scope { get; private set; } = DefaultScope;

    /// <summary>Entries that are neither a category, an SPDX id nor a LicenseRef, and unknown scopes: what to write instead.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Reads the three properties; never throws. Problems are in <see cref="Problems"/>, and the bad entries are ignored.</summary>
    public static LicensePolicy Parse(string? denied, string? allowed, string? scope)
    {
        var policy = new LicensePolicy();
        foreach (var entry in Entries(denied))
        {
            policy.Add(entry, "OpenTrainDeniedLicenses", policy._deniedIds, policy._deniedCategories);
        }

        foreach (var entry in Entries(allowed))
        {
            policy.Add(entry, "OpenTrainAllowedLicenses", policy._allowedIds, policy._allowedCategories);
        }

        var scopes = Entries(scope).ToList();
        if (scopes.Count > 0)
        {
            policy.Scope = LicenseScope.None;
            foreach (var name in scopes)
            {
                if (ScopeNames.TryGetValue(name, out var part))
                {
                    policy.Scope |= part;
                }
                else
                {
                    policy._problems.Add($"OpenTrainLicenseScope names '{name}'; the scopes are {string.Join(", ", ScopeNames.Keys)}.");
                }
            }

            // Fail closed: a scope that is only typos still checks the default parts.
            if (policy.Scope == LicenseScope.None)
            {
                policy.Scope = DefaultScope;
            }
        }

        return policy;
    }

    private void Add(string entry, string property, Dictionary<string, string> ids, HashSet<string> categories)
    {
        if (LicenseCategories.IsCategory(entry))
        {
            categories.Add(entry);
        }
        else if (SpdxLicenseList.Canonical(entry) is { } spdx)
        {
            ids[spdx] = entry;
        }
        else if (entry.StartsWith("LicenseRef-", StringComparison.OrdinalIgnoreCase) || LicenseCategories.HubMapping(entry) is not null)
        {
            // A Hub id names the same licence as the LicenseRef the scaffold writes for it ("llama3.1" = "LicenseRef-llama3.1").
            string bare = entry.StartsWith("LicenseRef-", StringComparison.OrdinalIgnoreCase) ? entry.Substring("LicenseRef-".Length) : entry;
            ids[entry] = entry;
            ids[bare] = entry;
            ids["LicenseRef-" + bare.Replace("+", "-plus")] = entry;
        }
        else
        {
            _problems.Add($"{property} names '{entry}', which is neither a licence category ({string.Join(", ", LicenseCategories.All)}), an SPDX licence id of {SpdxLicenseList.Version} nor a LicenseRef- id.");
        }
    }

    private static IEnumerable<string> Entries(string? list) =>
        (list ?? string.Empty).Split(new[] { ';', ',', ' ', '\t', '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries).Select(e => e.Trim()).Where(e => e.Length > 0);

    /// <summary>Judges one licence id (no operators).</summary>
    public DeniedLicence? JudgeId(string id)
    {
        var categories = LicenseCategories.Of(id);
        if (_deniedIds.TryGetValue(id, out var entry))
        {
            return new DeniedLicence(id, categories, $"OpenTrainDeniedLicenses '{entry}'");
        }

        foreach (var category in categories)
        {
            if (_deniedCategories.Contains(category))
            {
                return new DeniedLicence(id, categories, $"OpenTrainDeniedLicenses '{category}'");
            }
        }

        if (IsAllowlist && !_allowedIds.ContainsKey(id) && !categories.Any(_allowedCategories.Contains))
        {
            return new DeniedLicence(id, categories, "OpenTrainAllowedLicenses (it is not on the list)");
        }

        return null;
    }

    /// <summary>Judges an SPDX expression (null or blank: no licence stated, which is <c>unknown</c>). Not thread-safe.</summary>
    public LicenseVerdictOfPolicy Judge(string? expression)
    {
        string key = expression ?? string.Empty;
        if (_verdicts.TryGetValue(key, out var known))
        {
            return known;
        }

        var verdict = JudgeUncached(expression);
        if (_verdicts.Count < MaxRememberedVerdicts)
        {
            _verdicts[key] = verdict;
        }

        return verdict;
    }

    private LicenseVerdictOfPolicy JudgeUncached(string? expression)
    {
        // No real licence expression is this long; a hostile one is judged unknown without being tokenised.
        var tokens = expression is { Length: > MaxExpressionLength } ? new List<string>() : Licenses.Tokenize(expression ?? string.Empty);
        int index = 0;
        var denied = new List<DeniedLicence>();
        bool? allowed = tokens.Count == 0 ? null : ParseOr(tokens, ref index, denied, 0);
        if (allowed is null || index != tokens.Count)
        {
            // Not an expression: judged as the unknown licence it is.
            var unknown = JudgeUnknown(expression);
            return new LicenseVerdictOfPolicy(unknown is null, unknown is null ? Array.Empty<DeniedLicence>() : new[] { unknown });
        }

        return new LicenseVerdictOfPolicy(allowed.Value, allowed.Value ? Array.Empty<DeniedLicence>() : denied);
    }

    private DeniedLicence? JudgeUnknown(string? text)
    {
        string id = string.IsNullOrWhiteSpace(text) ? "(none)" : text!.Trim();
        if (_deniedCategories.Contains(LicenseCategories.Unknown))
        {
            return new DeniedLicence(id, new[] { LicenseCategories.Unknown }, $"OpenTrainDeniedLicenses '{LicenseCategories.Unknown}'");
        }

        return IsAllowlist && !_allowedCategories.Contains(LicenseCategories.Unknown)
            ? new DeniedLicence(id, new[] { LicenseCategories.Unknown }, "OpenTrainAllowedLicenses (it is not on the list)")
            : null;
    }

    // or := and ('OR' and)* ; and := atom ('AND' atom)* ; atom := '(' or ')' | id ['WITH' id]
    private bool? ParseOr(List<string> tokens, ref int index, List<DeniedLicence> denied, int depth)
    {
        if (depth > MaxNesting)
        {
            return null;
        }

        var branchDenied = new List<DeniedLicence>();
        bool? result = ParseAnd(tokens, ref index, branchDenied, depth);
        while (result is not null && index < tokens.Count && tokens[index] == "OR")
        {
            index++;
            bool? right = ParseAnd(tokens, ref index, branchDenied, depth);
            result = right is null ? null : result.Value || right.Value;
        }

        // Only an expression with no allowed branch has offenders, and then every branch's offenders count.
        if (result == false)
        {
            denied.AddRange(branchDenied);
        }

        return result;
    }

    private bool? ParseAnd(List<string> tokens, ref int index, List<DeniedLicence> denied, int depth)
    {
        bool? result = ParseAtom(tokens, ref index, denied, depth);
        while (result is not null && index < tokens.Count && tokens[index] == "AND")
        {
            index++;
            bool? right = ParseAtom(tokens, ref index, denied, depth);
            result = right is null ? null : result.Value && right.Value;
        }

        return result;
    }

    private bool? ParseAtom(List<string> tokens, ref int index, List<DeniedLicence> denied, int depth)
    {
        if (index >= tokens.Count)
        {
            return null;
        }

        string token = tokens[index++];
        if (token == "(")
        {
            bool? inner = ParseOr(tokens, ref index, denied, depth + 1);
            if (inner is null || index >= tokens.Count || tokens[index] != ")")
            {
                return null;
            }

            index++;
            return inner;
        }

        if (token is ")" or "AND" or "OR" or "WITH")
        {
            return null;
        }

        if (index < tokens.Count && tokens[index] == "WITH")
        {
            // The exception widens what the licence permits; the licence's category stands.
            index += 2;
            if (index > tokens.Count || tokens[index - 1] is "(" or ")" or "AND" or "OR" or "WITH")
            {
                return null;
            }
        }

        var verdict = JudgeId(token);
        if (verdict is not null)
        {
            denied.Add(verdict);
        }

        return verdict is null;
    }
}
