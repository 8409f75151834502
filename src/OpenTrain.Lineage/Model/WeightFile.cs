namespace OpenTrain.Lineage.Model;

/// <summary>What hosts read of a declared weight file, as plain values (the located fields are the generated ones).</summary>
public sealed partial class WeightFile
{
    /// <summary>Path relative to the manifest's directory, with '/' separators, as written; null when not a string.</summary>
    public string? RelativePath => Path.AsString();

    /// <summary>The declared SHA-256, as written; null when not a string.</summary>
    public string? DeclaredSha256 => Sha256.AsString();

    /// <summary>The declared size in bytes; null when absent or not a whole number.</summary>
    public long? DeclaredSize => Size.Int64;
}
