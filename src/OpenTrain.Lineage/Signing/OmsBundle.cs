using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using OpenTrain.Lineage.Json;

namespace OpenTrain.Lineage.Signing;

/// <summary>How an OpenSSF Model Signing bundle says its signature can be checked.</summary>
public enum OmsMethod
{
    /// <summary><c>verificationMaterial.publicKey</c>: a key the verifier must already trust (model_signing's key method).</summary>
    Key,

    /// <summary><c>verificationMaterial.x509CertificateChain</c>: leaf first, chained to a root the verifier trusts.</summary>
    Certificate,

    /// <summary><c>verificationMaterial.certificate</c>: sigstore keyless (Fulcio certificate + Rekor log); not verified here.</summary>
    Keyless,
}

/// <summary>
/// A sigstore bundle (<c>application/vnd.dev.sigstore.bundle.*+json</c>) as model_signing v1.x writes it: the DSSE
/// envelope and the verification material, decoded but not verified (the task verifies; the core has no crypto).
/// Parsing is strict and never throws: anything unexpected is a <see cref="Problem"/>.
/// </summary>
public sealed class OmsBundle
{
    /// <summary>Larger than any real bundle (a statement lists one digest per file); the host refuses bigger files unread.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    public const string InTotoPayloadType = "application/vnd.in-toto+json";

    private OmsBundle()
    {
    }

    public string MediaType { get; private set; } = string.Empty;

    public OmsMethod Method { get; private set; }

    /// <summary>Key method, v1.0 bundles: the signer's public key (PEM text bytes) as the signer claims it; never trusted by itself.</summary>
    public byte[]? PublicKeyRawBytes { get; private set; }

    /// <summary>Key method, v1.1 bundles: hex SHA-256 of the signer's public key PEM.</summary>
    public string? KeyHint { get; private set; }

    /// <summary>Certificate method: DER certificates, leaf first.</summary>
    public IReadOnlyList<byte[]> Certificates { get; private set; } = Array.Empty<byte[]>();

    /// <summary>True when the bundle carries transparency-log entries; they are not checked by this verifier.</summary>
    public bool HasTlogEntries { get; private set; }

    public string PayloadType { get; private set; } = string.Empty;

    public byte[] Payload { get; private set; } = Array.Empty<byte>();

    /// <summary>The DSSE signature (ASN.1 DER for ECDSA).</summary>
    public byte[] Signature { get; private set; } = Array.Empty<byte>();

    /// <summary>DSSE pre-authentication encoding: what the signature is over.</summary>
    public byte[] PreAuthenticationEncoding()
    {
        byte[] type = Encoding.UTF8.GetBytes(PayloadType);
        byte[] head = Encoding.UTF8.GetBytes(string.Format(CultureInfo.InvariantCulture, "DSSEv1 {0} ", type.Length));
        byte[] middle = Encoding.UTF8.GetBytes(string.Format(CultureInfo.InvariantCulture, " {0} ", Payload.Length));
        var pae = new byte[head.Length + type.Length + middle.Length + Payload.Length];
        Buffer.BlockCopy(head, 0, pae, 0, head.Length);
        Buffer.BlockCopy(type, 0, pae, head.Length, type.Length);
        Buffer.BlockCopy(middle, 0, pae, head.Length + type.Length, middle.Length);
        Buffer.BlockCopy(Payload, 0, pae, head.Length + type.Length + middle.Length, Payload.Length);
        return pae;
    }

    /// <summary>The bundle, or null and why not (a sentence to show the user).</summary>
    public static OmsBundle? Parse(byte[] bytes, out string? problem)
    {
        problem = null;
        if (bytes.Length > MaxBytes)
        {
            problem = $"it has {bytes.Length:N0} bytes, more than the {MaxBytes:N0} a model signature can need";
            return null;
        }

        if (!Utf8Text.TryDecode(bytes, bytes.Length, out string text, out int invalid))
        {
            problem = $"it is not UTF-8 text (invalid byte at offset {invalid})";
            return null;
        }

        var parsed = JsonParser.Parse(text);
        if (parsed.Root is null || parsed.Problems.Count > 0)
        {
            problem = parsed.Problems.Count > 0 ? $"it is not a valid JSON sigstore bundle: {parsed.Problems[0].Message} ({parsed.Problems[0].Range})" : "it is empty";
            return null;
        }

        var root = parsed.Root;
        var bundle = new OmsBundle();
        if (root.Kind != JsonValueKind.Object)
        {
            problem = "it is not a JSON object (a sigstore bundle is one)";
            return null;
        }

        bundle.MediaType = root[OmsKeys.mediaType]?.AsString() ?? string.Empty;
        if (!bundle.MediaType.StartsWith("application/vnd.dev.sigstore.bundle", StringComparison.Ordinal))
        {
            problem = $"its mediaType is '{Short(bundle.MediaType)}', not a sigstore bundle (application/vnd.dev.sigstore.bundle.v0.3+json)";
            return null;
        }

        var material = root[OmsKeys.verificationMaterial];
        if (material is not { Kind: JsonValueKind.Object })
        {
            problem = "it has no verificationMaterial object (the key or certificates to check the signature with)";
            return null;
        }

        bundle.HasTlogEntries = material[OmsKeys.tlogEntries] is { Kind: JsonValueKind.Array } tlog && tlog.Items.Count > 0;
        int kinds = 0;
        if (material[OmsKeys.publicKey] is { } key)
        {
            kinds++;
            bundle.Method = OmsMethod.Key;
            if (key.Kind != JsonValueKind.Object)
            {
                problem = "verificationMaterial.publicKey is not an object";
                return null;
            }

            if (key[OmsKeys.rawBytes] is { } raw && (bundle.PublicKeyRawBytes = Base64(raw)) is null)
            {
                problem = "verificationMaterial.publicKey.rawBytes is not base64";
                return null;
            }

            if (key[OmsKeys.hint] is { } hint)
            {
                bundle.KeyHint = hint.AsString();
                if (bundle.KeyHint is null)
                {
                    problem = "verificationMaterial.publicKey.hint is not a string";
                    return null;
                }
            }
        }

        if (material[OmsKeys.x509CertificateChain] is { } chain)
        {
            kinds++;
            bundle.Method = OmsMethod.Certificate;
            var certificates = new List<byte[]>();
            if (chain[OmsKeys.certificates] is not { Kind: JsonValueKind.Array } list || list.Items.Count == 0)
            {
                problem = "verificationMaterial.x509CertificateChain.certificates is not a non-empty array";
                return null;
            }

            foreach (var certificate in list.Items)
            {
                if (certificate[OmsKeys.rawBytes] is not { } rawCertificate || Base64(rawCertificate) is not { Length: > 0 } der)
                {
                    problem = "a certificate in verificationMaterial.x509CertificateChain has no base64 rawBytes";
                    return null;
                }

                certificates.Add(der);
            }

            bundle.Certificates = certificates;
        }

        if (material[OmsKeys.certificate] is { } single)
        {
            kinds++;
            bundle.Method = OmsMethod.Keyless;
            if (single[OmsKeys.rawBytes] is { } rawSingle && Base64(rawSingle) is { Length: > 0 } der)
            {
                bundle.Certificates = new[] { der };
            }
        }

        if (kinds != 1)
        {
            problem = kinds == 0
                ? "its verificationMaterial has neither publicKey, x509CertificateChain nor certificate"
                : "its verificationMaterial has more than one of publicKey, x509CertificateChain and certificate";
            return null;
        }

        if (root[OmsKeys.messageSignature] is not null)
        {
            problem = "it signs a message digest (messageSignature), not a DSSE envelope: it is not an OpenSSF model signature";
            return null;
        }

        var envelope = root[OmsKeys.dsseEnvelope];
        if (envelope is not { Kind: JsonValueKind.Object })
        {
            problem = "it has no dsseEnvelope object (the signed statement)";
            return null;
        }

        bundle.PayloadType = envelope[OmsKeys.payloadType]?.AsString() ?? string.Empty;
        if (envelope[OmsKeys.payload] is not { } payload || Base64(payload) is not { } payloadBytes)
        {
            problem = "dsseEnvelope.payload is missing or not base64";
            return null;
        }

        bundle.Payload = payloadBytes;
        if (envelope[OmsKeys.signatures] is not { Kind: JsonValueKind.Array } signatures || signatures.Items.Count != 1)
        {
            // model_signing writes exactly one; with several, which one vouches for the bytes would be ambiguous.
            problem = "dsseEnvelope.signatures must hold exactly one signature";
            return null;
        }

        if (signatures.Items[0][OmsKeys.sig] is not { } sig || Base64(sig) is not { Length: > 0 } signature)
        {
            problem = "dsseEnvelope.signatures[0].sig is missing or not base64";
            return null;
        }

        bundle.Signature = signature;
        return bundle;
    }

    private static byte[]? Base64(JsonValue value)
    {
        if (value.AsString() is not { } text)
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static string Short(string text) => text.Length <= 80 ? text : text.Substring(0, 80) + "…";
}
