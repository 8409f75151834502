using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenTrainAnalyzers.Build.Signing;

/// <summary>
/// Does a bundle's certificate chain lead to a configured root, at the verification time, for a certificate that may
/// sign? The machine's trust store is never consulted: only OpenTrainTrustedSigner certificates are roots.
/// net8.0 uses X509ChainTrustMode.CustomRootTrust; .NET Framework has no custom trust store, so there the chain is
/// built with the root as an extra certificate, an unknown root allowed, and then accepted only when its last element
/// is byte-for-byte the configured root and no element has another error.
/// </summary>
internal static class CertificateTrust
{
    private const string CodeSigning = "1.3.6.1.5.5.7.3.3";

    /// <summary>Null when <paramref name="leaf"/> chains to <paramref name="root"/>; otherwise why not (a sentence).</summary>
    public static string? Check(X509Certificate2 leaf, IReadOnlyList<byte[]> others, TrustedSigner root, DateTime verificationTimeUtc)
    {
        if (KeyUsageProblem(leaf) is { } usage)
        {
            return usage;
        }

        using var chain = new X509Chain();
        var extra = new List<X509Certificate2>();
        try
        {
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // offline build; revocation is the producer's CRL, not checked (documented)
            chain.ChainPolicy.VerificationTime = verificationTimeUtc.ToLocalTime();
            foreach (var der in others)
            {
                var certificate = new X509Certificate2(der);
                extra.Add(certificate);
                chain.ChainPolicy.ExtraStore.Add(certificate);
            }

#if NETFRAMEWORK
            chain.ChainPolicy.ExtraStore.Add(root.Certificate!);
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            chain.ChainPolicy.UrlRetrievalTimeout = TimeSpan.FromMilliseconds(1);
            chain.Build(leaf);
            var errors = chain.ChainStatus.Where(s => s.Status != X509ChainStatusFlags.NoError && s.Status != X509ChainStatusFlags.UntrustedRoot).ToList();
#else
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root.Certificate!);
            chain.ChainPolicy.DisableCertificateDownloads = true;
            chain.Build(leaf);
            var errors = chain.ChainStatus.Where(s => s.Status != X509ChainStatusFlags.NoError).ToList();
#endif
            var elements = chain.ChainElements.Cast<X509ChainElement>().ToList();
            bool endsAtRoot = elements.Count > 0 && elements[elements.Count - 1].Certificate.RawData.SequenceEqual(root.Certificate!.RawData);
            if (errors.Count > 0 || !endsAtRoot)
            {
                string status = errors.Count > 0 ? string.Join("; ", errors.Select(e => e.Status.ToString()).Distinct()) : "the chain ends at '" + (elements.Count > 0 ? elements[elements.Count - 1].Certificate.Subject : "?") + "'";
                return $"the certificate chain of '{leaf.Subject}' does not lead to the trusted root '{root.Certificate!.Subject}' ({root.Item}) at {verificationTimeUtc:yyyy-MM-ddTHH:mm:ssZ}: {status}";
            }

            if (root.ExpectedSubject is { } expected
                && !string.Equals(leaf.Subject, expected, StringComparison.Ordinal)
                && !string.Equals(leaf.GetNameInfo(X509NameType.SimpleName, false), expected, StringComparison.Ordinal))
            {
                return $"the signing certificate's subject is '{leaf.Subject}', not the expected '{expected}' (Subject metadata of {root.Item})";
            }

            return null;
        }
        catch (CryptographicException e)
        {
            return $"a certificate of the bundle cannot be read ({e.Message})";
        }
        finally
        {
            foreach (var certificate in extra)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>The leaf must be allowed to make signatures: key usage digitalSignature (required), and code signing if it restricts extended usage.</summary>
    private static string? KeyUsageProblem(X509Certificate2 leaf)
    {
        var keyUsage = leaf.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (keyUsage is null || (keyUsage.KeyUsages & X509KeyUsageFlags.DigitalSignature) == 0)
        {
            return $"the signing certificate '{leaf.Subject}' has no key usage digitalSignature, so it may not sign";
        }

        var extended = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (extended is not null && !extended.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == CodeSigning))
        {
            return $"the signing certificate '{leaf.Subject}' restricts its extended key usage and code signing is not among it";
        }

        return null;
    }
}
