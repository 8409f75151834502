using OpenTrain.Lineage.Model;

namespace OpenTrain.Lineage.Policy;

/// <summary>
/// The format version and the model's identity and licence: <see cref="ModelRow"/> of the level table.
/// </summary>
internal sealed partial class PolicyRun
{
    internal static readonly LevelRow ModelRow = new(
        "`model`",
        declared: "`name`, `version`, `producer.name`, `task`, `license` (a valid SPDX expression; `NOASSERTION`, `NONE` and `LicenseRef-…` are valid and pass here)",
        openWeights: "`license` open for data (the parameters); `NOASSERTION`, `NONE` and `LicenseRef-…` assert no open licence (`OTL0404`)",
        openTooling: "",
        openScience: "",
        openFrom: OpenWeights);

    private void CheckVersion()
    {
        var version = Text(_document.ManifestVersion, Declared, "the manifest format version (\"1.0\")");
        if (version?.Text is { } text && text != LineageManifest.SupportedVersion)
        {
            Report(LineageRules.UnsupportedVersion, version, Declared,
                $"manifestVersion is '{text}'; this version of OpenTrainAnalyzers reads \"{LineageManifest.SupportedVersion}\".");
        }
    }

    private void CheckModel()
    {
        if (Need(_document.Model.Field, Declared, "the model's identity (name, version, producer, licence, task)") is null || _document.Model.Node is not { } model)
        {
            return;
        }

        Text(model.Name, Declared, "the model's name");
        Text(model.Version, Declared, "the model's version");
        // A value of the wrong type has no node: the reader reported its type once (OTL0101), which is enough.
        if (Need(model.Producer.Field, Declared, "who produced the model ({ \"name\": ... })") is not null && model.Producer.Node is { } producer)
        {
            Text(producer.Name, Declared, "the producer's name");
        }

        Text(model.Task, Declared, "the task the model performs (e.g. text-classification)");
        var license = Text(model.License, Declared, "the licence of the final parameters (an SPDX expression)", enumerated: true);
        if (license?.Text is { } expression)
        {
            JudgeLicense(license, expression, ContentKind.Data, ModelRow.OpenFrom, "the model's parameters", reportInvalid: true);
        }
    }
}
