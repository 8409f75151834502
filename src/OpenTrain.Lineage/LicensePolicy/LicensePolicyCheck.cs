using System;
using System.Collections.Generic;
using System.Linq;
using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;

namespace OpenTrain.Lineage;

/// <summary>One licence of a lineage chain judged by the policy, located in the manifest that declares it.</summary>
public sealed class LicenseDecision
{
    private readonly ManifestField _field;
    private readonly string _chainPrefix;
    private string? _jsonPath;

    internal LicenseDecision(string manifestPath, ManifestField field, string? license, string element, string chainPrefix, LicenseVerdictOfPolicy verdict, int depth)
    {
        ManifestPath = manifestPath;
        _field = field;
        License = license;
        Element = element;
        _chainPrefix = chainPrefix;
        Verdict = verdict;
        Depth = depth;
    }

    /// <summary>Full path of the manifest that declares the licence (the model's own, or a parent's).</summary>
    public string ManifestPath { get; }

    /// <summary>The licence field (also when it is absent: then its owner is the range). Built on first use.</summary>
    public string JsonPath => _jsonPath ??= _field.JsonPath;

    public SourceRange? Range => (_field.Value ?? _field.Owner).Range;

    /// <summary>The expression as written; null when the manifest states none.</summary>
    public string? License { get; }

    /// <summary>What carries the licence: "model", "dataset 'web-crawl'", "training code" …</summary>
    public string Element { get; }

    /// <summary>From the model that was checked to the element: <c>a (quantized) → b (finetune) → dataset 'x'</c>; a model's own licence ends at the model.</summary>
    public string Chain => Element == ModelElement ? _chainPrefix : _chainPrefix + " → " + Element;

    internal const string ModelElement = "model";

    public LicenseVerdictOfPolicy Verdict { get; }

    /// <summary>0 for the model's own manifest, 1 for a parent, …</summary>
    public int Depth { get; }

    public bool Allowed => Verdict.Allowed;

    /// <summary>The OTL0700 finding for a licence the policy does not allow; null when it is allowed.</summary>
    public LineageFinding? ToFinding()
    {
        if (Verdict.Allowed)
        {
            return null;
        }

        string licence = License is null ? "no licence" : $"licence '{License}'";
        string reasons = string.Join("; ", Verdict.Denied.Select(d => $"'{d.Id}' is {string.Join(", ", d.Categories)} and denied by {d.Rule}"));
        bool onlyUnknown = Verdict.Denied.All(d => d.Categories.Count == 1 && d.Categories[0] == LicenseCategories.Unknown);
        string fix = License is null
            ? $"The manifest does not say the licence: fill in {JsonPath} (an SPDX expression) so the policy can judge it."
            : onlyUnknown
            ? $"The policy cannot classify it: write the licence in {JsonPath} as an SPDX id (or a LicenseRef- id the classification knows, see docs/licence-policy.md), or, after a legal review, suppress this with an OpenTrainSuppress item for OTL0700."
            : "Use a component under an allowed licence, or, after a legal review, suppress this with an OpenTrainSuppress item for OTL0700 with this manifest, the element and a justification.";
        return new LineageFinding(LineageRules.LicenseDenied, $"The {Element} has {licence}: {reasons}. Lineage: {Chain}. {fix}", JsonPath, Range, LineageLevel.Declared);
    }
}

/// <summary>
/// Walks a model's manifest and its resolved parents and judges every licence in the policy's scope: the model
/// licence (weights), training data (aggregate and each dataset), evaluation datasets, code and documentation.
/// Each decision is located in the manifest that declares the licence, with the chain that leads to it.
/// </summary>
public static class LicensePolicyCheck
{
    public static IReadOnlyList<LicenseDecision> Evaluate(LicensePolicy policy, string manifestPath, LineageManifest manifest, IReadOnlyList<ResolvedParent> parents)
    {
        var decisions = new List<LicenseDecision>();
        if (!policy.IsActive || manifest.Document is null)
        {
            return decisions;
        }

        Visit(policy, manifestPath, manifest.Document, parents, Link(manifest.Document), 0, decisions);
        return decisions;
    }

    private static void Visit(LicensePolicy policy, string path, LineageDocument document, IReadOnlyList<ResolvedParent> parents, string chain, int depth, List<LicenseDecision> decisions)
    {
        void Judge(ManifestField field, string element)
        {
            // Paths and chains are only built when a decision is reported: most licences are allowed.
            string? text = field.Value is { Kind: JsonValueKind.String } value ? value.Text : null;
            decisions.Add(new LicenseDecision(path, field, text, element, chain, policy.Judge(text), depth));
        }

        void JudgeComponent(Disclosure? component, string element)
        {
            if (component is not null && component.Availability.Text != "not-applicable")
            {
                Judge(component.License, element);
            }
        }

        var scope = policy.Scope;
        if ((scope & LicenseScope.Weights) != 0)
        {
            // No model object at all is judged too: its licence is unknown.
            Judge(document.Model.Node is { } model ? model.License : document.Model.Field, LicenseDecision.ModelElement);
        }

        var training = document.Training.Node;
        if ((scope & LicenseScope.TrainingData) != 0 && training?.Data.Node is { } data && data.Availability.Text != "not-applicable")
        {
            // Itemised datasets carry their own licences; the aggregate's counts when it states one, or when nothing is itemised.
            if (data.Datasets.Nodes.Count == 0 || data.License.IsPresent)
            {
                Judge(data.License, "training data");
            }

            foreach (var dataset in data.Datasets.Nodes)
            {
                JudgeComponent(dataset, DatasetName(dataset));
            }
        }

        if ((scope & LicenseScope.EvaluationData) != 0 && training?.Evaluation.Node is { } evaluation)
        {
            // A {ref} is a training dataset used again: judged where it is declared, under training-data.
            foreach (var dataset in evaluation.Datasets.Nodes.Where(d => !d.Ref.IsPresent))
            {
                JudgeComponent(dataset, "evaluation " + DatasetName(dataset));
            }
        }

        if ((scope & LicenseScope.Code) != 0)
        {
            JudgeComponent(training?.Processing.Node, "processing code");
            JudgeComponent(training?.Configuration.Node?.Architecture.Node, "architecture code");
            JudgeComponent(training?.Code.Node, "training code");
            JudgeComponent(training?.Evaluation.Node?.Code.Node, "evaluation code");
            JudgeComponent(document.Inference.Node, "inference code");
        }

        if ((scope & LicenseScope.Documentation) != 0 && document.Documentation.Node is { } documentation)
        {
            JudgeComponent(documentation.ModelCard.Node, "model card");
            JudgeComponent(documentation.DataCard.Node, "data card");
            JudgeComponent(documentation.TechnicalReport.Node, "technical report");
            JudgeComponent(documentation.ResearchPaper.Node, "research paper");
            JudgeComponent(documentation.SampleOutputs.Node, "sample outputs");
        }

        foreach (var parent in parents)
        {
            // A parent that could not be verified has its own finding (OTL0501/0502); its contents are not trusted here.
            if (parent.Manifest?.Document is { } parentDocument && parent.ManifestPath is { } parentPath)
            {
                Visit(policy, parentPath, parentDocument, parent.Parents, chain + " → " + Link(parentDocument), depth + 1, decisions);
            }
        }
    }

    private static string DatasetName(Dataset dataset) =>
        "dataset '" + (dataset.Id.AsString() ?? dataset.Name.AsString() ?? dataset.JsonPath) + "'";

    private static string Link(LineageDocument document)
    {
        string name = document.Model.Node?.Name.AsString() ?? "(unnamed model)";
        string? derivation = document.Lineage.Node?.Derivation.AsString();
        return derivation is null ? name : $"{name} ({derivation})";
    }
}
