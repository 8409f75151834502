using System;
using System.Security.Cryptography;
using System.Text;

namespace OpenTrainAnalyzers.Build.Signing;

/// <summary>
/// ECDSA public keys and signatures by hand, so that the net8.0 and the net472 task run one code path: .NET Framework
/// has no ImportSubjectPublicKeyInfo, no PEM import and no DSASignatureFormat. Only what an OpenSSF model signature
/// needs: a SubjectPublicKeyInfo for P-256/384/521, DER signatures turned into IEEE P1363 (r||s), PEM blocks.
/// Every parse is bounds-checked and returns null on anything unexpected; nothing here throws on hostile bytes.
/// </summary>
internal static class EcKeys
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";

    /// <summary>A curve the verifier supports: its name, field size in bytes and the hash model_signing pairs with it.</summary>
    internal sealed class Curve
    {
        public Curve(string name, string oid, int fieldBytes, HashAlgorithmName hash)
        {
            Name = name;
            Oid = oid;
            FieldBytes = fieldBytes;
            Hash = hash;
        }

        public string Name { get; }

        public string Oid { get; }

        public int FieldBytes { get; }

        public HashAlgorithmName Hash { get; }
    }

    internal static readonly Curve[] Curves =
    {
        new("P-256", "1.2.840.10045.3.1.7", 32, HashAlgorithmName.SHA256),
        new("P-384", "1.3.132.0.34", 48, HashAlgorithmName.SHA384),
        new("P-521", "1.3.132.0.35", 66, HashAlgorithmName.SHA512),
    };

    /// <summary>A parsed EC public key: its curve, its uncompressed point, and the SPKI it came from (for equality).</summary>
    internal sealed class PublicKey
    {
        public PublicKey(Curve curve, byte[] x, byte[] y, byte[] spki)
        {
            Curve = curve;
            X = x;
            Y = y;
            Spki = spki;
        }

        public Curve Curve { get; }

        public byte[] X { get; }

        public byte[] Y { get; }

        public byte[] Spki { get; }

        /// <summary>
        /// True when <paramref name="signatureDer"/> is a valid ECDSA signature of <paramref name="data"/> hashed with the
        /// curve's hash. A malformed signature is simply not valid.
        /// </summary>
        public bool Verify(byte[] data, byte[] signatureDer)
        {
            byte[]? p1363 = DerToP1363(signatureDer, Curve.FieldBytes);
            if (p1363 is null)
            {
                return false;
            }

            var parameters = new ECParameters
            {
                Curve = Curve.Name == "P-256" ? ECCurve.NamedCurves.nistP256 : Curve.Name == "P-384" ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP521,
                Q = new ECPoint { X = X, Y = Y },
            };
            try
            {
                using var ecdsa = ECDsa.Create(parameters);
                byte[] hash;
                using (var algorithm = CreateHash(Curve.Hash))
                {
                    hash = algorithm.ComputeHash(data);
                }

                // VerifyHash takes r||s (IEEE P1363) on every framework.
                return ecdsa.VerifyHash(hash, p1363);
            }
            catch (CryptographicException)
            {
                return false; // e.g. a point that is not on the curve
            }
        }
    }

    private static HashAlgorithm CreateHash(HashAlgorithmName name) =>
        name == HashAlgorithmName.SHA256 ? SHA256.Create() : name == HashAlgorithmName.SHA384 ? SHA384.Create() : SHA512.Create();

    /// <summary>The EC key in a DER SubjectPublicKeyInfo, or null (not EC, another curve, compressed point, malformed).</summary>
    public static PublicKey? FromSpki(byte[] spki)
    {
        var outer = new Der(spki);
        if (!outer.Read(0x30, out var spkiBody) || !outer.AtEnd)
        {
            return null;
        }

        if (!spkiBody.Read(0x30, out var algorithm) || !spkiBody.Read(0x03, out var bitString) || !spkiBody.AtEnd)
        {
            return null;
        }

        if (!algorithm.ReadOid(out string? keyType) || keyType != EcPublicKeyOid || !algorithm.ReadOid(out string? curveOid) || !algorithm.AtEnd)
        {
            return null; // RSA, Ed25519, or explicit curve parameters: not an OMS EC key
        }

        Curve? curve = Array.Find(Curves, c => c.Oid == curveOid);
        byte[] bits = bitString.Rest();
        if (curve is null || bits.Length != 2 + (2 * curve.FieldBytes) || bits[0] != 0 || bits[1] != 0x04)
        {
            return null; // unused-bits byte 0, then an uncompressed point 04||X||Y
        }

        var x = new byte[curve.FieldBytes];
        var y = new byte[curve.FieldBytes];
        Buffer.BlockCopy(bits, 2, x, 0, curve.FieldBytes);
        Buffer.BlockCopy(bits, 2 + curve.FieldBytes, y, 0, curve.FieldBytes);
        return new PublicKey(curve, x, y, spki);
    }

    /// <summary>
    /// True when <paramref name="der"/> is shaped like one DER X.509 certificate (SEQUENCE { SEQUENCE tbsCertificate, … }
    /// and nothing after it). The X509Certificate2 byte constructor also imports PKCS#12 and PKCS#7 blobs; bytes from
    /// a bundle must never reach it unless they are a plain certificate.
    /// </summary>
    public static bool LooksLikeCertificate(byte[] der)
    {
        var outer = new Der(der);
        return outer.Read(0x30, out var body) && outer.AtEnd && body.PeekTag == 0x30;
    }

    /// <summary>The DER SubjectPublicKeyInfo of a DER X.509 certificate, or null.</summary>
    public static byte[]? SpkiOfCertificate(byte[] certificate)
    {
        var outer = new Der(certificate);
        if (!outer.Read(0x30, out var body) || !body.Read(0x30, out var tbs))
        {
            return null;
        }

        if (tbs.PeekTag == 0xA0 && !tbs.Skip())
        {
            return null; // [0] version
        }

        // serialNumber, signature, issuer, validity, subject, then subjectPublicKeyInfo.
        for (int i = 0; i < 5; i++)
        {
            if (!tbs.Skip())
            {
                return null;
            }
        }

        return tbs.ReadRaw(0x30, out byte[] spki) ? spki : null;
    }

    /// <summary>ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } → r||s, each left-padded to the field size; null if malformed.</summary>
    public static byte[]? DerToP1363(byte[] der, int fieldBytes)
    {
        var outer = new Der(der);
        if (!outer.Read(0x30, out var body) || !outer.AtEnd || !body.Read(0x02, out var r) || !body.Read(0x02, out var s) || !body.AtEnd)
        {
            return null;
        }

        var result = new byte[2 * fieldBytes];
        return CopyUnsigned(r.Rest(), result, 0, fieldBytes) && CopyUnsigned(s.Rest(), result, fieldBytes, fieldBytes) ? result : null;
    }

    private static bool CopyUnsigned(byte[] integer, byte[] target, int offset, int size)
    {
        // DER INTEGER: minimal, positive (a leading 0x00 only before a high bit). Zero or negative is never a valid r or s.
        if (integer.Length == 0 || (integer[0] & 0x80) != 0 || (integer.Length > 1 && integer[0] == 0 && (integer[1] & 0x80) == 0))
        {
            return false;
        }

        int start = integer[0] == 0 ? 1 : 0;
        int length = integer.Length - start;
        if (length > size || length == 0)
        {
            return false;
        }

        Buffer.BlockCopy(integer, start, target, offset + size - length, length);
        return true;
    }

    /// <summary>The bytes of the first PEM block labelled <paramref name="label"/>, or null.</summary>
    public static byte[]? FromPem(string text, string label)
    {
        string begin = "-----BEGIN " + label + "-----";
        string end = "-----END " + label + "-----";
        int start = text.IndexOf(begin, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += begin.Length;
        int stop = text.IndexOf(end, start, StringComparison.Ordinal);
        if (stop < 0)
        {
            return null;
        }

        var base64 = new StringBuilder();
        foreach (char c in text.Substring(start, stop - start))
        {
            if (!char.IsWhiteSpace(c))
            {
                base64.Append(c);
            }
        }

        try
        {
            return Convert.FromBase64String(base64.ToString());
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// The key hint model_signing v1.1 writes: hex SHA-256 of the key's PEM text as the cryptography library
    /// serialises it (64-column base64 lines, a final newline).
    /// </summary>
    public static string HintOf(byte[] spki)
    {
        string base64 = Convert.ToBase64String(spki);
        var pem = new StringBuilder("-----BEGIN PUBLIC KEY-----\n");
        for (int i = 0; i < base64.Length; i += 64)
        {
            pem.Append(base64, i, Math.Min(64, base64.Length - i)).Append('\n');
        }

        pem.Append("-----END PUBLIC KEY-----\n");
        using var sha = SHA256.Create();
        return OpenTrain.Lineage.Digests.ToHex(sha.ComputeHash(Encoding.ASCII.GetBytes(pem.ToString())));
    }
}

/// <summary>A bounds-checked reader over DER bytes (definite lengths only, as DER requires).</summary>
internal sealed class Der
{
    private readonly byte[] _bytes;
    private readonly int _end;
    private int _pos;

    public Der(byte[] bytes)
        : this(bytes, 0, bytes.Length)
    {
    }

    private Der(byte[] bytes, int start, int end)
    {
        _bytes = bytes;
        _pos = start;
        _end = end;
    }

    public bool AtEnd => _pos == _end;

    /// <summary>Reads the next element if it has tag <paramref name="tag"/>; its content as a new reader.</summary>
    public bool Read(byte tag, out Der content)
    {
        content = this;
        if (_pos + 2 > _end || _bytes[_pos] != tag)
        {
            return false;
        }

        int pos = _pos + 1;
        int length = _bytes[pos++];
        if (length >= 0x80)
        {
            int count = length & 0x7F;
            if (count == 0 || count > 3 || pos + count > _end)
            {
                return false; // indefinite or absurd lengths: not DER, or larger than anything here needs
            }

            length = 0;
            for (int i = 0; i < count; i++)
            {
                length = (length << 8) | _bytes[pos++];
            }
        }

        if (length > _end - pos)
        {
            return false;
        }

        content = new Der(_bytes, pos, pos + length);
        _pos = pos + length;
        return true;
    }

    /// <summary>Reads the next element if it has tag <paramref name="tag"/>; its whole encoding (tag, length, content).</summary>
    public bool ReadRaw(byte tag, out byte[] raw)
    {
        raw = Array.Empty<byte>();
        int start = _pos;
        if (!Read(tag, out _))
        {
            return false;
        }

        raw = new byte[_pos - start];
        Buffer.BlockCopy(_bytes, start, raw, 0, raw.Length);
        return true;
    }

    /// <summary>Skips the next element whatever its tag.</summary>
    public bool Skip() => _pos < _end && Read(_bytes[_pos], out _);

    public byte PeekTag => _pos < _end ? _bytes[_pos] : (byte)0;

    public bool ReadOid(out string? oid)
    {
        oid = null;
        if (!Read(0x06, out var content))
        {
            return false;
        }

        byte[] bytes = content.Rest();
        if (bytes.Length == 0)
        {
            return false;
        }

        var text = new StringBuilder();
        text.Append(bytes[0] / 40).Append('.').Append(bytes[0] % 40);
        long value = 0;
        for (int i = 1; i < bytes.Length; i++)
        {
            value = (value << 7) | (uint)(bytes[i] & 0x7F);
            if (value > int.MaxValue)
            {
                return false;
            }

            if ((bytes[i] & 0x80) == 0)
            {
                text.Append('.').Append(value);
                value = 0;
            }
        }

        oid = text.ToString();
        return true;
    }

    public byte[] Rest()
    {
        var rest = new byte[_end - _pos];
        Buffer.BlockCopy(_bytes, _pos, rest, 0, rest.Length);
        _pos = _end;
        return rest;
    }
}
