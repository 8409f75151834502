namespace OpenTrain.Lineage;

public static class Digests
{
    /// <summary>True for 64 lowercase hexadecimal digits, the form manifests write SHA-256 in.</summary>
    public static bool IsSha256(string value) => TextChecks.IsSha256(value);

    /// <summary>Lowercase hexadecimal, the form manifests and sha256sum write digests in.</summary>
    public static string ToHex(byte[] hash)
    {
        var text = new char[hash.Length * 2];
        for (int i = 0; i < hash.Length; i++)
        {
            text[2 * i] = "0123456789abcdef"[hash[i] >> 4];
            text[(2 * i) + 1] = "0123456789abcdef"[hash[i] & 0xF];
        }

        return new string(text);
    }
}
