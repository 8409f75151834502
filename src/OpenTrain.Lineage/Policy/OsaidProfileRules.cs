using System.Linq;
using OpenTrain.Lineage.Model;

namespace OpenTrain.Lineage.Policy;

/// <summary>
/// The OSI Open Source AI Definition 1.0, checked alongside the levels: the code (processing, architecture, training,
/// evaluation, inference) and the parameters under open terms, the data described even when it is closed, and open or
/// restricted data obtainable. Findings belong to the profile, not to a level.
/// </summary>
internal sealed partial class PolicyRun
{
    private void CheckOsaid()
    {
        _profile = CompletenessPolicy.OsaidProfile;
        try
        {
            var model = _document.Model.Node;
            if (model?.License is { Text: { } license } licenseField)
            {
                JudgeLicense(licenseField.Value!, license, ContentKind.Data, Declared, "the model's parameters");
            }

            var training = _document.Training.Node;
            var configuration = training?.Configuration.Node;
            foreach (var (component, what) in new (ObjectField<Disclosure>?, string)[]
            {
                (training is null ? null : Widen(training.Processing), "the data processing code"),
                (configuration is null ? null : Widen(configuration.Architecture), "the model architecture code"),
                (training is null ? null : Widen(training.Code), "the training code"),
                (training?.Evaluation.Node is { } evaluation ? evaluation.Code : null, "the evaluation code"),
                (_document.Inference, "the inference code"),
            })
            {
                if (component is { Value: not null } present && !(present.Node?.Availability.Text == "not-applicable" && _noTrainingHappened))
                {
                    RequireOpen(present.Node, what, Declared, ContentKind.Code, pinned: true);
                }
            }

            if (_document.Inference.Value is null)
            {
                Missing(_document.Inference.Field, Declared, "the inference code (OSAID asks for the code to use the model)");
            }

            var hyperparameters = configuration?.Hyperparameters.Node;
            if (hyperparameters is not null && hyperparameters.Availability.Text != "not-applicable")
            {
                RequireOpen(hyperparameters, "the hyperparameters", Declared, ContentKind.Data, pinned: true);
                if (IsOpen(hyperparameters) && hyperparameters.Values.Value is null && hyperparameters.ConfigFile.Value is null)
                {
                    Missing(hyperparameters.Values, Declared, "the hyperparameter values (or a pinned configFile)");
                }
            }

            // Data information: open or restricted datasets say where they can be obtained; closed ones are
            // described (checked at declared already). The data documentation itself is under open terms.
            foreach (var dataset in training?.Data.Node?.Datasets.Nodes ?? System.Array.Empty<Dataset>())
            {
                if (dataset.Availability.Text is "open" or "restricted" && dataset.Locations.Items.Count == 0)
                {
                    Report(LineageRules.LocationMissing, dataset, Declared, $"OSAID asks where training dataset '{dataset.Id.Text}' can be obtained: add its locations.");
                }
            }

            var documentation = _document.Documentation.Node;
            var dataDocument = documentation is null ? default
                : documentation.DataCard.Value is not null ? documentation.DataCard : documentation.TechnicalReport;
            if (dataDocument.Value is null)
            {
                Missing(Absent(FieldNames.DataCard), Declared, "a data card or technical report under open terms (OSAID data information)");
            }
            else
            {
                RequireOpen(dataDocument.Node, "the data documentation", Declared, ContentKind.Document, pinned: false);
            }

            foreach (var library in training?.Code.Node?.SupportingLibraries.Nodes ?? System.Array.Empty<Library>())
            {
                if (library.License is { Text: { } libraryLicense } at)
                {
                    JudgeLicense(at.Value!, libraryLicense, ContentKind.Code, Declared, $"supporting library '{library.Name.Text}'");
                }
                else
                {
                    Missing(library.License, Declared, "the library's licence (OSAID asks for supporting libraries under OSI-approved terms)");
                }
            }
        }
        finally
        {
            _profile = null;
        }
    }

    private static ObjectField<Disclosure> Widen<T>(ObjectField<T> field)
        where T : Disclosure => new ObjectField<Disclosure>(field.Field, field.Node);
}
