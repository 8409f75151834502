using System;
using System.Collections.Generic;
using System.Linq;
using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;

namespace OpenTrain.Lineage.Policy;

/// <summary>
/// The evaluation: <see cref="EvaluationRow"/> of the level table.
/// </summary>
internal sealed partial class PolicyRun
{
    internal static readonly LevelRow EvaluationRow = new(
        "`training.evaluation`",
        declared: "disclosed; ≥ 1 metric on a known dataset, each with a `value` or a results document (`OTL0315` warns); each evaluation dataset a `ref` to a training dataset, or disclosed and described (sources, collection, cleaning, labelling) like one; `code` disclosed",
        openWeights: "results open, pinned",
        openTooling: "`code` open, pinned; ≥ 1 metric on an open, openly licensed dataset (other benchmarks warn, `OTL0312`)",
        openScience: "every evaluation dataset open, pinned",
        openFrom: OpenWeights);

    private void CheckEvaluation(TrainingSection training, HashSet<string> datasetIds)
    {
        var evaluation = training.Evaluation.Node;
        if (Need(training.Evaluation.Field, Declared, "the evaluation (metrics, data and results)") is null
            || !Disclose(evaluation, "the evaluation results", Declared, _noTrainingHappened)
            || evaluation!.Availability.Text == "not-applicable")
        {
            return;
        }

        var evaluationIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dataset in evaluation.Datasets.Nodes)
        {
            if (dataset.Ref.Value is { } reference)
            {
                if (reference.Text is { } id && !datasetIds.Contains(id))
                {
                    Report(LineageRules.UnknownDatasetReference, reference, Declared, $"'{id}' is not the id of a training dataset.");
                }

                continue;
            }

            if (Text(dataset.Id, Declared, "an id for this evaluation dataset")?.Text is { } own)
            {
                evaluationIds.Add(own);
            }

            if (Disclose(dataset, "this evaluation dataset", Declared, notApplicableAllowed: false))
            {
                DescribeData(dataset, "this evaluation dataset", Declared);
                RequireOpen(dataset, $"evaluation dataset '{dataset.Id.Text}'", OpenScience, ContentKind.Data, pinned: true);
            }
        }

        var metrics = Need(evaluation.Metrics.Field, Declared, "at least one evaluation metric with its dataset and value");
        bool resultsPublished = evaluation.Availability.Text is "open" or "restricted" && evaluation.Locations.Items.Count > 0;
        foreach (var metric in metrics is null ? Array.Empty<Metric>() : evaluation.Metrics.Nodes)
        {
            Text(metric.MetricName, Declared, "the metric's name");
            CheckMetricValue(metric, resultsPublished);
            if (Text(metric.Dataset, Declared, "the id of the dataset the metric was measured on")?.Text is { } id
                && !datasetIds.Contains(id) && !evaluationIds.Contains(id))
            {
                Report(LineageRules.UnknownDatasetReference, metric.Dataset.Value!, Declared,
                    $"'{id}' is not the id of a training or evaluation dataset in this manifest.");
            }
        }

        RequireOpenBenchmark(training, evaluation, metrics);
        RequireOpen(evaluation, "the evaluation results", EvaluationRow.OpenFrom, ContentKind.Document, pinned: true);
        var evaluationCode = evaluation.Code;
        if (evaluationCode.Value is null)
        {
            Missing(evaluationCode.Field, Declared, "the evaluation code (where it is, or why it is closed)");
        }
        else if (Disclose(evaluationCode.Node, "the evaluation code", Declared, notApplicableAllowed: false))
        {
            RequireOpen(evaluationCode.Node, "the evaluation code", OpenTooling, ContentKind.Code, pinned: true);
        }
    }

    /// <summary>
    /// A metric names its value, or points at the published results that hold it (the evaluation's own locations,
    /// or the metric's reportedIn): listing a benchmark whose number sits in a pinned report discloses more than
    /// leaving it out, so it warns that the value is not machine-readable and never costs a level.
    /// </summary>
    private void CheckMetricValue(Metric metric, bool resultsPublished)
    {
        var reportedIn = metric.ReportedIn.Node;
        if (reportedIn is not null)
        {
            CheckLocation(reportedIn, Declared);
        }

        if (metric.Value.IsPresent)
        {
            return;
        }

        string name = metric.MetricName.Text ?? "this metric";
        if (reportedIn is not null && (reportedIn.Url.Value is not null || reportedIn.Path.Value is not null))
        {
            Report(LineageRules.MetricValueNotTranscribed, metric, Declared,
                $"'{name}' has no value: its number is only in the document at reportedIn; transcribe it in 'value' so tools can read it.",
                FindingSeverity.Warning);
            if (!resultsPublished && !IsPinned(reportedIn))
            {
                Report(LineageRules.LocationNotPinned, reportedIn.Url.Value ?? reportedIn.Json, OpenWeights,
                    $"At {OpenWeights.ToName()}, the results '{name}' is reported in must be pinned: add a 'revision' (full commit hash, DOI, versioned id) or a 'digest'.");
            }
        }
        else if (resultsPublished)
        {
            Report(LineageRules.MetricValueNotTranscribed, metric, Declared,
                $"'{name}' has no value: its number is only in the evaluation results at training.evaluation.locations; transcribe it in 'value' (or point at its table with 'reportedIn') so tools can read it.",
                FindingSeverity.Warning);
        }
        else
        {
            Missing(metric.Value, Declared, "the measured value (or, when the number is only in a published report, the report's location in the evaluation's locations or in the metric's reportedIn)");
        }
    }

    /// <summary>
    /// EvaluationRow at open-tooling: at least one published metric is measured on an open, openly licensed dataset, so the
    /// results can be reproduced openly; every other, non-open benchmark is a warning (a single non-commercial
    /// benchmark must not block an otherwise open model).
    /// </summary>
    private void RequireOpenBenchmark(TrainingSection training, Evaluation evaluation, JsonValue? metrics)
    {
        var byId = new Dictionary<string, Dataset>(StringComparer.Ordinal);
        foreach (var dataset in (training.Data.Node?.Datasets.Nodes ?? Array.Empty<Dataset>())
            .Concat(evaluation.Datasets.Nodes)
            .Where(d => d.Id.Text is not null))
        {
            byId[dataset.Id.Text!] = dataset;
        }

        bool OpenData(Dataset dataset) => IsOpen(dataset) && dataset.License.Text is { } license && Licenses.Judge(license, ContentKind.Data).Status == LicenseStatus.Open;

        var measured = evaluation.Metrics.Nodes
            .Select(m => m.Dataset.Text)
            .Where(id => id is not null && byId.ContainsKey(id))
            .Select(id => byId[id!])
            .Distinct()
            .ToList();
        if (metrics is not null && measured.Count > 0 && !measured.Any(OpenData))
        {
            Report(LineageRules.NotOpenEnough, metrics, OpenTooling,
                "At open-tooling, at least one published metric must be measured on an open, openly licensed dataset, so that the results can be reproduced openly.");
        }

        foreach (var dataset in evaluation.Datasets.Nodes.Where(d => d.Ref.Value is null && !OpenData(d)))
        {
            Report(LineageRules.NonOpenBenchmark, dataset.License.Value ?? dataset.Json, OpenTooling,
                $"Evaluation dataset '{dataset.Id.Text}' is not open under an open data licence: its results cannot be reproduced openly.", FindingSeverity.Warning);
        }
    }
}
