using OpenTrain.Lineage.Model;

namespace OpenTrain.Lineage.Policy;

/// <summary>
/// Inference and the documents: <see cref="InferenceRow"/>, <see cref="ModelCardRow"/>, <see cref="DataCardRow"/> and
/// <see cref="ReportRow"/> of the level table. Optional components are checked at the level that first asks for them,
/// so a half-written one never costs more than leaving it out.
/// </summary>
internal sealed partial class PolicyRun
{
    internal static readonly LevelRow InferenceRow = new(
        "`inference`",
        declared: "—",
        openWeights: "—",
        openTooling: "open code, pinned",
        openScience: "",
        openFrom: OpenTooling);

    internal static readonly LevelRow ModelCardRow = new(
        "`documentation.modelCard`",
        declared: "warning if absent (`OTL0314`)",
        openWeights: "open document, pinned",
        openTooling: "",
        openScience: "",
        openFrom: OpenWeights);

    internal static readonly LevelRow DataCardRow = new(
        "`documentation.dataCard`",
        declared: "warning if absent (`OTL0314`)",
        openWeights: "open document, pinned, or `modelCard.coversData: true` (warns, `OTL0313`)",
        openTooling: "",
        openScience: "",
        openFrom: OpenWeights);

    internal static readonly LevelRow ReportRow = new(
        "`technicalReport` / `researchPaper`",
        declared: "—",
        openWeights: "one of them open (under a licence open for documents) and pinned",
        openTooling: "",
        openScience: "`researchPaper` (an open report in its place warns, `OTL0311`)",
        openFrom: OpenWeights);

    private void CheckInference()
    {
        var inference = _document.Inference;
        if (inference.Value is null)
        {
            Missing(inference.Field, InferenceRow.OpenFrom, "the inference code (open tooling publishes it)");
        }
        else if (Disclose(inference.Node, "the inference code", InferenceRow.OpenFrom, notApplicableAllowed: true))
        {
            RequireOpen(inference.Node, "the inference code", InferenceRow.OpenFrom, ContentKind.Code, pinned: true);
        }
    }

    private void CheckDocumentation()
    {
        var documentation = _document.Documentation.Node;

        // Absent documents are reported at the documentation object, or at the root when there is none.
        var owner = _document.Documentation.Value ?? _document.Json;
        var modelCard = documentation?.ModelCard.Node;
        var modelCardValue = documentation?.ModelCard.Value;
        var dataCardValue = documentation?.DataCard.Value;
        if (modelCardValue is null)
        {
            Report(LineageRules.DocumentationAbsent, owner, Declared,
                "No model card: add documentation.modelCard with its location so users learn the intended use and limitations.", FindingSeverity.Warning);
            Missing(Absent(FieldNames.ModelCard), ModelCardRow.OpenFrom, "the model card (MOF Class III publishes it)");
        }
        else if (Disclose(modelCard, "the model card", ModelCardRow.OpenFrom, notApplicableAllowed: true))
        {
            RequireOpen(modelCard, "the model card", ModelCardRow.OpenFrom, ContentKind.Document, pinned: true);
        }

        bool modelCardCoversData = modelCard?.CoversData.IsTrue == true;
        if (dataCardValue is null && modelCardCoversData)
        {
            Report(LineageRules.ModelCardCoversData, modelCard!.CoversData.Value!, DataCardRow.OpenFrom,
                "The model card stands in for the data card (coversData): MOF accepts it, but a data card says more about collection, cleaning and labelling.", FindingSeverity.Warning);
        }

        if (dataCardValue is null && !modelCardCoversData)
        {
            Report(LineageRules.DocumentationAbsent, owner, Declared,
                "No data card: add documentation.dataCard with its location (or set modelCard.coversData when the model card documents the data).", FindingSeverity.Warning);
            Missing(Absent(FieldNames.DataCard), DataCardRow.OpenFrom, "the data card (MOF Class III publishes it)");
        }
        else if (dataCardValue is not null && Disclose(documentation!.DataCard.Node, "the data card", DataCardRow.OpenFrom, notApplicableAllowed: true))
        {
            RequireOpen(documentation.DataCard.Node, "the data card", DataCardRow.OpenFrom, ContentKind.Document, pinned: true);
        }

        // ReportRow: a technical report or a research paper at open-weights; the paper itself at open-science. The
        // paper is only needed at open-science when an open report already stands in for it.
        // Without a documentation object both are absent (default: no value, no node).
        var paper = documentation?.ResearchPaper ?? default;
        var report = documentation?.TechnicalReport ?? default;
        bool reportUsable = report.Value is not null && Disclose(report.Node, "the technical report", ReportRow.OpenFrom, notApplicableAllowed: true);
        bool reportOpen = reportUsable && IsOpen(report.Node);
        bool paperUsable = paper.Value is not null && Disclose(paper.Node, "the research paper", reportOpen ? OpenScience : ReportRow.OpenFrom, notApplicableAllowed: true);
        bool paperOpen = paperUsable && IsOpen(paper.Node);
        if (paperOpen)
        {
            RequireOpen(paper.Node, "the research paper", ReportRow.OpenFrom, ContentKind.Document, pinned: true);
        }
        else if (reportOpen)
        {
            RequireOpen(report.Node, "the technical report", ReportRow.OpenFrom, ContentKind.Document, pinned: true);
            Report(LineageRules.ReportInsteadOfPaper, report.Value!, OpenScience,
                "The technical report stands in for a research paper at open-science.", FindingSeverity.Warning);
        }
        else
        {
            if (paper.Value is not null)
            {
                RequireOpen(paper.Node, "the research paper", ReportRow.OpenFrom, ContentKind.Document, pinned: true);
            }
            else if (report.Value is not null)
            {
                RequireOpen(report.Node, "the technical report", ReportRow.OpenFrom, ContentKind.Document, pinned: true);
            }
            else
            {
                Missing(Absent(FieldNames.TechnicalReport), ReportRow.OpenFrom, "an open technical report or research paper (MOF Class III publishes one)");
            }

            if (paper.Value is null)
            {
                Missing(Absent(FieldNames.ResearchPaper), OpenScience, "an open research paper (MOF Class I publishes one)");
            }
        }
    }

    /// <summary>A document that is not there, located at the documentation object (or at the root when there is none).</summary>
    private ManifestField Absent(string name) => ManifestField.Absent(_document.Documentation.Value ?? _document.Json, name);
}
