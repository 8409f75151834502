using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace OpenTrain.Lineage.Policy;

/// <summary>
/// One row of the level table: what a component must say at each level. An empty cell adds nothing at that level;
/// "—" means the level does not ask for the component at all. The cells are the text docs/manifest.md prints.
/// </summary>
internal sealed class LevelRow
{
    public LevelRow(string component, string declared, string openWeights, string openTooling, string openScience, LineageLevel openFrom = LineageLevel.None)
    {
        Component = component;
        OpenFrom = openFrom;
        Declared = declared;
        OpenWeights = openWeights;
        OpenTooling = openTooling;
        OpenScience = openScience;
    }

    public string Component { get; }

    /// <summary>
    /// The level from which the component must be open (None: never). The checks pass this level on, so the row
    /// decides where closing the component costs; its cell at that level says so in words.
    /// </summary>
    public LineageLevel OpenFrom { get; }

    public string Declared { get; }

    public string OpenWeights { get; }

    public string OpenTooling { get; }

    public string OpenScience { get; }

    public string At(LineageLevel level) => level switch
    {
        LineageLevel.Declared => Declared,
        LineageLevel.OpenWeights => OpenWeights,
        LineageLevel.OpenTooling => OpenTooling,
        LineageLevel.OpenScience => OpenScience,
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };
}

/// <summary>A check of the policy and the rows of the level table it enforces.</summary>
internal sealed class LevelTableSection
{
    public LevelTableSection(string checkedBy, Action<PolicyRun> check, params LevelRow[] rows)
    {
        CheckedBy = checkedBy;
        Check = check;
        Rows = rows;
    }

    /// <summary>The method that enforces the rows (named for the docs and the tests, checked by the compiler).</summary>
    public string CheckedBy { get; }

    public Action<PolicyRun> Check { get; }

    public IReadOnlyList<LevelRow> Rows { get; }
}

/// <summary>
/// The level table of docs/manifest.md is this list: <see cref="Run"/> runs its sections in order, and the
/// published table is generated from it (LevelTableTests fails when the two differ). A row's statement lives beside
/// the check that enforces it, in that component's Policy/*Rules.cs file, so a change of a rule and of its published
/// statement are one change in one place.
/// </summary>
internal sealed partial class PolicyRun
{
    // Built on first use: the rows are static fields of other partial files, whose initialisation order relative to
    // a field initialiser here is not defined.
    private static IReadOnlyList<LevelTableSection>? _levelTable;

    internal static IReadOnlyList<LevelTableSection> LevelTable => _levelTable ??= new[]
    {
        new LevelTableSection(nameof(CheckModel), run => { run.CheckVersion(); run.CheckModel(); }, ModelRow),
        new LevelTableSection(nameof(CheckWeights), run => run.CheckWeights(), WeightsRow),
        new LevelTableSection(nameof(CheckDerivation), run => run.CheckDerivation(), LineageRow),
        new LevelTableSection(nameof(CheckTraining), run => run.CheckTraining(),
            DataRow, ProcessingRow, ArchitectureRow, HyperparametersRow, CodeRow, EvaluationRow, CheckpointsRow),
        new LevelTableSection(nameof(CheckInference), run => run.CheckInference(), InferenceRow),
        new LevelTableSection(nameof(CheckDocumentation), run => run.CheckDocumentation(), ModelCardRow, DataCardRow, ReportRow),
    };

    /// <summary>The statement under the table: where 'not-applicable' is accepted (Disclose and RequireOpen enforce it).</summary>
    internal const string NotApplicableStatement =
        "`not-applicable` says a component does not exist for this model, and always needs a `justification` (else `OTL0307`). "
        + "It is accepted for `training.processing` of any model (the data is used exactly as obtained); for data, "
        + "hyperparameters, training code and evaluation only of a `converted`, `quantized` or `merge` model (no training "
        + "happened in this step; an evaluation that is `not-applicable` needs no metric); and for `inference` and the documents, "
        + "where it satisfies the row only for a `converted`, `quantized` or `merge` model, because the parent's manifest "
        + "supplies them and the parent's level caps this one. For a trained model, `not-applicable` inference or documents "
        + "are not open (`OTL0303` at the level that asks for them). It is never accepted for the architecture, datasets, "
        + "evaluation datasets, `evaluation.code` or the checkpoints.";

    /// <summary>The level table as docs/manifest.md prints it (Markdown, one line per row).</summary>
    internal static string RenderLevelTable()
    {
        var levels = new[] { LineageLevel.Declared, LineageLevel.OpenWeights, LineageLevel.OpenTooling, LineageLevel.OpenScience };
        var text = new StringBuilder();
        text.Append("| Component | `declared` | `open-weights` (MOF III) | `open-tooling` (MOF II) | `open-science` (MOF I) |\n");
        text.Append("|---|---|---|---|---|\n");
        foreach (var row in LevelTable.SelectMany(section => section.Rows))
        {
            text.Append("| ").Append(row.Component).Append(" |");
            foreach (var level in levels)
            {
                string cell = row.At(level);
                text.Append(cell.Length == 0 ? " |" : " " + cell + " |");
            }

            text.Append('\n');
        }

        text.Append('\n').Append(NotApplicableStatement).Append('\n');
        text.Append('\n').Append(DerivationStatement).Append('\n');
        return text.ToString();
    }
}
