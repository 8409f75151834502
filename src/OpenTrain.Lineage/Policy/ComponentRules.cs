using OpenTrain.Lineage.Model;

namespace OpenTrain.Lineage.Policy;

/// <summary>
/// Processing, architecture, hyperparameters, training code and checkpoints: the checks that enforce
/// <see cref="ProcessingRow"/>, <see cref="ArchitectureRow"/>, <see cref="HyperparametersRow"/>, <see cref="CodeRow"/> and
/// <see cref="CheckpointsRow"/> of the level table (the rows below are what docs/manifest.md prints).
/// </summary>
internal sealed partial class PolicyRun
{
    internal static readonly LevelRow ProcessingRow = new(
        "`training.processing`",
        declared: "disclosed, with `method`",
        openWeights: "",
        openTooling: "",
        openScience: "open code, pinned",
        openFrom: OpenScience);

    internal static readonly LevelRow ArchitectureRow = new(
        "`configuration.architecture`",
        declared: "disclosed, with `family`",
        openWeights: "open code, pinned",
        openTooling: "",
        openScience: "",
        openFrom: OpenWeights);

    internal static readonly LevelRow HyperparametersRow = new(
        "`configuration.hyperparameters`",
        declared: "disclosed",
        openWeights: "",
        openTooling: "open, with `values` or a `configFile`",
        openScience: "openly licensed, pinned",
        openFrom: OpenTooling);

    internal static readonly LevelRow CodeRow = new(
        "`training.code`",
        declared: "disclosed; when open or restricted, `framework[]` whose first entry has `name` and `version` (further entries warn; closed code need not name it)",
        openWeights: "",
        openTooling: "open code, pinned",
        openScience: "",
        openFrom: OpenTooling);

    internal static readonly LevelRow CheckpointsRow = new(
        "`training.checkpoints`",
        declared: "—",
        openWeights: "—",
        openTooling: "—",
        openScience: "open, pinned",
        openFrom: OpenScience);

    private void CheckProcessing(TrainingSection training)
    {
        var processing = training.Processing.Node;
        if (Need(training.Processing.Field, Declared, "the data processing pipeline (its code and method)") is not null
            && Disclose(processing, "the data processing pipeline", Declared, notApplicableAllowed: true)
            && processing!.Availability.Text != "not-applicable")
        {
            Text(processing.Method, Declared, "the processing method (what the pipeline does to the data)", narrative: true);
            RequireOpen(processing, "the data processing code", ProcessingRow.OpenFrom, ContentKind.Code, pinned: true);
        }
    }

    private void CheckConfiguration(TrainingSection training)
    {
        if (Need(training.Configuration.Field, Declared, "the architecture and hyperparameters") is null || training.Configuration.Node is not { } configuration)
        {
            return;
        }

        var architecture = configuration.Architecture.Node;
        if (Need(configuration.Architecture.Field, Declared, "the model architecture (family and code)") is not null
            && Disclose(architecture, "the model architecture", Declared, notApplicableAllowed: false))
        {
            Text(architecture!.Family, Declared, "the architecture family (e.g. transformer, linear)");
            RequireOpen(architecture, "the model architecture code", ArchitectureRow.OpenFrom, ContentKind.Code, pinned: true);
        }

        var hyperparameters = configuration.Hyperparameters.Node;
        if (Need(configuration.Hyperparameters.Field, Declared, "the training hyperparameters") is not null
            && Disclose(hyperparameters, "the hyperparameters", Declared, _noTrainingHappened)
            && hyperparameters!.Availability.Text != "not-applicable")
        {
            if (hyperparameters.Availability.Text != "open")
            {
                Report(LineageRules.NotOpenEnough, hyperparameters.Availability.Value!, HyperparametersRow.OpenFrom,
                    "Open tooling discloses the hyperparameter values: make them 'open' and list them in 'values' or a pinned 'configFile'.");
            }
            else
            {
                if (hyperparameters.Values.Value is null && hyperparameters.ConfigFile.Value is null)
                {
                    Missing(hyperparameters.Values, HyperparametersRow.OpenFrom, "the hyperparameter values (or a pinned configFile)");
                }

                RequireOpen(hyperparameters, "the hyperparameters", OpenScience, ContentKind.Data, pinned: true);
            }
        }
    }

    private void CheckCode(TrainingSection training)
    {
        var code = training.Code.Node;
        if (Need(training.Code.Field, Declared, "the training code and framework") is null
            || !Disclose(code, "the training code", Declared, _noTrainingHappened)
            || code!.Availability.Text == "not-applicable")
        {
            return;
        }

        if (code.Availability.Text is "open" or "restricted")
        {
            // The first framework must be named with its version; naming a further one whose exact version is
            // unknown is more disclosure, not less, so it warns.
            var framework = Need(code.Framework.Field, Declared, "the training framework(s), each with name and version");
            bool first = true;
            foreach (var item in framework is null ? System.Array.Empty<Library>() : code.Framework.Nodes)
            {
                var severity = first ? (FindingSeverity?)null : FindingSeverity.Warning;
                Text(item.Name, Declared, "the framework's name", severity: severity);
                Text(item.Version, Declared, "the framework's version", severity: severity);
                first = false;
            }
        }

        RequireOpen(code, "the training code", CodeRow.OpenFrom, ContentKind.Code, pinned: true);
    }

    // CheckpointsRow: intermediate checkpoints are part of open science (MOF Class I).
    private void CheckCheckpoints(TrainingSection training)
    {
        var checkpoints = training.Checkpoints;
        if (checkpoints.Value is null)
        {
            Missing(checkpoints.Field, CheckpointsRow.OpenFrom, "the intermediate checkpoints (MOF Class I publishes them)");
        }
        else if (Disclose(checkpoints.Node, "the intermediate checkpoints", CheckpointsRow.OpenFrom, notApplicableAllowed: false))
        {
            RequireOpen(checkpoints.Node, "the intermediate checkpoints", CheckpointsRow.OpenFrom, ContentKind.Data, pinned: true);
        }
    }
}
