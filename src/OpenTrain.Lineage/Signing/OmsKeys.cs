namespace OpenTrain.Lineage.Signing;

#pragma warning disable SA1300, SA1303, SA1310, IDE1006 // named exactly like the keys they stand for

/// <summary>
/// The JSON keys of a sigstore bundle and of the model_signing in-toto statement, in one place. They are the OMS
/// format's, not manifest fields (some share a name with one, such as "name" or "sha256"): the manifest is read through
/// the typed model only.
/// </summary>
internal static class OmsKeys
{
    public const string _type = "_type";
    public const string algorithm = "algorithm";
    public const string allow_symlinks = "allow_symlinks";
    public const string certificate = "certificate";
    public const string certificates = "certificates";
    public const string digest = "digest";
    public const string dsseEnvelope = "dsseEnvelope";
    public const string hash_type = "hash_type";
    public const string hint = "hint";
    public const string ignore_paths = "ignore_paths";
    public const string mediaType = "mediaType";
    public const string messageSignature = "messageSignature";
    public const string method = "method";
    public const string name = "name";
    public const string payload = "payload";
    public const string payloadType = "payloadType";
    public const string predicate = "predicate";
    public const string predicateType = "predicateType";
    public const string publicKey = "publicKey";
    public const string rawBytes = "rawBytes";
    public const string resources = "resources";
    public const string serialization = "serialization";
    public const string sha256 = "sha256";
    public const string shard_size = "shard_size";
    public const string sig = "sig";
    public const string signatures = "signatures";
    public const string subject = "subject";
    public const string tlogEntries = "tlogEntries";
    public const string verificationMaterial = "verificationMaterial";
    public const string x509CertificateChain = "x509CertificateChain";
}
