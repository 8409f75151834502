using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Build.Utilities;
using OpenTrainAnalyzers.Build.Signing;

namespace OpenTrainAnalyzers.Build.Tests.Signing;

/// <summary>
/// weights.signature through the task: the recorded OpenSSF model signatures of ../shared/reference/oms (made by
/// model_signing and by NVIDIA, not by this project) must verify; every kind of tampering must not. Each vector folder
/// is copied to a temporary folder (the shared one is read-only) and given a manifest that lists its signed files.
/// </summary>
public sealed class SignedWeightsTests : IDisposable
{
    private static readonly string RepoRoot = typeof(SignedWeightsTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
    private static readonly string Oms = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "reference", "oms"));
    private const string Absent = "The recorded OMS signatures are not beside the project (../shared/reference/oms); skipped.";

    // The NVIDIA leaf certificates are valid from 2026-04-01 to 2028-04-22; model-transparency's until 2035.
    private const string PinnedTime = "2026-12-01T00:00:00Z";

    private readonly string _directory = Directory.CreateTempSubdirectory("opentrain-sig-").FullName;
    private readonly FakeBuildEngine _engine = new();
    private readonly string _jsonReport;

    public SignedWeightsTests() => _jsonReport = _directory + "-report.json"; // beside the signed folder, not in it

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        File.Delete(_jsonReport);
    }

    private static string Keys(string name) => Path.Combine(Oms, "model-transparency", "keys", name);

    private static string NvidiaRoot => Path.Combine(Oms, "nvidia-skills", "nv-agent-root-cert.pem");

    [SkippableTheory]
    [InlineData("v1.0.1-elliptic-key")]
    [InlineData("v1.1.0-elliptic-key")]
    public void Model_transparency_key_signatures_verify_with_their_public_key(string vector)
    {
        string manifest = CopyVector(Path.Combine("model-transparency", vector), "model.sig", dropIgnoreMe: vector.StartsWith("v1.0", StringComparison.Ordinal));

        Assert.True(Run(manifest, Keys("signing-key-pub.pem")), Describe());

        Assert.Empty(_engine.Warnings);
        var signature = ReportedSignature();
        Assert.Equal("verified", signature.GetProperty("status").GetString());
        Assert.Equal("key", signature.GetProperty("method").GetString());
        Assert.Contains("signing-key-pub.pem", signature.GetProperty("signer").GetString(), StringComparison.Ordinal);
        Assert.False(signature.GetProperty("lineageSigned").GetBoolean());
        Assert.Contains(_engine.Messages, m => m.Message!.Contains("signed by public key", StringComparison.Ordinal));
    }

    [SkippableTheory]
    [InlineData("v1.0.1-certificate")]
    [InlineData("v1.1.0-certificate")]
    public void Model_transparency_certificate_signatures_chain_to_their_root(string vector)
    {
        string manifest = CopyVector(Path.Combine("model-transparency", vector), "model.sig", dropIgnoreMe: vector.StartsWith("v1.0", StringComparison.Ordinal));

        Assert.True(Run(manifest, Keys("ca-cert.pem")), Describe());

        var signature = ReportedSignature();
        Assert.Equal("verified", signature.GetProperty("status").GetString());
        Assert.Equal("certificate", signature.GetProperty("method").GetString());
        Assert.Contains("CN=root-ca", signature.GetProperty("signer").GetString(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void The_v1_1_signature_records_its_ignored_file_and_v1_0_does_not()
    {
        // v1.1 writes ignore_paths into the signed statement: 'ignore-me' is allowed beside the signed files.
        string v11 = CopyVector(Path.Combine("model-transparency", "v1.1.0-elliptic-key"), "model.sig", dropIgnoreMe: false, into: "v11");
        Assert.True(Run(v11, Keys("signing-key-pub.pem")), Describe());

        // v1.0 did not record it: the same file is an unsigned file, as model_signing verify without --ignore-paths says.
        var engine = new FakeBuildEngine();
        string v10 = CopyVector(Path.Combine("model-transparency", "v1.0.1-elliptic-key"), "model.sig", dropIgnoreMe: false, into: "v10");
        Assert.False(Task(engine, v10, Keys("signing-key-pub.pem")).Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal("OTL0804", error.Code);
        Assert.Contains("'ignore-me'", error.Message, StringComparison.Ordinal);
        Assert.Equal(v10, error.File);
        Assert.True(error.LineNumber > 0);
    }

    [SkippableFact]
    public void NVIDIA_signed_skill_verifies_against_NVIDIA_root_and_names_the_signer()
    {
        string manifest = CopyVector(Path.Combine("nvidia-skills", "skills", "mcore-linting-and-formatting"), "skill.oms.sig");
        string bom = Path.Combine(_directory, "..", Path.GetFileName(_directory) + "-bom.cdx.json");
        var task = Task(_engine, manifest, NvidiaRoot);
        task.Export = "cyclonedx+spdx";
        task.CycloneDxExport = bom;
        string spdx = bom + ".spdx.json";
        task.SpdxExport = spdx;
        string sarif = bom + ".sarif";
        task.SarifReport = sarif;

        Assert.True(task.Execute(), Describe());

        var signature = ReportedSignature();
        Assert.Equal("verified", signature.GetProperty("status").GetString());
        Assert.Contains("CN=NVIDIA Agent Skills Signing 001", signature.GetProperty("signer").GetString(), StringComparison.Ordinal);

        // Verified, with no error and no warning, and still never remembered as a clean pass: a file added to the signed
        // folder later is an unsigned file (OTL0804) that no timestamp of the gate's inputs would show.
        Assert.Empty(_engine.Errors);
        Assert.Empty(_engine.Warnings);
        Assert.False(task.CleanPass);
        // The export names who vouches for the weights.
        var properties = JsonDocument.Parse(File.ReadAllText(bom)).RootElement.GetProperty("components")[0].GetProperty("properties").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("value").GetString()!);
        File.Delete(bom);
        Assert.Equal("verified", properties["opentrain:signature:status"]);
        Assert.Contains("NVIDIA Agent Skills Signing 001", properties["opentrain:signature:signer"], StringComparison.Ordinal);
        // SPDX: the signed root digest among the model's verifiedUsing, with the signer; valid for the official schema.
        string spdxText = File.ReadAllText(spdx);
        File.Delete(spdx);
        var verifiedUsing = JsonDocument.Parse(spdxText).RootElement.GetProperty("@graph").EnumerateArray()
            .Single(e => e.GetProperty("type").GetString() == "ai_AIPackage" && e.TryGetProperty("verifiedUsing", out _)).GetProperty("verifiedUsing");
        var signedRoot = Assert.Single(verifiedUsing.EnumerateArray(), h => h.TryGetProperty("comment", out _));
        Assert.Equal("7aad6e47b1ab6a80a3eab28d42ceb3d2e1f4e0a44a1135c41fc75855ca02d975", signedRoot.GetProperty("hashValue").GetString());
        Assert.Contains("NVIDIA Agent Skills Signing 001", signedRoot.GetProperty("comment").GetString(), StringComparison.Ordinal);
        if (ExportTests.SpdxSchema.Value is { } schema)
        {
            ExportTests.AssertValid(schema, spdxText);
        }

        var run = JsonDocument.Parse(File.ReadAllText(sarif)).RootElement.GetProperty("runs")[0];
        File.Delete(sarif);
        var signed = Assert.Single(run.GetProperty("properties").GetProperty("opentrain:signatures").EnumerateArray());
        Assert.Equal("verified", signed.GetProperty("status").GetString());
        Assert.Contains("NVIDIA Agent Skills Signing 001", signed.GetProperty("signer").GetString(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void NVIDIA_skill_chained_to_another_CA_is_untrusted_a_warning_or_an_error_when_required()
    {
        string manifest = CopyVector(Path.Combine("nvidia-skills", "skills", "amc-run-rtsp-calibration"), "skill.oms.sig");

        Assert.True(Run(manifest, NvidiaRoot), Describe());
        var warning = Assert.Single(_engine.Warnings);
        Assert.Equal("OTL0802", warning.Code);
        Assert.Contains("NVIDIA Agent Capabilities CA", warning.Message, StringComparison.Ordinal);
        Assert.Equal("untrusted", ReportedSignature().GetProperty("status").GetString());

        var strict = new FakeBuildEngine();
        var task = Task(strict, manifest, NvidiaRoot);
        task.RequireSignature = true;
        Assert.False(task.Execute());
        Assert.Equal("OTL0802", Assert.Single(strict.Errors).Code);
    }

    [SkippableFact]
    public void NVIDIA_skill_whose_file_drifted_is_rejected_at_that_file()
    {
        // The manifest declares what is on disk today; the producer signed another SKILL.md.
        string manifest = CopyVector(Path.Combine("nvidia-skills", "skills", "earth2studio-create-diagnostic"), "skill.oms.sig", digestsFromDisk: true);

        Assert.False(Run(manifest, NvidiaRoot));

        var error = Assert.Single(_engine.Errors);
        Assert.Equal("OTL0803", error.Code);
        Assert.Contains("'SKILL.md'", error.Message, StringComparison.Ordinal);
        Assert.Equal(LineOf(manifest, "\"path\": \"SKILL.md\""), error.LineNumber);
    }

    [SkippableFact]
    public void A_required_signature_is_not_met_when_the_weights_bytes_were_not_checked()
    {
        string manifest = CopyVector(Path.Combine("model-transparency", "v1.1.0-elliptic-key"), "model.sig");
        var task = Task(_engine, manifest, Keys("signing-key-pub.pem"));
        task.VerifyDigests = false;
        Assert.True(task.Execute(), Describe());
        Assert.Equal("not-verified (weights not checked)", ReportedSignature().GetProperty("status").GetString());

        var strict = new FakeBuildEngine();
        task = Task(strict, manifest, Keys("signing-key-pub.pem"));
        task.VerifyDigests = false;
        task.RequireSignature = true;
        Assert.False(task.Execute());
        Assert.Equal("OTL0806", Assert.Single(strict.Errors).Code);
    }

    [SkippableFact]
    public void A_certificate_chain_with_transparency_log_entries_is_treated_as_keyless()
    {
        string manifest = CopyVector(Path.Combine("model-transparency", "v1.1.0-certificate"), "model.sig");
        EditBundle(Path.Combine(_directory, "model.sig"), bundle =>
            bundle["verificationMaterial"]!["tlogEntries"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["logIndex"] = "1" }));

        Assert.True(Run(manifest, Keys("ca-cert.pem")), Describe());

        Assert.Equal("OTL0805", Assert.Single(_engine.Warnings).Code);
        Assert.Equal("not-verified (method not supported)", ReportedSignature().GetProperty("status").GetString());
    }

    [SkippableFact]
    public void A_flipped_byte_in_a_signed_file_fails()
    {
        string manifest = CopyVector(Path.Combine("model-transparency", "v1.1.0-elliptic-key"), "model.sig", digestsFromDisk: true);
        FlipByte(Path.Combine(_directory, "signme-1"), 0);
        WriteManifest(manifest, Signed(Path.Combine(_directory, "model.sig")), digestsFromDisk: true);

        Assert.False(Run(manifest, Keys("signing-key-pub.pem")));

        var error = Assert.Single(_engine.Errors);
        Assert.Equal("OTL0803", error.Code);
        Assert.Contains("'signme-1'", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_flipped_byte_in_the_signed_statement_fails()
    {
        string manifest = CopyVector(Path.Combine("model-transparency", "v1.1.0-elliptic-key"), "model.sig");
        EditBundle(Path.Combine(_directory, "model.sig"), bundle =>
        {
            var envelope = bundle["dsseEnvelope"]!;
            byte[] payload = Convert.FromBase64String(envelope["payload"]!.GetValue<string>());
            payload[payload.Length / 2] ^= 0x01;
            envelope["payload"] = Convert.ToBase64String(payload);
        });

        Assert.False(Run(manifest, Keys("signing-key-pub.pem")));

        var error = Assert.Single(_engine.Errors);
        Assert.Equal("OTL0801", error.Code);
        Assert.Equal(LineOf(manifest, "\"signature\""), error.LineNumber);
        Assert.Equal("invalid", ReportedSignature().GetProperty("status").GetString());
    }

    [SkippableTheory]
    [InlineData("v1.1.0-elliptic-key")]
    [InlineData("v1.0.1-certificate")]
    public void A_flipped_byte_in_the_signature_fails(string vector)
    {
        string manifest = CopyVector(Path.Combine("model-transparency", vector), "model.sig", dropIgnoreMe: true);
        EditBundle(Path.Combine(_directory, "model.sig"), bundle =>
        {
            var signature = bundle["dsseEnvelope"]!["signatures"]![0]!;
            byte[] sig = Convert.FromBase64String(signature["sig"]!.GetValue<string>());
            sig[sig.Length - 3] ^= 0x01; // inside s: still DER, no longer valid
            signature["sig"] = Convert.ToBase64String(sig);
        });

        Assert.False(Run(manifest, vector.Contains("key", StringComparison.Ordinal) ? Keys("signing-key-pub.pem") : Keys("ca-cert.pem")));

        Assert.Equal("OTL0801", Assert.Single(_engine.Errors).Code);
    }

    [SkippableFact]
    public void A_wrong_key_does_not_verify_and_the_wrong_root_does_not_chain()
    {
        // A key of our own (P-384 like the producer's): the v1.1 bundle names its key by a hint only, so it is untrusted.
        string otherKey = Path.Combine(_directory, "..", Path.GetFileName(_directory) + "-other.pem");
        using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP384))
        {
            File.WriteAllText(otherKey, ecdsa.ExportSubjectPublicKeyInfoPem());
        }

        try
        {
            string manifest = CopyVector(Path.Combine("model-transparency", "v1.1.0-elliptic-key"), "model.sig", into: "key");
            Assert.True(Run(manifest, otherKey), Describe());
            Assert.Equal("OTL0802", Assert.Single(_engine.Warnings).Code);
            Assert.NotEqual("verified", ReportedSignature().GetProperty("status").GetString());

            // The certificate bundle against NVIDIA's root, not its own.
            var engine = new FakeBuildEngine();
            string certificate = CopyVector(Path.Combine("model-transparency", "v1.1.0-certificate"), "model.sig", into: "cert");
            var task = Task(engine, certificate, NvidiaRoot);
            task.RequireSignature = true;
            Assert.False(task.Execute());
            var error = Assert.Single(engine.Errors);
            Assert.Equal("OTL0802", error.Code);
            Assert.Contains("does not lead to the trusted root", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(otherKey);
        }
    }

    [SkippableFact]
    public void An_extra_unsigned_file_and_a_missing_signed_file_are_located_errors()
    {
        string manifest = CopyVector(Path.Combine("model-transparency", "v1.1.0-elliptic-key"), "model.sig");
        File.WriteAllText(Path.Combine(_directory, "sneaked-in.bin"), "not signed");
        // The manifest omits signme-2, which the producer signed.
        WriteManifest(manifest, Signed(Path.Combine(_directory, "model.sig")).Where(r => r.Name != "signme-2").ToList());

        Assert.False(Run(manifest, Keys("signing-key-pub.pem")));

        Assert.Equal(new[] { "OTL0803", "OTL0804" }, _engine.Errors.Select(e => e.Code).Order());
        Assert.Contains(_engine.Errors, e => e.Code == "OTL0803" && e.Message!.Contains("'signme-2'", StringComparison.Ordinal));
        Assert.Contains(_engine.Errors, e => e.Code == "OTL0804" && e.Message!.Contains("'sneaked-in.bin'", StringComparison.Ordinal));
        Assert.All(_engine.Errors, e => Assert.True(e.LineNumber > 0));
    }

    [SkippableFact]
    public void The_wrong_predicate_type_of_the_spec_vectors_is_not_verified()
    {
        string manifest = CopyVector(Path.Combine("model-transparency", "v1.1.0-elliptic-key"), "model.sig");
        File.Copy(Path.Combine(Oms, "model-signing-spec", "v1.0", "invalid-payload", "wrong-predicate.bundle.json"), Path.Combine(_directory, "model.sig"), overwrite: true);

        Assert.False(Run(manifest, Keys("signing-key-pub.pem")));

        // The spec's vector changed the statement without re-signing it: the signature fails before the predicate is read.
        Assert.Equal("OTL0801", Assert.Single(_engine.Errors).Code);
        Assert.Equal("invalid", ReportedSignature().GetProperty("status").GetString());
    }

    [Fact]
    public void A_validly_signed_statement_with_another_predicate_type_is_a_located_error()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        byte[] weights = "weights"u8.ToArray();
        File.WriteAllBytes(Path.Combine(_directory, "model.onnx"), weights);
        string manifest = Path.Combine(_directory, "model.lineage.json");
        WriteManifest(manifest, new List<(string, string)> { ("model.onnx", Sha256Hex(weights)) });
        File.WriteAllText(Path.Combine(_directory, "model.sig"), MakeKeyBundle(key, new List<(string, string)> { (".", Sha256Hex(weights)) }, "files", "https://slsa.dev/provenance/v1"));
        string pem = Path.Combine(_directory, "..", Path.GetFileName(_directory) + "-pred.pem");
        File.WriteAllText(pem, key.ExportSubjectPublicKeyInfoPem());
        try
        {
            Assert.False(Run(manifest, pem));
            var error = Assert.Single(_engine.Errors);
            Assert.Equal("OTL0801", error.Code);
            Assert.Contains("predicateType", error.Message, StringComparison.Ordinal);
            Assert.Equal(LineOf(manifest, "\"signature\""), error.LineNumber);
        }
        finally
        {
            File.Delete(pem);
        }
    }

    [SkippableTheory]
    [InlineData("invalid/empty.bundle.json", "OTL0800")]
    [InlineData("invalid/missing-envelope.bundle.json", "OTL0800")]
    [InlineData("invalid/missing-verification-material.bundle.json", "OTL0800")]
    [InlineData("invalid/missing-tlog-entries.bundle.json", "OTL0805")]
    [InlineData("valid/sigstore.bundle.json", "OTL0805")]
    public void Spec_bundles_that_cannot_be_verified_here_are_never_verified(string vector, string code)
    {
        string manifest = CopyVector(Path.Combine("model-transparency", "v1.1.0-elliptic-key"), "model.sig");
        File.Copy(Path.Combine(Oms, "model-signing-spec", "v1.0", vector), Path.Combine(_directory, "model.sig"), overwrite: true);

        var task = Task(_engine, manifest, Keys("signing-key-pub.pem"));
        task.RequireSignature = true;
        Assert.False(task.Execute());

        Assert.Equal(code, Assert.Single(_engine.Errors).Code);
        if (code == "OTL0805")
        {
            Assert.Contains("NOT verified", _engine.Errors[0].Message, StringComparison.Ordinal);
            Assert.Equal("not-verified (method not supported)", ReportedSignature().GetProperty("status").GetString());
        }
    }

    [SkippableFact]
    public void A_chain_entry_that_is_not_a_plain_certificate_never_reaches_the_certificate_loader()
    {
        string manifest = CopyVector(Path.Combine("model-transparency", "v1.1.0-certificate"), "model.sig");
        // A PKCS#12 container (SEQUENCE { INTEGER 3, … }) in place of the intermediate.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=pfx", key, HashAlgorithmName.SHA256);
        using var self = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        byte[] pfx = self.Export(X509ContentType.Pkcs12);
        EditBundle(Path.Combine(_directory, "model.sig"), bundle =>
            bundle["verificationMaterial"]!["x509CertificateChain"]!["certificates"]![1]!["rawBytes"] = Convert.ToBase64String(pfx));

        Assert.False(Run(manifest, Keys("ca-cert.pem")));

        var error = Assert.Single(_engine.Errors);
        Assert.Equal("OTL0801", error.Code);
        Assert.Contains("not a DER X.509 certificate", error.Message, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(1000)]
    public void Truncated_bundles_are_coded_never_a_crash(int keep)
    {
        string manifest = CopyVector(Path.Combine("model-transparency", "v1.0.1-certificate"), "model.sig", dropIgnoreMe: true);
        byte[] bytes = File.ReadAllBytes(Path.Combine(_directory, "model.sig"));
        File.WriteAllBytes(Path.Combine(_directory, "model.sig"), bytes.Take(keep).ToArray());

        Assert.False(Run(manifest, Keys("ca-cert.pem")));

        Assert.Equal("OTL0800", Assert.Single(_engine.Errors).Code);
    }

    [SkippableFact]
    public void Required_signature_without_trusted_signers_and_without_weights_signature_fails()
    {
        string manifest = CopyVector(Path.Combine("model-transparency", "v1.1.0-elliptic-key"), "model.sig");
        WriteManifest(manifest, Signed(Path.Combine(_directory, "model.sig")), signaturePath: null);
        var task = Task(_engine, manifest, trustedSigner: null);
        task.RequireSignature = true;

        Assert.False(task.Execute());

        Assert.Equal(new[] { "OTL0806", "OTL0806" }, _engine.Errors.Select(e => e.Code));
        Assert.Contains(_engine.Errors, e => e.File == "/repo/app.csproj");
        Assert.Contains(_engine.Errors, e => e.File == manifest && e.LineNumber == LineOf(manifest, "\"weights\""));
    }

    [Fact]
    public void A_trusted_signer_that_is_not_a_key_or_certificate_is_a_configuration_error()
    {
        string bogus = Path.Combine(_directory, "bogus.pem");
        File.WriteAllText(bogus, "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n");
        var task = new ValidateTrainingLineage
        {
            BuildEngine = _engine,
            ProjectFile = "/repo/app.csproj",
            TrustedSigners = new[] { new TaskItem(bogus) },
            SignatureVerificationTime = "yesterday-ish",
        };

        Assert.False(task.Execute());

        Assert.Equal(new[] { "OTL0807", "OTL0807" }, _engine.Errors.Select(e => e.Code));
    }

    /// <summary>Signatures made here with P-256 and P-521 (the recorded ones are all P-384), over a single file and over the manifest too.</summary>
    [Theory]
    [InlineData("nistP256")]
    [InlineData("nistP521")]
    public void In_test_signatures_on_other_curves_single_file_form(string curve)
    {
        using var key = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        byte[] weights = Encoding.UTF8.GetBytes("single-file weights " + curve);
        File.WriteAllBytes(Path.Combine(_directory, "model.onnx"), weights);
        string digest = Sha256Hex(weights);
        var resources = new List<(string Name, string Digest)> { (".", digest) };
        File.WriteAllText(Path.Combine(_directory, "model.sig"), MakeKeyBundle(key, resources, "files"));
        string manifest = Path.Combine(_directory, "model.lineage.json");
        WriteManifest(manifest, new List<(string, string)> { ("model.onnx", digest) });
        string pem = Path.Combine(_directory, "producer.pem");
        File.WriteAllText(pem, key.ExportSubjectPublicKeyInfoPem());

        Assert.True(Run(manifest, pem), Describe());
        Assert.Equal("verified", ReportedSignature().GetProperty("status").GetString());

        // The same file declared with another digest: the signature is over other bytes.
        var engine = new FakeBuildEngine();
        File.WriteAllBytes(Path.Combine(_directory, "model.onnx"), weights.Concat(new byte[] { 1 }).ToArray());
        WriteManifest(manifest, new List<(string, string)> { ("model.onnx", Sha256Hex(File.ReadAllBytes(Path.Combine(_directory, "model.onnx")))) });
        Assert.False(Task(engine, manifest, pem).Execute());
        Assert.Equal("OTL0803", Assert.Single(engine.Errors).Code);
    }

    [Fact]
    public void A_signature_that_covers_the_manifest_says_the_lineage_is_signed_too_and_an_edit_breaks_it()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        byte[] weights = "two-file weights"u8.ToArray();
        File.WriteAllBytes(Path.Combine(_directory, "model.onnx"), weights);
        string manifest = Path.Combine(_directory, "model.lineage.json");
        WriteManifest(manifest, new List<(string, string)> { ("model.onnx", Sha256Hex(weights)) });
        var resources = new List<(string Name, string Digest)> { ("model.onnx", Sha256Hex(weights)), ("model.lineage.json", Sha256Hex(File.ReadAllBytes(manifest))) };
        File.WriteAllText(Path.Combine(_directory, "model.sig"), MakeKeyBundle(key, resources, "files"));
        string pem = Path.Combine(_directory, "..", Path.GetFileName(_directory) + "-producer.pem");
        File.WriteAllText(pem, key.ExportSubjectPublicKeyInfoPem());
        try
        {
            Assert.True(Run(manifest, pem), Describe());
            Assert.True(ReportedSignature().GetProperty("lineageSigned").GetBoolean());
            Assert.Contains(_engine.Messages, m => m.Message!.Contains("(lineage too)", StringComparison.Ordinal));

            File.AppendAllText(manifest, " ");
            var engine = new FakeBuildEngine();
            Assert.False(Task(engine, manifest, pem).Execute());
            var error = Assert.Single(engine.Errors);
            Assert.Equal("OTL0803", error.Code);
            Assert.Contains("edited after signing", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(pem);
        }
    }

    [Fact]
    public void Shards_signatures_verify_by_hashing_each_range_and_catch_a_flipped_byte()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        byte[] weights = Encoding.UTF8.GetBytes("sharded weights, thirty-three b.");
        File.WriteAllBytes(Path.Combine(_directory, "model.onnx"), weights);
        string manifest = Path.Combine(_directory, "model.lineage.json");
        WriteManifest(manifest, new List<(string, string)> { ("model.onnx", Sha256Hex(weights)) });
        // Shards of 10 bytes (the statement says 1e9; each range is hashed as signed either way).
        var shards = new List<(string, string)>();
        for (int start = 0; start < weights.Length; start += 10)
        {
            int end = Math.Min(start + 10, weights.Length);
            shards.Add(($"model.onnx:{start}:{end}", Sha256Hex(weights[start..end])));
        }

        File.WriteAllText(Path.Combine(_directory, "model.sig"), MakeKeyBundle(key, shards, "shards"));
        string pem = Path.Combine(_directory, "..", Path.GetFileName(_directory) + "-shard.pem");
        File.WriteAllText(pem, key.ExportSubjectPublicKeyInfoPem());
        try
        {
            Assert.True(Run(manifest, pem), Describe());
            Assert.Equal("verified", ReportedSignature().GetProperty("status").GetString());

            // One byte of the third shard changed, and the manifest updated to match: only the signature can tell.
            weights[25] ^= 0x20;
            File.WriteAllBytes(Path.Combine(_directory, "model.onnx"), weights);
            WriteManifest(manifest, new List<(string, string)> { ("model.onnx", Sha256Hex(weights)) });
            var engine = new FakeBuildEngine();
            Assert.False(Task(engine, manifest, pem).Execute());
            var error = Assert.Single(engine.Errors);
            Assert.Equal("OTL0803", error.Code);
            Assert.Contains("20–30", error.Message, StringComparison.Ordinal);

            // A signature whose shards leave bytes out does not cover the file.
            File.WriteAllText(Path.Combine(_directory, "model.sig"), MakeKeyBundle(key, shards.Take(2).ToList(), "shards"));
            var gap = new FakeBuildEngine();
            Assert.False(Task(gap, manifest, pem).Execute());
            Assert.Contains(gap.Errors, e => e.Code == "OTL0803" && e.Message!.Contains("signed shards cover 20", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(pem);
        }
    }

    [Theory]
    [InlineData("./model.onnx")]
    [InlineData("../model.onnx")]
    public void A_statement_naming_one_file_twice_or_outside_the_folder_is_invalid_not_a_crash(string second)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        byte[] weights = "weights"u8.ToArray();
        File.WriteAllBytes(Path.Combine(_directory, "model.onnx"), weights);
        string manifest = Path.Combine(_directory, "model.lineage.json");
        WriteManifest(manifest, new List<(string, string)> { ("model.onnx", Sha256Hex(weights)) });
        File.WriteAllText(Path.Combine(_directory, "model.sig"), MakeKeyBundle(key, new List<(string, string)> { ("model.onnx", Sha256Hex(weights)), (second, new string('0', 64)) }, "files"));
        string pem = Path.Combine(_directory, "..", Path.GetFileName(_directory) + "-dup.pem");
        File.WriteAllText(pem, key.ExportSubjectPublicKeyInfoPem());
        try
        {
            Assert.False(Run(manifest, pem));
            Assert.Equal("OTL0801", Assert.Single(_engine.Errors).Code);
        }
        finally
        {
            File.Delete(pem);
        }
    }

    [Fact]
    public void Pack_puts_the_signature_beside_the_manifest_so_apps_can_verify_it()
    {
        byte[] weights = "packed weights"u8.ToArray();
        File.WriteAllBytes(Path.Combine(_directory, "model.onnx"), weights);
        string manifest = Path.Combine(_directory, "model.lineage.json");
        WriteManifest(manifest, new List<(string, string)> { ("model.onnx", Sha256Hex(weights)) });
        File.WriteAllText(Path.Combine(_directory, "model.sig"), "{}");
        var packed = new TaskItem("model.onnx");
        packed.SetMetadata("PackagePath", "contentFiles/any/any/models/");
        packed.SetMetadata("BuildAction", "None");
        var task = new PackLineage { BuildEngine = _engine, PackageFiles = new[] { packed }, Manifests = new[] { new TaskItem(manifest) }, ProjectDirectory = _directory, ProjectFile = "/repo/lib.csproj" };

        Assert.True(task.Execute(), Describe());

        Assert.Equal(
            new[] { "contentFiles/any/any/models/model.lineage.json", "contentFiles/any/any/models/model.sig" },
            task.AddedPackageFiles.Select(a => a.GetMetadata("PackagePath")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Shard_digests_are_cached_so_an_unchanged_rebuild_reads_no_bytes()
    {
        string file = Path.Combine(_directory, "w.bin");
        File.WriteAllBytes(file, new byte[] { 1, 2, 3, 4, 5, 6 });
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(-5)); // outside the racy window
        string cache = Path.Combine(_directory, "shards.cache");
        var first = ShardDigests.Load(cache);
        string digest = first.Of(new FileInfo(file), 2, 6);
        first.Save();
        Assert.Equal(1, first.HashedShards);
        Assert.Equal(Sha256Hex(new byte[] { 3, 4, 5, 6 }), digest);

        var second = ShardDigests.Load(cache);
        Assert.Equal(digest, second.Of(new FileInfo(file), 2, 6));
        Assert.Equal(0, second.HashedShards);

        File.WriteAllBytes(file, new byte[] { 1, 2, 3, 4, 5, 7 });
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(-4));
        Assert.NotEqual(digest, ShardDigests.Load(cache).Of(new FileInfo(file), 2, 6));
    }

    [Theory]
    [InlineData("3045022100ff")] // truncated
    [InlineData("3006020100020100")] // r = s = 0
    [InlineData("30060201ff020101")] // negative r
    [InlineData("300702020001020101")] // non-minimal r
    public void Malformed_DER_signatures_are_rejected_not_thrown(string hex)
    {
        Assert.Null(EcKeys.DerToP1363(Convert.FromHexString(hex), 32));
    }

    [Fact]
    public void DER_signatures_convert_to_P1363_like_the_runtime_does()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        byte[] data = "pae"u8.ToArray();
        for (int i = 0; i < 20; i++)
        {
            byte[] der = key.SignData(data, HashAlgorithmName.SHA512, DSASignatureFormat.Rfc3279DerSequence);
            byte[] p1363 = EcKeys.DerToP1363(der, 66)!;
            Assert.True(key.VerifyData(data, p1363, HashAlgorithmName.SHA512, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
            var spki = EcKeys.FromSpki(key.ExportSubjectPublicKeyInfo())!;
            Assert.Equal("P-521", spki.Curve.Name);
            Assert.True(spki.Verify(data, der));
            data[0]++;
            Assert.False(spki.Verify(data, der));
        }
    }

    // ---- helpers ----

    /// <summary>Copies a vector folder here and writes a manifest listing the signed resources (or the digests on disk).</summary>
    private string CopyVector(string relative, string signatureName, bool dropIgnoreMe = false, bool digestsFromDisk = false, string? into = null)
    {
        string source = Path.Combine(Oms, relative);
        Skip.IfNot(Directory.Exists(source), Absent);
        string target = into is null ? _directory : Path.Combine(_directory, into);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(source, file);
            if (dropIgnoreMe && rel == "ignore-me")
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, rel))!);
            File.Copy(file, Path.Combine(target, rel));
            File.SetAttributes(Path.Combine(target, rel), FileAttributes.Normal); // the shared copies are read-only
        }

        string manifest = Path.Combine(target, "model.lineage.json");
        WriteManifest(manifest, Signed(Path.Combine(target, signatureName)), digestsFromDisk, signatureName);
        return manifest;
    }

    private static List<(string Name, string Digest)> Signed(string bundle)
    {
        var json = JsonDocument.Parse(File.ReadAllText(bundle));
        var payload = JsonDocument.Parse(Convert.FromBase64String(json.RootElement.GetProperty("dsseEnvelope").GetProperty("payload").GetString()!));
        return payload.RootElement.GetProperty("predicate").GetProperty("resources").EnumerateArray()
            .Select(r => (r.GetProperty("name").GetString()!, r.GetProperty("digest").GetString()!)).ToList();
    }

    private void WriteManifest(string manifest, IReadOnlyList<(string Name, string Digest)> files, bool digestsFromDisk = false, string? signaturePath = "model.sig")
    {
        string folder = Path.GetDirectoryName(manifest)!;
        if (signaturePath == "model.sig" && !File.Exists(Path.Combine(folder, "model.sig")) && File.Exists(Path.Combine(folder, "skill.oms.sig")))
        {
            signaturePath = "skill.oms.sig";
        }

        var entries = files.Select(f =>
        {
            string full = Path.Combine(folder, f.Name);
            string digest = digestsFromDisk ? Sha256Hex(File.ReadAllBytes(full)) : f.Digest;
            return $$"""      { "path": "{{f.Name}}", "sha256": "{{digest}}", "size": {{new FileInfo(full).Length}} }""";
        });
        File.WriteAllText(manifest, OpenTrain.TestSupport.SignedModelManifest.Json(entries, signaturePath));
    }

    /// <summary>An OMS v1.1-shaped key bundle signed here (DSSE PAE, DER signature), with a key hint.</summary>
    private static string MakeKeyBundle(ECDsa key, List<(string Name, string Digest)> resources, string serialization, string predicateType = "https://model_signing/signature/v1.0")
    {
        var sorted = resources.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        byte[] root = SHA256.HashData(sorted.SelectMany(r => Convert.FromHexString(r.Digest)).ToArray());
        var statement = new
        {
            _type = "https://in-toto.io/Statement/v1",
            subject = new[] { new { name = "model", digest = new { sha256 = Convert.ToHexString(root).ToLowerInvariant() } } },
            predicateType,
            predicate = new
            {
                serialization = serialization == "shards"
                    ? (object)new { method = "shards", hash_type = "sha256", allow_symlinks = false, shard_size = 1000000000.0, ignore_paths = new[] { "model.sig" } }
                    : new { method = "files", hash_type = "sha256", allow_symlinks = false, ignore_paths = new[] { "model.sig" } },
                resources = sorted.Select(r => new { name = r.Name, algorithm = "sha256", digest = r.Digest }).ToArray(),
            },
        };
        byte[] payload = JsonSerializer.SerializeToUtf8Bytes(statement);
        const string type = "application/vnd.in-toto+json";
        byte[] pae = Encoding.UTF8.GetBytes($"DSSEv1 {type.Length} {type} {payload.Length} ").Concat(payload).ToArray();
        var hash = key.KeySize switch { 256 => HashAlgorithmName.SHA256, 384 => HashAlgorithmName.SHA384, _ => HashAlgorithmName.SHA512 };
        byte[] sig = key.SignData(pae, hash, DSASignatureFormat.Rfc3279DerSequence);
        string hint = Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(key.ExportSubjectPublicKeyInfoPem() + "\n"))).ToLowerInvariant();
        return JsonSerializer.Serialize(new
        {
            mediaType = "application/vnd.dev.sigstore.bundle.v0.3+json",
            verificationMaterial = new { publicKey = new { hint }, tlogEntries = Array.Empty<object>() },
            dsseEnvelope = new { payload = Convert.ToBase64String(payload), payloadType = type, signatures = new[] { new { sig = Convert.ToBase64String(sig), keyid = "" } } },
        });
    }

    private static void EditBundle(string path, Action<System.Text.Json.Nodes.JsonNode> edit)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        edit(node);
        File.WriteAllText(path, node.ToJsonString());
    }

    private static void FlipByte(string path, int offset)
    {
        byte[] bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    private bool Run(string manifest, string? trustedSigner) => Task(_engine, manifest, trustedSigner).Execute();

    private ValidateTrainingLineage Task(FakeBuildEngine engine, string manifest, string? trustedSigner)
    {
        File.Delete(_jsonReport); // a run that writes no report must not be read as the last one's
        return new ValidateTrainingLineage
        {
            BuildEngine = engine,
            Manifests = new[] { new TaskItem(manifest) },
            RequiredLevel = "declared",
            ProjectFile = "/repo/app.csproj",
            TrustedSigners = trustedSigner is null ? Array.Empty<TaskItem>() : new[] { new TaskItem(trustedSigner) },
            SignatureVerificationTime = PinnedTime,
            JsonReport = _jsonReport,
        };
    }

    private JsonElement ReportedSignature()
    {
        var report = JsonDocument.Parse(File.ReadAllText(_jsonReport));
        return report.RootElement.GetProperty("models")[0].GetProperty("signature").Clone();
    }

    private string Describe() => string.Join("\n", _engine.Errors.Select(e => $"{e.Code} {e.Message}").Concat(_engine.Warnings.Select(w => $"{w.Code} {w.Message}")));

    private static int LineOf(string file, string text) =>
        File.ReadAllLines(file).Select((line, i) => (line, i)).First(x => x.line.Contains(text, StringComparison.Ordinal)).i + 1;
}
