using System;
using System.Collections.Generic;
using System.Linq;
using OpenTrain.Lineage;
using OpenTrainAnalyzers.Build.Files;
using OpenTrainAnalyzers.Build.Reports;

namespace OpenTrainAnalyzers.Build.Policy;

/// <summary>
/// The task's side of the licence policy: it passes the properties to the core, collects each model's decisions and
/// turns the denied ones into OTL0700 findings located in the manifest that declares the licence. A licence reached
/// from several models (a vendored parent is also a manifest of the project) is reported once, with the longest chain.
/// </summary>
internal sealed class LicensePolicyGate
{
    private readonly LicensePolicy _policy;
    private readonly Dictionary<(string Manifest, string JsonPath), (LicenseDecision Decision, string? Package, string? PackageId)> _denied = new();

    public LicensePolicyGate(string? denied, string? allowed, string? scope)
    {
        _policy = LicensePolicy.Parse(denied, allowed, scope);
    }

    public bool IsActive => _policy.IsActive;

    /// <summary>OTL0701 findings for entries and scopes that mean nothing (located at the project file).</summary>
    public IEnumerable<LineageFinding> ConfigurationProblems() =>
        _policy.Problems.Select(p => new LineageFinding(LineageRules.LicensePolicyInvalid,
            p + " Fix the property (in the project or Directory.Build.props); until then that entry is ignored.", string.Empty, null, LineageLevel.Declared));

    /// <summary>Judges one model's chain; returns its decisions for the report (null when no policy is set).</summary>
    public IReadOnlyList<LicenseDecision>? Judge(string manifestPath, LineageManifest manifest, IReadOnlyList<ResolvedParent> parents, string? package, string? packageId)
    {
        if (!_policy.IsActive)
        {
            return null;
        }

        var decisions = LicensePolicyCheck.Evaluate(_policy, manifestPath, manifest, parents);
        foreach (var decision in decisions.Where(d => !d.Allowed))
        {
            var key = (decision.ManifestPath, decision.JsonPath);
            if (!_denied.TryGetValue(key, out var known) || known.Decision.Depth < decision.Depth)
            {
                _denied[key] = (decision, package, packageId);
            }
        }

        return decisions;
    }

    /// <summary>One finding per denied licence, in a stable order: manifest, then position.</summary>
    public IEnumerable<(string Manifest, LineageFinding Finding, string? Package, string? PackageId)> Findings() =>
        _denied.Values
            .OrderBy(d => d.Decision.ManifestPath, StringComparer.Ordinal)
            .ThenBy(d => d.Decision.Range?.Start.Line ?? 0)
            .ThenBy(d => d.Decision.Range?.Start.Column ?? 0)
            .Select(d => (d.Decision.ManifestPath, d.Decision.ToFinding()!, d.Package, d.PackageId));

    /// <summary>
    /// CycloneDX properties of a model: <c>opentrain:policy</c> (allowed or denied, how many licences were judged) and
    /// one <c>opentrain:policy:denied</c> per denied licence, named by its chain and element (never by a machine's path,
    /// so the export stays reproducible). Nothing without a policy, so exports without one are unchanged.
    /// </summary>
    public static IEnumerable<(string Name, string Value)> ExportProperties(IReadOnlyList<LicenseDecision>? decisions)
    {
        if (decisions is null)
        {
            yield break;
        }

        int denied = decisions.Count(d => !d.Allowed);
        yield return ("opentrain:policy", denied == 0 ? $"allowed; {decisions.Count} licence(s) judged" : $"denied; {denied} of {decisions.Count} licence(s) judged denied");
        foreach (var decision in decisions.Where(d => !d.Allowed))
        {
            string reasons = string.Join("; ", decision.Verdict.Denied.Select(d => $"{d.Id} ({string.Join(", ", d.Categories)}) by {d.Rule}"));
            yield return ("opentrain:policy:denied", $"{decision.License ?? "no licence"} at {decision.JsonPath}: {reasons}; lineage {decision.Chain}");
        }
    }

    /// <summary>The JSON report's <c>licenseDecisions</c> of one model: every licence judged, allowed or not.</summary>
    public static void Write(JsonWriter json, IReadOnlyList<LicenseDecision> decisions)
    {
        json.Name("licenseDecisions").BeginArray();
        foreach (var decision in decisions)
        {
            json.BeginObject()
                .Property("manifest", SafeFiles.Escape(decision.ManifestPath))
                .Property("element", SafeFiles.Escape(decision.JsonPath))
                .Property("component", SafeFiles.Escape(decision.Element))
                .Property("license", SafeFiles.EscapeOrNull(decision.License))
                .Property("decision", decision.Allowed ? "allowed" : "denied")
                .Property("chain", SafeFiles.Escape(decision.Chain));
            json.Name("denied").BeginArray();
            foreach (var denied in decision.Verdict.Denied)
            {
                json.BeginObject()
                    .Property("license", SafeFiles.Escape(denied.Id))
                    .Property("categories", string.Join(",", denied.Categories))
                    .Property("rule", denied.Rule)
                    .EndObject();
            }

            json.EndArray().EndObject();
        }

        json.EndArray();
    }
}
