using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Build.Framework;
using OpenTrain.Lineage;

namespace OpenTrainAnalyzers.Build.Signing;

/// <summary>
/// The project's signature settings (OpenTrainTrustedSigner items, OpenTrainRequireSignature,
/// OpenTrainSignatureVerificationTime), read once per task run; configuration problems are OTL0806/OTL0807 at the
/// project file.
/// </summary>
internal sealed class SignaturePolicy
{
    private SignaturePolicy(List<TrustedSigner> signers, bool required, DateTime time)
    {
        Signers = signers;
        Required = required;
        VerificationTimeUtc = time;
    }

    public IReadOnlyList<TrustedSigner> Signers { get; }

    public bool Required { get; }

    /// <summary>
    /// Certificates are checked at this instant: the build's own clock unless the project pins one. Key and
    /// certificate bundles carry no trusted timestamp, so the signing time cannot be known: a certificate must be
    /// valid now (or at the pinned time).
    /// </summary>
    public DateTime VerificationTimeUtc { get; }

    public static SignaturePolicy Read(ITaskItem[] trustedSigners, bool required, string? verificationTime, DateTime utcNow, string projectDirectory, List<LineageFinding> problems)
    {
        var messages = new List<string>();
        var signers = TrustedSigners.Read(trustedSigners, projectDirectory, messages);
        foreach (var message in messages)
        {
            problems.Add(new LineageFinding(LineageRules.TrustedSignerInvalid, message, string.Empty, null, LineageLevel.Declared));
        }

        DateTime time = utcNow;
        if (!string.IsNullOrWhiteSpace(verificationTime))
        {
            if (DateTime.TryParse(verificationTime!.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var pinned))
            {
                time = DateTime.SpecifyKind(pinned, DateTimeKind.Utc);
            }
            else
            {
                problems.Add(new LineageFinding(LineageRules.TrustedSignerInvalid,
                    $"OpenTrainSignatureVerificationTime is '{verificationTime}', not a date and time; write ISO 8601 UTC, e.g. 2026-06-01T00:00:00Z, or remove it to check certificates at the build's time.",
                    string.Empty, null, LineageLevel.Declared));
            }
        }

        if (required && signers.Count == 0)
        {
            problems.Add(new LineageFinding(LineageRules.SignatureRequired,
                "OpenTrainRequireSignature is true, but no OpenTrainTrustedSigner item names a producer's public key or CA certificate, so no signature can be trusted. Add <OpenTrainTrustedSigner Include=\"keys/producer.pub.pem\" /> (docs/signed-weights.md).",
                string.Empty, null, LineageLevel.Declared));
        }

        return new SignaturePolicy(signers, required, time);
    }
}
