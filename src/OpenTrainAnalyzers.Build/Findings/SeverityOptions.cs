using System;
using System.Collections.Generic;
using System.Linq;
using OpenTrain.Lineage;

namespace OpenTrainAnalyzers.Build.Findings;

/// <summary>The project's NoWarn / WarningsAsErrors / WarningsNotAsErrors / TreatWarningsAsErrors, applied like the compiler does.</summary>
internal sealed class SeverityOptions
{
    private readonly HashSet<string> _noWarn;
    private readonly HashSet<string> _asErrors;
    private readonly HashSet<string> _notAsErrors;
    private readonly bool _allAsErrors;

    public SeverityOptions(string? noWarn, bool treatWarningsAsErrors, string? warningsAsErrors, string? warningsNotAsErrors)
    {
        _noWarn = Codes(noWarn);
        _asErrors = Codes(warningsAsErrors);
        _notAsErrors = Codes(warningsNotAsErrors);
        _allAsErrors = treatWarningsAsErrors;
    }

    /// <summary>The severity to log, or null when the warning is suppressed. Errors stay errors.</summary>
    public FindingSeverity? Effective(string id, FindingSeverity severity, bool ignoreNoWarn = false)
    {
        if (severity != FindingSeverity.Warning)
        {
            return severity;
        }

        if (!ignoreNoWarn && _noWarn.Contains(id))
        {
            return null;
        }

        return (_asErrors.Contains(id) || _allAsErrors) && !_notAsErrors.Contains(id) ? FindingSeverity.Error : FindingSeverity.Warning;
    }

    private static HashSet<string> Codes(string? list) => new HashSet<string>(
        (list ?? string.Empty).Split(new[] { ';', ',', ' ', '\n', '\r', '\t' }, StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim()),
        StringComparer.OrdinalIgnoreCase);
}
