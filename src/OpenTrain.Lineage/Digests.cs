namespace OpenTrain.Lineage;

public static class Digests
{
    /// <summary>True for 64 lowercase hexadecimal digits, the form manifests write SHA-256 in.</summary>
    public static bool IsSha256(string value) => TextChecks.IsSha256(value);
}
