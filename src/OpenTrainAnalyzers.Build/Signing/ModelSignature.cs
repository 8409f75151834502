using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenTrain.Lineage;
using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;
using OpenTrain.Lineage.Signing;
using OpenTrainAnalyzers.Build.Files;
using OpenTrainAnalyzers.Build.Findings;
using OpenTrainAnalyzers.Build.Weights;

namespace OpenTrainAnalyzers.Build.Signing;

/// <summary>What the gate concluded about one manifest's signature, for the reports.</summary>
internal sealed class SignatureOutcome
{
    public SignatureOutcome(string file)
    {
        File = file;
    }

    /// <summary>weights.signature.path as written.</summary>
    public string File { get; }

    /// <summary>verified, invalid, untrusted, not-verified (method not supported), unreadable.</summary>
    public string Status { get; set; } = "unreadable";

    /// <summary>key, certificate or keyless (as the bundle says).</summary>
    public string? Method { get; set; }

    /// <summary>Who vouches: the certificate subject, or the trusted key's file and hint.</summary>
    public string? Signer { get; set; }

    /// <summary>The signed resources include the lineage manifest itself (unchanged): the producer vouches for the lineage statement too.</summary>
    public bool LineageSigned { get; set; }

    public bool IsVerified => Status == "verified";

    /// <summary>The signed statement's subject digest (SHA-256 over the signed files' digests), once the signature checked out.</summary>
    public string? RootDigest { get; set; }
}

/// <summary>
/// Verifies the OpenSSF Model Signing (OMS v1.0/v1.1) signature a manifest points at (weights.signature.path):
/// the bundle, the DSSE signature over the in-toto statement with a trusted key or a certificate chaining to a trusted
/// root, the statement's root digest, its resources against weights.files, and the folder against the signed file set.
/// The per-file digests compared are the manifest's declared ones, which the weight checks bind to the bytes: no
/// weight byte is read here. Fails closed: "verified" only when every step passed; keyless bundles are not verified.
/// </summary>
internal static class ModelSignature
{
    // model_signing ignores these by default when it signs and verifies (and v1.1 records them in ignore_paths).
    private static readonly string[] DefaultIgnored = { ".git", ".gitattributes", ".github", ".gitignore" };

    // A model folder with more entries than this is not scanned to the end: the scan itself reports it.
    private const int MaxFolderEntries = 100_000;

    public static SignatureOutcome? Check(
        LineageManifest manifest,
        string manifestPath,
        IReadOnlyList<TrustedSigner> signers,
        DateTime verificationTimeUtc,
        bool required,
        bool weightsVerified,
        ShardDigests shards,
        List<LineageFinding> findings)
    {
        var weights = manifest.Document?.Weights;
        var signatureField = weights?.Node?.Signature;
        if (signatureField is not { IsPresent: true } field || field.Node is not { } signature)
        {
            if (required)
            {
                string at = weights?.Field.JsonPath ?? "$.weights";
                findings.Add(new LineageFinding(LineageRules.SignatureRequired,
                    "OpenTrainRequireSignature is true, but weights.signature is absent: ask the producer for an OpenSSF model signature (model_signing sign … --signature model.sig), put it next to the weights and add \"signature\": { \"path\": \"model.sig\" }.",
                    at, weights?.Value?.Range ?? manifest.Root?.Range, LineageLevel.Declared));
            }

            return null;
        }

        var pathValue = signature.Path.Value;
        string? relative = signature.Path.AsString();
        var outcome = new SignatureOutcome(relative ?? string.Empty);
        var untrustedSeverity = required ? FindingSeverity.Error : FindingSeverity.Warning;
        string pathAt = pathValue?.Path ?? signature.JsonPath;
        var pathRange = pathValue?.Range ?? signature.Range;
        void Add(LineageRule rule, string message, FindingSeverity? severity = null) =>
            findings.Add(new LineageFinding(rule, message, pathAt, pathRange, LineageLevel.Declared, severity));

        if (relative is null || WeightPaths.Problem(relative) is { } pathProblem)
        {
            Add(LineageRules.SignatureUnreadable, relative is null
                ? "weights.signature has no path: write the signature file's path relative to the manifest, e.g. \"path\": \"model.sig\"."
                : $"weights.signature.path '{relative}' {WeightPaths.Problem(relative)}.");
            return outcome;
        }

        string directory = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        byte[]? bundleBytes = ReadSignatureFile(directory, relative, out string? readProblem);
        if (bundleBytes is null)
        {
            Add(LineageRules.SignatureUnreadable, $"The signature file '{relative}' {readProblem}. Restore the producer's signature file next to the weights, or fix weights.signature.path.");
            return outcome;
        }

        var bundle = OmsBundle.Parse(bundleBytes, out string? bundleProblem);
        if (bundle is null)
        {
            Add(LineageRules.SignatureUnreadable, $"The signature file '{relative}' is not an OpenSSF model signature: {bundleProblem}. Ask the producer for the model_signing bundle (v1.0 or later).");
            return outcome;
        }

        outcome.Method = bundle.Method switch { OmsMethod.Key => "key", OmsMethod.Certificate => "certificate", _ => "keyless" };
        // A chain with transparency-log entries is a keyless (Fulcio) signature in the older bundle layout: its
        // certificate names an OIDC identity and means nothing without the log, so it is not checked as a CA chain.
        if (bundle.Method == OmsMethod.Keyless || (bundle.Method == OmsMethod.Certificate && bundle.HasTlogEntries))
        {
            outcome.Status = "not-verified (method not supported)";
            Add(LineageRules.SignatureMethodUnsupported,
                $"'{relative}' is a sigstore keyless signature (Fulcio certificate and Rekor transparency log); this version does not verify keyless signatures, so the weights are NOT verified as signed. Verify it with `model_signing verify sigstore`, or ask the producer for a key or certificate signature.",
                untrustedSeverity);
            return outcome;
        }

        if (bundle.PayloadType != OmsBundle.InTotoPayloadType)
        {
            outcome.Status = "invalid";
            Add(LineageRules.SignatureInvalid, $"'{relative}' signs a payload of type '{OmsBundle.Short(bundle.PayloadType)}', not an in-toto statement ({OmsBundle.InTotoPayloadType}): it is not an OpenSSF model signature.");
            return outcome;
        }

        // 1. The signature over the DSSE PAE, and who made it.
        byte[] pae = bundle.PreAuthenticationEncoding();
        bool trusted;
        string? trustProblem;
        if (bundle.Method == OmsMethod.Key)
        {
            if (!VerifyWithKey(bundle, pae, signers, outcome, out trusted, out trustProblem))
            {
                outcome.Status = "invalid";
                Add(LineageRules.SignatureInvalid, $"The signature in '{relative}' does not verify with {trustProblem}: the statement or the signature was changed after signing, or another key signed it. Get the signature again from the producer.");
                return outcome;
            }
        }
        else
        {
            if (!VerifyWithCertificate(bundle, pae, signers, verificationTimeUtc, outcome, out trusted, out trustProblem, out string? invalidReason))
            {
                outcome.Status = "invalid";
                Add(LineageRules.SignatureInvalid, $"The signature in '{relative}' does not verify: {invalidReason}. Get the signature again from the producer.");
                return outcome;
            }
        }

        // 2. The statement: its type, its root digest, its resources.
        var statement = OmsStatement.Parse(bundle.Payload, out string? statementProblem, out bool unsupported);
        if (statement is null)
        {
            if (unsupported)
            {
                outcome.Status = "not-verified (method not supported)";
                Add(LineageRules.SignatureMethodUnsupported, $"'{relative}' is a model signature this version cannot check: {statementProblem}. The weights are NOT verified as signed; ask the producer for an OMS v1.0 signature with sha256 (model_signing ≥ 1.0, the default hash).", untrustedSeverity);
            }
            else
            {
                outcome.Status = "invalid";
                Add(LineageRules.SignatureInvalid, $"The statement signed in '{relative}' is not a valid OpenSSF model signature statement: {statementProblem}.");
            }

            return outcome;
        }

        string? computedRoot = RootOf(statement);
        if (computedRoot != statement.SubjectDigest)
        {
            outcome.Status = "invalid";
            Add(LineageRules.SignatureInvalid, $"The statement signed in '{relative}' claims the root digest {statement.SubjectDigest}, but its resources give {computedRoot ?? "(a resource name that is not a contained relative path, or two names for the same file)"}: the statement is inconsistent. Get the signature again from the producer.");
            return outcome;
        }

        // 3. The signed files are exactly weights.files (plus, optionally, the manifest itself).
        int before = findings.Count;
        if (statement.Serialization == "shards")
        {
            CompareShards(manifest, manifestPath, statement, outcome, shards, findings);
        }
        else
        {
            CompareResources(manifest, manifestPath, statement, outcome, findings);
        }

        if (!statement.IsSingleFile)
        {
            FindUnsignedFiles(directory, relative, Path.GetFileName(manifestPath), statement, manifest.Document!.Weights.Node!.Files.Field, findings);
        }

        bool filesMatch = findings.Count == before;
        if (!trusted)
        {
            outcome.Status = "untrusted";
            Add(LineageRules.SignatureUntrusted, $"The signature in '{relative}' is intact but not from a trusted signer: {trustProblem}. Add the producer's public key or root certificate as an OpenTrainTrustedSigner item (docs/signed-weights.md), after checking it through a channel you trust.", untrustedSeverity);
        }
        else if (!filesMatch)
        {
            outcome.Status = "invalid";
        }
        else if (!weightsVerified)
        {
            // The signature covers the declared digests; without the byte check nothing binds them to the files on disk.
            outcome.Status = "not-verified (weights not checked)";
            if (required)
            {
                Add(LineageRules.SignatureRequired,
                    $"The signature in '{relative}' is valid and trusted, but it covers the digests the manifest declares, and the weights on disk were not compared with them (OpenTrainVerifyDigests is false, or a weight file failed its check): a required signature needs both. Set OpenTrainVerifyDigests to true and fix the weight findings.");
            }
        }
        else
        {
            outcome.Status = "verified";
            outcome.RootDigest = statement.SubjectDigest;
        }

        return outcome;
    }

    private static byte[]? ReadSignatureFile(string directory, string relative, out string? problem)
    {
        problem = null;
        try
        {
            string full = Path.GetFullPath(Path.Combine(directory, relative.Replace('/', Path.DirectorySeparatorChar)));
            var check = SafeFiles.Check(full, new[] { directory });
            switch (check.Status)
            {
                case FileCheckStatus.Regular:
                    break;
                case FileCheckStatus.Missing:
                    problem = "does not exist";
                    return null;
                case FileCheckStatus.LinkOutside:
                    problem = $"is a symbolic link to '{check.Target}', outside the manifest's folder; it was not read";
                    return null;
                default:
                    problem = $"is not a regular file ({check.Status}); it was not opened";
                    return null;
            }

            byte[] bytes = SafeFiles.ReadCapped(check.Target ?? full, OmsBundle.MaxBytes, out bool tooLarge);
            if (tooLarge)
            {
                problem = $"is larger than {OmsBundle.MaxBytes:N0} bytes, far more than any model signature";
                return null;
            }

            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            problem = "cannot be read: " + SafeFiles.Reason(e);
            return null;
        }
    }

    /// <summary>
    /// Key method. True when the signature is valid for some key (trusted or the bundle's own); <paramref name="trusted"/>
    /// says whether that key is an OpenTrainTrustedSigner. False (invalid) when a key the bundle names does not verify it.
    /// </summary>
    private static bool VerifyWithKey(OmsBundle bundle, byte[] pae, IReadOnlyList<TrustedSigner> signers, SignatureOutcome outcome, out bool trusted, out string? problem)
    {
        trusted = false;
        problem = null;
        var keys = signers.Where(s => s.Key is not null).ToList();
        foreach (var signer in keys)
        {
            if (signer.Key!.Verify(pae, bundle.Signature))
            {
                trusted = true;
                outcome.Signer = $"public key {signer.Item} (sha256 {signer.Hint})";
                return true;
            }
        }

        // Which key the bundle says signed it: the v1.0 embedded key, or the v1.1 hint. Never trusted because it is named.
        EcKeys.PublicKey? embedded = bundle.PublicKeyRawBytes is { } raw
            ? (EcKeys.FromPem(System.Text.Encoding.ASCII.GetString(raw), "PUBLIC KEY") is { } spki ? EcKeys.FromSpki(spki) : null)
            : null;
        string? hint = embedded is not null ? EcKeys.HintOf(embedded.Spki) : bundle.KeyHint;
        var named = keys.FirstOrDefault(s => s.Hint == hint);
        if (named is not null)
        {
            problem = $"the trusted key {named.Item} that the bundle names (sha256 {hint})";
            return false; // the trusted key it claims does not verify it: tampered
        }

        if (embedded is not null)
        {
            if (!embedded.Verify(pae, bundle.Signature))
            {
                problem = "the public key the bundle carries";
                return false;
            }

            outcome.Signer = $"public key sha256 {hint} (not trusted)";
            problem = keys.Count == 0 ? "no OpenTrainTrustedSigner public key is configured" : $"it was made with the key sha256 {hint}, which is none of the {keys.Count} trusted key(s)";
            return true;
        }

        // A hint-only bundle whose key we do not have: nothing can be verified, nothing is claimed.
        outcome.Signer = hint is null ? null : $"public key sha256 {OmsBundle.Short(hint)} (not trusted)";
        problem = keys.Count == 0
            ? "no OpenTrainTrustedSigner public key is configured, and the bundle names its key only by a hint" + (hint is null ? string.Empty : $" (sha256 {OmsBundle.Short(hint)})")
            : $"none of the {keys.Count} trusted key(s) verifies it (the bundle's key hint is {(hint is null ? "absent" : OmsBundle.Short(hint))})";
        return true;
    }

    private static bool VerifyWithCertificate(OmsBundle bundle, byte[] pae, IReadOnlyList<TrustedSigner> signers, DateTime time, SignatureOutcome outcome,
        out bool trusted, out string? problem, out string? invalidReason)
    {
        trusted = false;
        problem = null;
        invalidReason = null;
        X509Certificate2 leaf;
        if (bundle.Certificates.Any(c => !EcKeys.LooksLikeCertificate(c)))
        {
            invalidReason = "a certificate in its chain is not a DER X.509 certificate";
            return false;
        }

        try
        {
            leaf = new X509Certificate2(bundle.Certificates[0]);
        }
        catch (CryptographicException)
        {
            invalidReason = "its signing certificate is not an X.509 certificate";
            return false;
        }

        using (leaf)
        {
            if (EcKeys.SpkiOfCertificate(bundle.Certificates[0]) is not { } spki || EcKeys.FromSpki(spki) is not { } key)
            {
                invalidReason = $"its signing certificate '{leaf.Subject}' has no ECDSA P-256, P-384 or P-521 key, the keys OpenSSF model signatures use";
                return false;
            }

            if (!key.Verify(pae, bundle.Signature))
            {
                invalidReason = $"the signature is not valid for the key of its signing certificate '{leaf.Subject}': the statement or the signature was changed after signing";
                return false;
            }

            outcome.Signer = leaf.Subject;
            var reasons = new List<string>();
            foreach (var signer in signers)
            {
                if (signer.Key is not null)
                {
                    // A pinned key also vouches for a certificate that carries it.
                    if (signer.Key.Spki.SequenceEqual(spki))
                    {
                        trusted = true;
                        return true;
                    }

                    continue;
                }

                var reason = CertificateTrust.Check(leaf, bundle.Certificates.Skip(1).ToList(), signer, time);
                if (reason is null)
                {
                    trusted = true;
                    outcome.Signer = $"{leaf.Subject} (chain to {signer.Certificate!.Subject})";
                    return true;
                }

                reasons.Add(reason);
            }

            problem = reasons.Count == 0 ? $"it is signed by '{leaf.Subject}' and no OpenTrainTrustedSigner CA certificate is configured" : string.Join("; ", reasons);
            return true;
        }
    }

    /// <summary>
    /// SHA-256 over the resources' raw digests in path-segment order; null when a name is not a contained path or two
    /// names denote the same file (e.g. "a/b" and "a//b"): such a statement could bind one file to two digests.
    /// </summary>
    internal static string? RootOf(OmsStatement statement)
    {
        var items = new List<(string[] Segments, long Start, long End, string Digest)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in statement.Resources)
        {
            if (resource.Path != "." && WeightPaths.Problem(resource.Path) is not null)
            {
                return null;
            }

            if (!seen.Add(string.Join("/", Weights.RootDigest.Segments(resource.Path)) + ":" + resource.Start + ":" + resource.End))
            {
                return null;
            }

            items.Add((Weights.RootDigest.Segments(resource.Path), resource.Start, resource.End, resource.Digest));
        }

        // model_signing sorts its manifest keys: files by path (PurePosixPath order), shards by (path, start, end).
        items.Sort((a, b) =>
        {
            int c = Weights.RootDigest.CompareSegments(a.Segments, b.Segments);
            return c != 0 ? c : a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.End.CompareTo(b.End);
        });
        var concatenated = new byte[items.Count * 32];
        for (int i = 0; i < items.Count; i++)
        {
            for (int j = 0; j < 32; j++)
            {
                concatenated[(i * 32) + j] = Convert.ToByte(items[i].Digest.Substring(2 * j, 2), 16);
            }
        }

        using var sha = SHA256.Create();
        return Digests.ToHex(sha.ComputeHash(concatenated));
    }

    private static void CompareResources(LineageManifest manifest, string manifestPath, OmsStatement statement, SignatureOutcome outcome, List<LineageFinding> findings)
    {
        var files = manifest.WeightFiles;
        var filesField = manifest.Document!.Weights.Node!.Files.Field;
        if (statement.IsSingleFile)
        {
            // A single-file model signs the name ".": the manifest must declare exactly that one file.
            if (files.Count != 1)
            {
                findings.Add(new LineageFinding(LineageRules.SignedFilesMismatch,
                    $"The signature is over a single file (resource \".\"), but weights.files lists {files.Count} file(s): list exactly the signed file.",
                    filesField.JsonPath, filesField.Value?.Range, LineageLevel.Declared));
            }
            else if (files[0].DeclaredSha256 != statement.Resources[0].Digest)
            {
                var at = files[0].Sha256.Value ?? files[0].Path.Value;
                findings.Add(new LineageFinding(LineageRules.SignedFilesMismatch,
                    $"'{files[0].RelativePath}' is declared with SHA-256 {files[0].DeclaredSha256}, but the signature is over a file with {statement.Resources[0].Digest}: the weights are not the ones the producer signed.",
                    at?.Path ?? files[0].JsonPath, at?.Range, LineageLevel.Declared));
            }

            return;
        }

        var signed = statement.Resources.ToDictionary(r => string.Join("/", Weights.RootDigest.Segments(r.Path)), r => r, StringComparer.Ordinal);
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (file.RelativePath is null || WeightPaths.Problem(file.RelativePath) is not null)
            {
                continue; // reported by the policy
            }

            string key = string.Join("/", Weights.RootDigest.Segments(file.RelativePath));
            declared.Add(key);
            if (!signed.TryGetValue(key, out var resource))
            {
                var at = file.Path.Value!;
                findings.Add(new LineageFinding(LineageRules.SignedFilesMismatch,
                    $"'{file.RelativePath}' is in weights.files but not in the signature: the producer did not sign it. Remove it from the model, or ask the producer to sign the folder with it.",
                    at.Path, at.Range, LineageLevel.Declared));
            }
            else if (file.DeclaredSha256 != resource.Digest)
            {
                var at = file.Sha256.Value ?? file.Path.Value!;
                findings.Add(new LineageFinding(LineageRules.SignedFilesMismatch,
                    $"'{file.RelativePath}' is declared with SHA-256 {file.DeclaredSha256}, but the producer signed {resource.Digest}: these are not the weights the producer signed.",
                    at.Path, at.Range, LineageLevel.Declared));
            }
        }

        string manifestName = Path.GetFileName(manifestPath);
        foreach (var pair in signed.Where(p => !declared.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (pair.Key == manifestName)
            {
                // The producer signed the lineage manifest too: it vouches for it only if it is unchanged.
                string? actual = Sha256OfFile(manifestPath);
                if (actual == pair.Value.Digest)
                {
                    outcome.LineageSigned = true;
                }
                else
                {
                    findings.Add(new LineageFinding(LineageRules.SignedFilesMismatch,
                        $"The signature covers this manifest with SHA-256 {pair.Value.Digest}, but it now has {actual ?? "(unreadable)"}: it was edited after signing. Restore the signed manifest, or ask the producer to sign again.",
                        "$", manifest.Root?.Range, LineageLevel.Declared));
                }

                continue;
            }

            findings.Add(new LineageFinding(LineageRules.SignedFilesMismatch,
                $"The signature covers '{OmsBundle.Short(pair.Key)}' (SHA-256 {pair.Value.Digest}), which weights.files does not list: add it with its sha256 and size so the manifest describes the signed model.",
                filesField.JsonPath, filesField.Value?.Range, LineageLevel.Declared));
        }
    }

    /// <summary>
    /// Shards serialization: every file of weights.files is cut into signed byte ranges that must cover it exactly, and
    /// each range's SHA-256 is computed from the bytes on disk (cached in obj/: an unchanged rebuild reads nothing).
    /// </summary>
    private static void CompareShards(LineageManifest manifest, string manifestPath, OmsStatement statement, SignatureOutcome outcome, ShardDigests shards, List<LineageFinding> findings)
    {
        var filesField = manifest.Document!.Weights.Node!.Files.Field;
        string directory = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var byPath = statement.Resources.GroupBy(r => string.Join("/", Weights.RootDigest.Segments(r.Path)), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.Start).ToList(), StringComparer.Ordinal);
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in manifest.WeightFiles)
        {
            if (file.RelativePath is null || WeightPaths.Problem(file.RelativePath) is not null || WeightVerifier.FullPathOf(file, directory) is not { } full)
            {
                continue; // reported by the policy
            }

            string key = string.Join("/", Weights.RootDigest.Segments(file.RelativePath));
            declared.Add(key);
            var at = file.Path.Value!;
            if (!byPath.TryGetValue(key, out var list))
            {
                findings.Add(new LineageFinding(LineageRules.SignedFilesMismatch,
                    $"'{file.RelativePath}' is in weights.files but not in the signature: the producer did not sign it. Remove it from the model, or ask the producer to sign the folder with it.",
                    at.Path, at.Range, LineageLevel.Declared));
            }
            else if (ShardProblem(full, file.DeclaredSize, list, shards) is { } problem)
            {
                findings.Add(new LineageFinding(LineageRules.SignedFilesMismatch, $"'{file.RelativePath}' {problem}: these are not the weights the producer signed.", at.Path, at.Range, LineageLevel.Declared));
            }
        }

        string manifestName = Path.GetFileName(manifestPath);
        foreach (var pair in byPath.Where(p => !declared.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (pair.Key == manifestName)
            {
                if (ShardProblem(Path.GetFullPath(manifestPath), null, pair.Value, shards) is { } problem)
                {
                    findings.Add(new LineageFinding(LineageRules.SignedFilesMismatch,
                        $"The signature covers this manifest, but it {problem}: it was edited after signing. Restore the signed manifest, or ask the producer to sign again.",
                        "$", manifest.Root?.Range, LineageLevel.Declared));
                }
                else
                {
                    outcome.LineageSigned = true;
                }

                continue;
            }

            findings.Add(new LineageFinding(LineageRules.SignedFilesMismatch,
                $"The signature covers '{OmsBundle.Short(pair.Key)}' ({pair.Value.Count} shard(s)), which weights.files does not list: add it with its sha256 and size so the manifest describes the signed model.",
                filesField.JsonPath, filesField.Value?.Range, LineageLevel.Declared));
        }
    }

    /// <summary>Why the signed shards do not describe the file's bytes, or null when they do.</summary>
    private static string? ShardProblem(string fullPath, long? declaredSize, List<OmsResource> list, ShardDigests shards)
    {
        try
        {
            var info = new FileInfo(fullPath);
            if (SafeFiles.KindOf(fullPath) != FileKind.Regular || (declaredSize is { } size && size != info.Length))
            {
                return "cannot be compared with its signed shards (missing, not a regular file, or not the declared size: see its own finding)";
            }

            long position = 0;
            foreach (var shard in list)
            {
                if (shard.Start != position)
                {
                    return $"is signed as shards that {(shard.Start > position ? "leave bytes " + position + "–" + shard.Start + " unsigned" : "overlap at byte " + shard.Start)}";
                }

                position = shard.End;
            }

            if (position != info.Length)
            {
                return $"has {info.Length:N0} bytes, but its signed shards cover {position:N0}";
            }

            foreach (var shard in list)
            {
                if (shards.Of(info, shard.Start, shard.End) != shard.Digest)
                {
                    return $"has other bytes in {shard.Start:N0}–{shard.End:N0} than the shard the producer signed ({shard.Digest})";
                }
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            return "cannot be read to compare with its signed shards: " + SafeFiles.Reason(e);
        }
    }

    private static string? Sha256OfFile(string path)
    {
        try
        {
            byte[] bytes = SafeFiles.ReadCapped(path, LineageManifest.MaxBytes, out bool tooLarge);
            if (tooLarge)
            {
                return null;
            }

            using var sha = SHA256.Create();
            return Digests.ToHex(sha.ComputeHash(bytes));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// OTL0804: files in the model folder (the manifest's) that are neither signed nor ignored, as model_signing treats
    /// them. The manifest itself and the signature file are exempt; so are the signature's ignore_paths and git's files.
    /// Directory links are not followed (a loop cannot hang the build).
    /// </summary>
    private static void FindUnsignedFiles(string directory, string signaturePath, string manifestName, OmsStatement statement, ManifestField filesField, List<LineageFinding> findings)
    {
        var signed = new HashSet<string>(statement.Resources.Select(r => string.Join("/", Weights.RootDigest.Segments(r.Path))), StringComparer.Ordinal);
        var ignored = statement.IgnorePaths.Select(p => string.Join("/", Weights.RootDigest.Segments(p))).Where(p => p.Length > 0).Concat(DefaultIgnored).ToList();
        string signatureKey = string.Join("/", Weights.RootDigest.Segments(signaturePath));
        var unsigned = new List<string>();
        int seen = 0;
        var pending = new Stack<(DirectoryInfo Folder, string Prefix)>();
        pending.Push((new DirectoryInfo(directory), string.Empty));
        try
        {
            while (pending.Count > 0)
            {
                var (folder, prefix) = pending.Pop();
                foreach (var entry in folder.EnumerateFileSystemInfos())
                {
                    if (++seen > MaxFolderEntries)
                    {
                        findings.Add(new LineageFinding(LineageRules.UnsignedFile,
                            $"The model folder has more than {MaxFolderEntries:N0} entries; it was not scanned to the end, so unsigned files cannot be ruled out. Keep a signed model in a folder of its own.",
                            filesField.JsonPath, filesField.Value?.Range, LineageLevel.Declared));
                        return;
                    }

                    string relative = prefix + entry.Name;
                    if (ignored.Any(i => relative == i || relative.StartsWith(i + "/", StringComparison.Ordinal)))
                    {
                        continue;
                    }

                    if (entry is DirectoryInfo sub)
                    {
                        if ((sub.Attributes & FileAttributes.ReparsePoint) == 0)
                        {
                            pending.Push((sub, relative + "/"));
                        }
                        else
                        {
                            unsigned.Add(relative + "/");
                        }

                        continue;
                    }

                    if (relative != manifestName && relative != signatureKey && !signed.Contains(relative))
                    {
                        unsigned.Add(relative);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            findings.Add(new LineageFinding(LineageRules.UnsignedFile,
                $"The model folder cannot be listed to the end ({SafeFiles.Reason(e)}), so unsigned files cannot be ruled out.",
                filesField.JsonPath, filesField.Value?.Range, LineageLevel.Declared));
            return;
        }

        unsigned.Sort(StringComparer.Ordinal);
        foreach (var file in unsigned.Take(20))
        {
            findings.Add(new LineageFinding(LineageRules.UnsignedFile,
                $"'{file}' is in the signed model's folder but neither signed nor in the signature's ignore_paths: model_signing would reject the folder. Remove it, move the model into a folder of its own, or ask the producer to sign (or ignore) it.",
                filesField.JsonPath, filesField.Value?.Range, LineageLevel.Declared));
        }

        if (unsigned.Count > 20)
        {
            findings.Add(new LineageFinding(LineageRules.UnsignedFile, $"… and {unsigned.Count - 20} more unsigned file(s) in the model's folder.", filesField.JsonPath, filesField.Value?.Range, LineageLevel.Declared));
        }
    }
}
