using OpenTrain.Lineage.Json;

namespace OpenTrain.Lineage.Policy;

/// <summary>
/// How the model was derived, and its parents unless it was trained from scratch: <see cref="LineageRow"/> of the
/// level table. Parents' own levels are resolved by <see cref="LineageChain"/>, in the host that may read files; the
/// effective level is the minimum over the chain.
/// </summary>
internal sealed partial class PolicyRun
{
    internal static readonly LevelRow LineageRow = new(
        "`lineage`",
        declared: "`derivation`; parents listed (a `merge` at least two), pinned and resolvable",
        openWeights: "parents ≥ open-weights",
        openTooling: "parents ≥ open-tooling",
        openScience: "parents open-science");

    /// <summary>The statement under the level table on derivations the table's rows do not name.</summary>
    internal const string DerivationStatement =
        "A `pruned` model (parameters, layers or heads removed from a parent) is a trained step, like `distilled` and "
        + "`finetune`: the parts to keep are chosen by scores computed on data and the result is usually healed by further "
        + "training, so it lists its parents and describes its own data, processing, configuration, code and evaluation, "
        + "which cannot be `not-applicable`. A pre-trained part used unchanged inside the model (Stable Diffusion's CLIP "
        + "text encoder and autoencoder) is listed in `lineage.parents` with `\"relation\": \"frozen-component\"` and its own "
        + "manifest, also when the model's `derivation` is `from-scratch`: the chain reads it like any parent, so a model "
        + "is no more open than its frozen parts.";

    private void CheckDerivation()
    {
        var lineageValue = Need(_document.Lineage.Field, Declared, "how the model was derived ({ \"derivation\": \"from-scratch\" } or its parents)");
        var lineage = lineageValue is null ? null : _document.Lineage.Node;
        var derivation = lineage is null ? null : Text(lineage.Derivation, Declared, "the derivation (from-scratch, finetune, quantized, ...)", enumerated: true);
        string? kind = derivation?.Text;
        _noTrainingHappened = kind is "converted" or "quantized" or "merge";
        if (lineage is not null && kind is not null && kind != "from-scratch")
        {
            var parents = lineage.Parents.Value;
            if (parents is null || parents.Items.Count == 0)
            {
                Report(LineageRules.ParentsRequired, parents ?? lineage.Json, Declared,
                    $"A '{kind}' model has parents: list each in lineage.parents with its name, relation and manifest {{ path, sha256 }}.");
            }
            else if (kind == "merge" && parents.Items.Count < 2)
            {
                Report(LineageRules.ParentsRequired, parents, Declared, "A merge has at least two parents; list each of them.");
            }
        }
    }
}
