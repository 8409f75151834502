namespace OpenTrain.Lineage.Model;

/// <summary>What hosts read of a parent entry, as plain values (the located fields are the generated ones).</summary>
public sealed partial class Parent
{
    /// <summary>
    /// A pre-trained part used unchanged inside the model (a diffusion model's text encoder): it caps the model's level
    /// like any parent, but the model contains it rather than derives from it, which is what exports say.
    /// </summary>
    public bool IsFrozenComponent => Relation.AsString() == "frozen-component";
}
