using System;
using System.Collections.Generic;
using System.Linq;

namespace OpenTrain.Lineage;

/// <summary>What a component contains decides which licences count as open for it (MOF's licence expectations).</summary>
public enum ContentKind
{
    Code,
    Data,
    Document,
}

/// <summary>
/// SPDX licence expressions and whether they are open for a kind of content. Validity and OSI approval come from the
/// SPDX licence list embedded as data (Data/spdx-licenses.tsv, refreshed by build/spdx/refresh.sh); which licences are
/// open for data and documents is MOF's curated set, since OSI does not review data or documentation licences.
/// </summary>
internal static class Licenses
{
    // Open for code beyond OSI approval: the Open Model, Data and Weights licence written for AI artefacts.
    private static readonly HashSet<string> OpenCodeExtras = new(StringComparer.OrdinalIgnoreCase) { "OpenMDW-1.0" };

    private static readonly HashSet<string> OpenData = new(StringComparer.OrdinalIgnoreCase)
    {
        "CC0-1.0", "CC-BY-3.0", "CC-BY-4.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0", "CDLA-Permissive-1.0", "CDLA-Permissive-2.0",
        "CDLA-Sharing-1.0", "PDDL-1.0", "ODC-By-1.0", "ODbL-1.0", "OGL-UK-3.0", "OGL-Canada-2.0", "OpenMDW-1.0",
    };

    private static readonly HashSet<string> OpenDocument = new(StringComparer.OrdinalIgnoreCase)
    {
        "CC0-1.0", "CC-BY-3.0", "CC-BY-4.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0", "CC-PDDC", "FreeBSD-DOC", "Apache-2.0", "OpenMDW-1.0",
    };

    /// <summary>Checks an SPDX expression; returns an error text, or null when it is open for <paramref name="kind"/>.</summary>
    public static LicenseVerdict Judge(string expression, ContentKind kind)
    {
        var tokens = Tokenize(expression);
        int index = 0;
        bool? open = ParseOr(tokens, ref index, kind, out string? invalid, out string? closedId);
        if (open is null || index != tokens.Count)
        {
            return new LicenseVerdict(LicenseStatus.Invalid, invalid ?? expression);
        }

        if (!open.Value)
        {
            string id = closedId ?? expression;
            return id.Equals("NOASSERTION", StringComparison.OrdinalIgnoreCase) || id.Equals("NONE", StringComparison.OrdinalIgnoreCase)
                || id.StartsWith("LicenseRef-", StringComparison.OrdinalIgnoreCase)
                ? new LicenseVerdict(LicenseStatus.NoAssertion, id)
                : new LicenseVerdict(LicenseStatus.NotOpen, id);
        }

        return new LicenseVerdict(LicenseStatus.Open, expression);
    }

    /// <summary>True when an expression open for <paramref name="kind"/> is so only through software licences.</summary>
    public static bool IsCodeOnly(string expression, ContentKind kind)
    {
        var ids = Tokenize(expression).Where(t => t is not ("(" or ")" or "AND" or "OR" or "WITH")).ToList();
        return ids.Count > 0 && ids.All(id => !OpenData.Contains(id) && !(kind == ContentKind.Document && OpenDocument.Contains(id)));
    }

    private static bool IsOpenCode(string id) => SpdxLicenseList.IsOsiApproved(id) || OpenCodeExtras.Contains(id);

    private static bool IsOpen(string id, ContentKind kind) => kind switch
    {
        // Data and documents may also use code licences (MOT accepts them); the reverse is not true.
        ContentKind.Code => IsOpenCode(id),
        ContentKind.Data => OpenData.Contains(id) || IsOpenCode(id),
        _ => OpenDocument.Contains(id) || OpenData.Contains(id) || IsOpenCode(id),
    };

    // or := and ('OR' and)* ; and := atom ('AND' atom)* ; atom := '(' or ')' | id ['WITH' id]
    private static bool? ParseOr(List<string> tokens, ref int index, ContentKind kind, out string? invalid, out string? closedId)
    {
        bool? result = ParseAnd(tokens, ref index, kind, out invalid, out closedId);
        while (result is not null && index < tokens.Count && tokens[index].Equals("OR", StringComparison.Ordinal))
        {
            index++;
            bool? right = ParseAnd(tokens, ref index, kind, out invalid, out string? rightClosed);
            if (right is null)
            {
                return null;
            }

            closedId = result.Value ? closedId : (right.Value ? null : closedId ?? rightClosed);
            result = result.Value || right.Value;
        }

        return result;
    }

    private static bool? ParseAnd(List<string> tokens, ref int index, ContentKind kind, out string? invalid, out string? closedId)
    {
        bool? result = ParseAtom(tokens, ref index, kind, out invalid, out closedId);
        while (result is not null && index < tokens.Count && tokens[index].Equals("AND", StringComparison.Ordinal))
        {
            index++;
            bool? right = ParseAtom(tokens, ref index, kind, out invalid, out string? rightClosed);
            if (right is null)
            {
                return null;
            }

            closedId ??= right.Value ? null : rightClosed;
            result = result.Value && right.Value;
        }

        return result;
    }

    private static bool? ParseAtom(List<string> tokens, ref int index, ContentKind kind, out string? invalid, out string? closedId)
    {
        invalid = null;
        closedId = null;
        if (index >= tokens.Count)
        {
            invalid = "the expression ends too early";
            return null;
        }

        string token = tokens[index++];
        if (token == "(")
        {
            bool? inner = ParseOr(tokens, ref index, kind, out invalid, out closedId);
            if (inner is null || index >= tokens.Count || tokens[index] != ")")
            {
                invalid ??= "a ')' is missing";
                return null;
            }

            index++;
            return inner;
        }

        if (token is ")" or "AND" or "OR" or "WITH" || !IsIdentifier(token))
        {
            invalid = $"'{token}' is not a licence identifier";
            return null;
        }

        if (index < tokens.Count && tokens[index] == "WITH")
        {
            index += 2; // an exception only widens what is allowed; the licence decides openness
            if (index > tokens.Count)
            {
                invalid = "WITH needs an exception identifier";
                return null;
            }
        }

        string id = token.EndsWith("+", StringComparison.Ordinal) && !SpdxLicenseList.IsKnown(token) ? token.Substring(0, token.Length - 1) : token;
        bool assertsNothing = id.Equals("NOASSERTION", StringComparison.OrdinalIgnoreCase) || id.Equals("NONE", StringComparison.OrdinalIgnoreCase)
            || id.StartsWith("LicenseRef-", StringComparison.OrdinalIgnoreCase) || id.StartsWith("DocumentRef-", StringComparison.OrdinalIgnoreCase);
        if (!assertsNothing && !SpdxLicenseList.IsKnown(id) && !OpenCodeExtras.Contains(id))
        {
            invalid = $"'{id}' is not an identifier of the SPDX licence list {SpdxLicenseList.Version}";
            return null;
        }

        bool open = !assertsNothing && IsOpen(id, kind);
        closedId = open ? null : id;
        return open;
    }

    private static bool IsIdentifier(string token)
    {
        foreach (char c in token)
        {
            if (!(char.IsLetterOrDigit(c) || c == '-' || c == '.' || c == '+' || c == ':'))
            {
                return false;
            }
        }

        return token.Length > 0;
    }

    /// <summary>An SPDX expression's tokens: parentheses, and the words between spaces and parentheses.</summary>
    internal static List<string> Tokenize(string expression)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < expression.Length)
        {
            char c = expression[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '(' || c == ')')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else
            {
                int start = i;
                while (i < expression.Length && !char.IsWhiteSpace(expression[i]) && expression[i] != '(' && expression[i] != ')')
                {
                    i++;
                }

                tokens.Add(expression.Substring(start, i - start));
            }
        }

        return tokens;
    }
}

internal enum LicenseStatus
{
    Open,
    NotOpen,
    NoAssertion,
    Invalid,
}

internal readonly struct LicenseVerdict
{
    public LicenseVerdict(LicenseStatus status, string detail)
    {
        Status = status;
        Detail = detail;
    }

    public LicenseStatus Status { get; }

    public string Detail { get; }
}
