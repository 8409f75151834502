using OpenTrain.Lineage.Json;

namespace OpenTrain.Lineage.Policy;

/// <summary>
/// Cross-cutting: a licence is judged for what it covers (code, data, documents). Invalid expressions, licences that
/// assert nothing, licences that are not open for the content, and software licences on data or documents (open,
/// but a warning).
/// </summary>
internal sealed partial class PolicyRun
{
    private void JudgeLicense(JsonValue at, string expression, ContentKind kind, LineageLevel level, string what, bool reportInvalid = false)
    {
        var verdict = Licenses.Judge(expression, kind);
        switch (verdict.Status)
        {
            case LicenseStatus.Invalid when reportInvalid:
                Report(LineageRules.LicenseInvalid, at, Declared, $"'{expression}' is not a valid SPDX licence expression: {verdict.Detail}.");
                break;
            case LicenseStatus.NoAssertion:
                Report(LineageRules.LicenseNoAssertion, at, level, $"{Requirement(level)}, {what} needs an open licence; '{verdict.Detail}' asserts none.");
                break;
            case LicenseStatus.Open when _profile is null && kind != ContentKind.Code && Licenses.IsCodeOnly(expression, kind):
                Report(LineageRules.LicenseNotTypeAppropriate, at, level,
                    $"{what} is under '{expression}', a software licence; it counts as open, but a licence written for {kind.ToString().ToLowerInvariant()} (e.g. CC-BY-4.0, CDLA-Permissive-2.0) says what may be done with it.",
                    FindingSeverity.Warning);
                break;
            case LicenseStatus.NotOpen:
                Report(LineageRules.LicenseNotOpen, at, level,
                    $"{Requirement(level)}, {what} needs a licence that is open for {kind.ToString().ToLowerInvariant()}; '{verdict.Detail}' is not one OpenTrainAnalyzers knows to be open.");
                break;
        }
    }
}
