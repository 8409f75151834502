using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Build.Framework;
using OpenTrainAnalyzers.Build.Files;
using OpenTrainAnalyzers.Build.Findings;
using OpenTrainAnalyzers.Build.Weights;

namespace OpenTrainAnalyzers.Build.Signing;

/// <summary>One OpenTrainTrustedSigner item: a producer's PEM public key, or a PEM CA certificate (optionally with the expected signer subject).</summary>
internal sealed class TrustedSigner
{
    public TrustedSigner(string item, EcKeys.PublicKey? key, X509Certificate2? certificate, string? expectedSubject)
    {
        Item = item;
        Key = key;
        Certificate = certificate;
        ExpectedSubject = expectedSubject;
        Hint = key is null ? null : EcKeys.HintOf(key.Spki);
    }

    /// <summary>The item as written (its path).</summary>
    public string Item { get; }

    public EcKeys.PublicKey? Key { get; }

    public X509Certificate2? Certificate { get; }

    public string? ExpectedSubject { get; }

    /// <summary>The v1.1 key hint of <see cref="Key"/>.</summary>
    public string? Hint { get; }
}

/// <summary>Reads OpenTrainTrustedSigner items; a file that is not a usable key or certificate is a problem, never a silent skip.</summary>
internal static class TrustedSigners
{
    private const int MaxPemBytes = 1024 * 1024;

    public static List<TrustedSigner> Read(ITaskItem[] items, string projectDirectory, List<string> problems)
    {
        var signers = new List<TrustedSigner>();
        foreach (var item in items)
        {
            string spec = item.ItemSpec;
            string? subject = item.GetMetadata("Subject") is { Length: > 0 } s ? s.Trim() : null;
            string text;
            try
            {
                string path = Path.GetFullPath(Path.Combine(projectDirectory, spec));
                var check = SafeFiles.Check(path, null);
                if (check.Status != FileCheckStatus.Regular)
                {
                    problems.Add($"OpenTrainTrustedSigner '{spec}' is not a readable file ({check.Status}); point it at the producer's PEM public key or PEM CA certificate.");
                    continue;
                }

                byte[] bytes = SafeFiles.ReadCapped(check.Target ?? path, MaxPemBytes, out bool tooLarge);
                if (tooLarge)
                {
                    problems.Add($"OpenTrainTrustedSigner '{spec}' is larger than {MaxPemBytes:N0} bytes: it is not a PEM key or certificate.");
                    continue;
                }

                text = Encoding.ASCII.GetString(bytes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
            {
                problems.Add($"OpenTrainTrustedSigner '{spec}' cannot be read: {SafeFiles.Reason(e)}.");
                continue;
            }

            if (EcKeys.FromPem(text, "CERTIFICATE") is { } der)
            {
                if (!EcKeys.LooksLikeCertificate(der))
                {
                    problems.Add($"OpenTrainTrustedSigner '{spec}' has a CERTIFICATE block that is not a DER X.509 certificate.");
                    continue;
                }

                X509Certificate2 certificate;
                try
                {
                    certificate = new X509Certificate2(der);
                }
                catch (CryptographicException)
                {
                    problems.Add($"OpenTrainTrustedSigner '{spec}' has a CERTIFICATE block that is not an X.509 certificate.");
                    continue;
                }

                signers.Add(new TrustedSigner(spec, null, certificate, subject));
            }
            else if (EcKeys.FromPem(text, "PUBLIC KEY") is { } spki)
            {
                if (EcKeys.FromSpki(spki) is not { } key)
                {
                    problems.Add($"OpenTrainTrustedSigner '{spec}' is a public key, but not an ECDSA P-256, P-384 or P-521 key (the curves OpenSSF model signing uses).");
                    continue;
                }

                if (subject is not null)
                {
                    problems.Add($"OpenTrainTrustedSigner '{spec}' is a public key; its Subject metadata applies only to CA certificates. Remove it.");
                    continue;
                }

                signers.Add(new TrustedSigner(spec, key, null, null));
            }
            else
            {
                problems.Add($"OpenTrainTrustedSigner '{spec}' holds neither a PEM 'PUBLIC KEY' nor a PEM 'CERTIFICATE' block.");
            }
        }

        return signers;
    }
}
