using System;
using System.Collections.Generic;
using System.Linq;
using OpenTrain.Lineage.Model;

namespace OpenTrain.Lineage.Policy;

/// <summary>
/// The training data: <see cref="DataRow"/> of the level table.
/// </summary>
internal sealed partial class PolicyRun
{
    internal static readonly LevelRow DataRow = new(
        "`training.data`",
        declared: "disclosed; an open or restricted aggregate lists its `datasets`, each disclosed with sources, collection, cleaning, labelling; closed data without datasets describes these on the aggregate",
        openWeights: "",
        openTooling: "",
        openScience: "every dataset open, openly licensed, pinned; human or mixed labelling has `guidelines`",
        openFrom: OpenScience);

    private void CheckTraining()
    {
        if (Need(_document.Training.Field, Declared, "the five components of training (data, processing, configuration, code, evaluation)") is null
            || _document.Training.Node is not { } training)
        {
            return;
        }

        var datasetIds = new HashSet<string>(StringComparer.Ordinal);
        CheckData(training, datasetIds);
        CheckProcessing(training);
        CheckConfiguration(training);
        CheckCode(training);
        CheckEvaluation(training, datasetIds);
        CheckCheckpoints(training);
    }

    private void CheckData(TrainingSection training, HashSet<string> datasetIds)
    {
        if (Need(training.Data.Field, Declared, "the training data (its availability, description and datasets)") is null
            || !Disclose(training.Data.Node, "the training data", Declared, _noTrainingHappened))
        {
            return;
        }

        var data = training.Data.Node!;
        string? availability = data.Availability.Text;
        var datasets = data.Datasets.Value;
        if (availability is "open" or "restricted")
        {
            if (datasets is null || datasets.Items.Count == 0)
            {
                Missing(data.Datasets.Field, Declared, "each training dataset (id, name, sources, collection, cleaning, labeling)");
            }
        }
        else if (availability == "closed" && (datasets is null || datasets.Items.Count == 0))
        {
            // Unshareable data must still be described (OSAID "data information").
            DescribeData(data.Sources.Field, data.Sources.Nodes, data.Collection, data.Cleaning, data.Labeling, "the closed training data", Declared);
        }

        if (datasets is null)
        {
            return;
        }

        foreach (var dataset in data.Datasets.Nodes)
        {
            if (Text(dataset.Id, Declared, "a dataset id that metrics and stages can refer to")?.Text is { } id)
            {
                datasetIds.Add(id);
            }

            Text(dataset.Name, Declared, "the dataset's name");
            if (Disclose(dataset, "this dataset", Declared, notApplicableAllowed: false))
            {
                DescribeData(dataset, "this dataset", Declared);
                if (availability == "open" && dataset.Availability.Text is { } own && own != "open")
                {
                    Report(LineageRules.StatusContradiction, data.Availability.Value!, Declared,
                        $"training.data is 'open' but dataset '{dataset.Id.Text}' is '{own}'; the aggregate cannot be more open than its least open dataset.");
                }

                RequireOpen(dataset, $"training dataset '{dataset.Id.Text}'", DataRow.OpenFrom, ContentKind.Data, pinned: true);
                var labeling = dataset.Labeling.Node;
                if (labeling?.Method.Text is "human" or "mixed" && labeling.Guidelines.Value is null)
                {
                    Report(LineageRules.LabelingIncomplete, labeling, OpenScience,
                        "Open science publishes the labelling guidelines given to human annotators: add labeling.guidelines with their location.");
                }
            }
        }
    }

    private void DescribeData(Dataset dataset, string what, LineageLevel level) =>
        DescribeData(dataset.Sources.Field, dataset.Sources.Nodes, dataset.Collection, dataset.Cleaning, dataset.Labeling, what, level);

    /// <summary>DS(d): sources, collection, cleaning and labelling are described (row 6).</summary>
    private void DescribeData(
        ManifestField sourcesField, IReadOnlyList<Source> sourceNodes, ManifestField collection, ManifestField cleaning, ObjectField<Labeling> labelingField, string what, LineageLevel level)
    {
        var sources = Need(sourcesField, level, $"where {what} comes from (sources[] with names)");
        if (sources is not null && sources.Items.Count > 0 && sourceNodes.Count > 0 && sources.Items[0] == sourceNodes[0].Json)
        {
            Text(sourceNodes[0].Name, level, "the source's name");
        }

        if (sources is not null)
        {
            foreach (var source in sourceNodes)
            {
                CheckSourceUrl(source, level);
            }
        }

        if (labelingField.Node?.Guidelines.Node is { } guidelines)
        {
            CheckLocation(guidelines, level);
        }

        Text(collection, level, $"how {what} was obtained and selected", narrative: true);
        Text(cleaning, level, $"how {what} was filtered, deduplicated and normalised", narrative: true);
        var labelingValue = Need(labelingField.Field, level, $"how {what} was labelled ({{ \"method\": \"human|machine|mixed|none\", \"criteria\": ... }})");
        if (labelingValue is not null && labelingField.Node is { } labeling
            && Text(labeling.Method, level, "the labelling method", enumerated: true)?.Text is { } method
            && method is not ("none" or "not-applicable"))
        {
            if (labeling.Criteria.Value is null)
            {
                Report(LineageRules.LabelingIncomplete, labeling, level,
                    $"Labelling method '{method}' needs the labelling criteria: write what decided each label in labeling.criteria.");
            }
            else
            {
                Text(labeling.Criteria, level, "the labelling criteria", narrative: true);
            }
        }
    }
}
