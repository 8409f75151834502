using System;

namespace OpenTrain.Lineage;

/// <summary>How a licence text from a manifest can be handed on to other formats.</summary>
public enum LicenseForm
{
    /// <summary>A valid SPDX licence expression (LicenseRef- identifiers included).</summary>
    Expression,

    /// <summary>NOASSERTION, NONE or a placeholder: no licence is asserted; formats that cannot say so leave it out.</summary>
    NoAssertion,

    /// <summary>Not an SPDX expression (a custom licence by name): formats carry it as a named licence.</summary>
    Named,
}

public static class LicenseExpressions
{
    public static LicenseForm Classify(string text)
    {
        string trimmed = text.Trim();
        if (trimmed.Length == 0 || TextChecks.IsPlaceholder(trimmed)
            || trimmed.Equals("NOASSERTION", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("NONE", StringComparison.OrdinalIgnoreCase))
        {
            return LicenseForm.NoAssertion;
        }

        return Licenses.Judge(trimmed, ContentKind.Code).Status == LicenseStatus.Invalid ? LicenseForm.Named : LicenseForm.Expression;
    }
}
