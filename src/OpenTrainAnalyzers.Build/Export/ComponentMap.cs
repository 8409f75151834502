using System;
using System.Collections.Generic;
using System.Linq;
using OpenTrain.Lineage;
using OpenTrain.Lineage.Model;

namespace OpenTrainAnalyzers.Build.Export;

/// <summary>
/// What one manifest component becomes in each format: the one table every exporter reads, so a component added here
/// reaches CycloneDX, SPDX and MOT together (and a component missing here reaches none, which a test notices).
/// </summary>
internal sealed class ComponentRow
{
    public ComponentRow(
        string key, string title, ContentKind kind, Func<LineageDocument, Disclosure?> select,
        string cycloneDxType, string cycloneDxReference, string spdxPurpose, string spdxRelationship, bool spdxFromComponent, string spdxReference,
        string? motName, string motDescription)
    {
        Key = key;
        Title = title;
        Kind = kind;
        Select = select;
        CycloneDxType = cycloneDxType;
        CycloneDxReference = cycloneDxReference;
        SpdxPurpose = spdxPurpose;
        SpdxRelationship = spdxRelationship;
        SpdxFromComponent = spdxFromComponent;
        SpdxReference = spdxReference;
        MotName = motName;
        MotDescription = motDescription;
    }

    /// <summary>Stable key: the bom-ref / spdxId suffix and the opentrain:availability:&lt;key&gt; property.</summary>
    public string Key { get; }

    /// <summary>What a person calls it ("training code"), used in names and comments.</summary>
    public string Title { get; }

    /// <summary>Code, data or document: decides the component type and which licences MOT reads as type-appropriate.</summary>
    public ContentKind Kind { get; }

    public Func<LineageDocument, Disclosure?> Select { get; }

    /// <summary>CycloneDX component type (application, library, data, file, machine-learning-model).</summary>
    public string CycloneDxType { get; }

    /// <summary>CycloneDX externalReferences type of its locations.</summary>
    public string CycloneDxReference { get; }

    /// <summary>SPDX software_primaryPurpose of its element.</summary>
    public string SpdxPurpose { get; }

    /// <summary>SPDX relationship between the model and this element.</summary>
    public string SpdxRelationship { get; }

    /// <summary>True when the relationship goes from this element to the model (hyperparameters configure the model).</summary>
    public bool SpdxFromComponent { get; }

    /// <summary>SPDX externalRefType of its locations.</summary>
    public string SpdxReference { get; }

    /// <summary>The MOF component MOT lists it as; null when MOT has none.</summary>
    public string? MotName { get; }

    public string MotDescription { get; }

    public bool IsData => CycloneDxType == "data";
}

/// <summary>A location a component names, what it is, and whether it documents the component rather than holding it.</summary>
internal sealed class NamedLocation
{
    public NamedLocation(Location location, string what, bool documents = false)
    {
        Location = location;
        What = what;
        Documents = documents;
    }

    public Location Location { get; }

    /// <summary>What is there, for a person ("training configuration file", "data card").</summary>
    public string What { get; }

    /// <summary>A data card, Croissant metadata or labelling guidelines: a documentation reference in every format.</summary>
    public bool Documents { get; }
}

/// <summary>A manifest component present in one manifest, with every location it names (its own and the specific ones).</summary>
internal sealed class MappedComponent
{
    public MappedComponent(ComponentRow row, Disclosure node, IReadOnlyList<NamedLocation> locations)
    {
        Row = row;
        Node = node;
        Locations = locations;
    }

    public ComponentRow Row { get; }

    public Disclosure Node { get; }

    public IReadOnlyList<NamedLocation> Locations { get; }
}

internal static class ComponentMap
{
    private const bool ToComponent = false;
    private const bool FromComponent = true;

    /// <summary>Every disclosure component of the manifest format, in manifest order. Datasets, frameworks and parents have their own lists.</summary>
    public static readonly IReadOnlyList<ComponentRow> Rows = new[]
    {
        new ComponentRow("data", "training data", ContentKind.Data, d => d.Training.Node?.Data.Node,
            "data", "distribution", "data", "trainedOn", ToComponent, "altDownloadLocation",
            "Datasets", "Training, validation and testing datasets used for the model"),
        new ComponentRow("processing", "data processing code", ContentKind.Code, d => d.Training.Node?.Processing.Node,
            "application", "vcs", "source", "usesTool", ToComponent, "vcs",
            "Data preprocessing code", "Code for data cleansing, normalization, and augmentation"),
        new ComponentRow("architecture", "architecture code", ContentKind.Code, d => d.Training.Node?.Configuration.Node?.Architecture.Node,
            "library", "vcs", "source", "hasSpecification", ToComponent, "vcs",
            "Model architecture", "Well commented code for the model's architecture"),
        new ComponentRow("hyperparameters", "hyperparameters", ContentKind.Data, d => d.Training.Node?.Configuration.Node?.Hyperparameters.Node,
            "data", "configuration", "configuration", "configures", FromComponent, "buildMeta",
            "Model metadata", "Any model metadata including training configuration and optimizer states"),
        new ComponentRow("optimizerState", "optimizer state", ContentKind.Data, d => d.Training.Node?.Configuration.Node?.OptimizerState.Node,
            "data", "distribution", "data", "hasOptionalComponent", ToComponent, "altDownloadLocation",
            null, string.Empty),
        new ComponentRow("trainingCode", "training code", ContentKind.Code, d => d.Training.Node?.Code.Node,
            "application", "vcs", "source", "usesTool", ToComponent, "vcs",
            "Training code", "Code used for training the model"),
        new ComponentRow("evaluation", "evaluation results", ContentKind.Document, d => d.Training.Node?.Evaluation.Node,
            "file", "evidence", "evidence", "hasEvidence", ToComponent, "metrics",
            "Evaluation results", "The results from evaluating the model"),
        new ComponentRow("evaluationCode", "evaluation code", ContentKind.Code, d => d.Training.Node?.Evaluation.Node?.Code.Node,
            "application", "vcs", "source", "hasTest", ToComponent, "vcs",
            "Evaluation code", "Code used for evaluating the model"),
        new ComponentRow("checkpoints", "intermediate checkpoints", ContentKind.Data, d => d.Training.Node?.Checkpoints.Node,
            "machine-learning-model", "distribution", "model", "hasOptionalComponent", ToComponent, "altDownloadLocation",
            "Model parameters (Intermediate)", "Trained model parameters, weights and biases"),
        new ComponentRow("inference", "inference code", ContentKind.Code, d => d.Inference.Node,
            "application", "vcs", "source", "dependsOn", FromComponent, "vcs",
            "Inference code", "Code used for running the model to make predictions"),
        new ComponentRow("modelCard", "model card", ContentKind.Document, d => d.Documentation.Node?.ModelCard.Node,
            "file", "model-card", "documentation", "hasDocumentation", ToComponent, "documentation",
            "Model card", "Model details including performance metrics, intended use, and limitations"),
        new ComponentRow("dataCard", "data card", ContentKind.Document, d => d.Documentation.Node?.DataCard.Node,
            "file", "documentation", "documentation", "hasDocumentation", ToComponent, "documentation",
            "Data card", "Documentation for datasets including source, characteristics, and preprocessing details"),
        new ComponentRow("technicalReport", "technical report", ContentKind.Document, d => d.Documentation.Node?.TechnicalReport.Node,
            "file", "documentation", "documentation", "hasDocumentation", ToComponent, "documentation",
            "Technical report", "Technical report detailing capabilities and usage instructions for the model"),
        new ComponentRow("researchPaper", "research paper", ContentKind.Document, d => d.Documentation.Node?.ResearchPaper.Node,
            "file", "documentation", "documentation", "hasDocumentation", ToComponent, "documentation",
            "Research paper", "Research paper detailing the development and capabilities of the model"),
        new ComponentRow("sampleOutputs", "sample model outputs", ContentKind.Document, d => d.Documentation.Node?.SampleOutputs.Node,
            "file", "documentation", "documentation", "hasExample", ToComponent, "documentation",
            "Sample model outputs", "Examples of outputs generated by the model"),
    };

    /// <summary>The components this manifest describes (any availability), with their locations.</summary>
    public static List<MappedComponent> Of(LineageDocument document)
    {
        var mapped = new List<MappedComponent>();
        foreach (var row in Rows)
        {
            if (row.Select(document) is { } node)
            {
                mapped.Add(new MappedComponent(row, node, LocationsOf(row, node)));
            }
        }

        return mapped;
    }

    /// <summary>Training frameworks and supporting libraries, each a component of its own in CycloneDX and SPDX.</summary>
    public static IEnumerable<(Library Library, bool Framework)> Libraries(LineageDocument document)
    {
        var code = document.Training.Node?.Code.Node;
        foreach (var framework in code?.Framework.Nodes ?? Array.Empty<Library>())
        {
            yield return (framework, true);
        }

        foreach (var library in code?.SupportingLibraries.Nodes ?? Array.Empty<Library>())
        {
            yield return (library, false);
        }
    }

    /// <summary>The locations of a dataset: where it is, its data card, its Croissant metadata and its labelling guidelines.</summary>
    public static List<NamedLocation> LocationsOf(Dataset dataset)
    {
        var locations = dataset.Locations.Nodes.Select(l => new NamedLocation(l, "dataset")).ToList();
        Add(locations, dataset.DataCard.Node, "data card", documents: true);
        Add(locations, dataset.Croissant.Node, "Croissant metadata", documents: true);
        Add(locations, dataset.Labeling.Node?.Guidelines.Node, "labelling guidelines", documents: true);
        return locations;
    }

    /// <summary>A component's own locations and the ones specific to it (definition, configuration file, guidelines, reported results).</summary>
    private static List<NamedLocation> LocationsOf(ComponentRow row, Disclosure node)
    {
        var locations = node.Locations.Nodes.Select(l => new NamedLocation(l, row.Title)).ToList();
        switch (node)
        {
            case Architecture architecture:
                Add(locations, architecture.Definition.Node, "architecture definition");
                break;
            case Hyperparameters hyperparameters:
                Add(locations, hyperparameters.ConfigFile.Node, "training configuration file");
                break;
            case TrainingData data:
                Add(locations, data.Labeling.Node?.Guidelines.Node, "labelling guidelines", documents: true);
                break;
            case Evaluation evaluation:
                foreach (var metric in evaluation.Metrics.Nodes)
                {
                    Add(locations, metric.ReportedIn.Node, "results of " + (metric.MetricName.AsString() ?? "a metric") + " reported in");
                }

                break;
        }

        return locations;
    }

    private static void Add(List<NamedLocation> locations, Location? location, string what, bool documents = false)
    {
        if (location is not null)
        {
            locations.Add(new NamedLocation(location, what, documents));
        }
    }
}
