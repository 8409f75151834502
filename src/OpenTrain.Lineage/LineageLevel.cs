using System;

namespace OpenTrain.Lineage;

/// <summary>
/// How much of a model's training lineage must be disclosed. Ordered: each level includes the ones below it.
/// The three upper levels follow the Model Openness Framework classes (III, II, I).
/// </summary>
public enum LineageLevel
{
    /// <summary>Below every level: the manifest does not even reach <see cref="Declared"/>.</summary>
    None = 0,

    /// <summary>Every component of training is described, even when it is closed.</summary>
    Declared = 1,

    /// <summary>MOF Class III, open model: open weights, architecture code, model card and results.</summary>
    OpenWeights = 2,

    /// <summary>MOF Class II, open tooling: plus open training, evaluation and inference code.</summary>
    OpenTooling = 3,

    /// <summary>MOF Class I, open science: plus open, pinned datasets, checkpoints and a research paper.</summary>
    OpenScience = 4,
}

public static class LineageLevels
{
    public static string ToName(this LineageLevel level) => level switch
    {
        LineageLevel.Declared => "declared",
        LineageLevel.OpenWeights => "open-weights",
        LineageLevel.OpenTooling => "open-tooling",
        LineageLevel.OpenScience => "open-science",
        _ => "none",
    };

    public static bool TryParse(string? text, out LineageLevel level)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "declared":
                level = LineageLevel.Declared;
                return true;
            case "open-weights":
            case "mof-iii":
                level = LineageLevel.OpenWeights;
                return true;
            case "open-tooling":
            case "mof-ii":
                level = LineageLevel.OpenTooling;
                return true;
            case "open-science":
            case "mof-i":
                level = LineageLevel.OpenScience;
                return true;
            default:
                level = LineageLevel.None;
                return false;
        }
    }

    public static string ValidNames => "declared, open-weights (or mof-iii), open-tooling (or mof-ii), open-science (or mof-i)";

    public static LineageLevel Min(LineageLevel a, LineageLevel b) => (LineageLevel)Math.Min((int)a, (int)b);
}
