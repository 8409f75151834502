using System.Text;
using OpenTrain.Lineage.Signing;

namespace OpenTrain.Lineage.Tests;

/// <summary>
/// The OMS bundle and statement readers against the recorded signatures of ../shared/reference/oms (made by
/// model_signing, the OMS spec and NVIDIA) and against thousands of mutations of them: every input gives a bundle or a
/// problem, never an exception.
/// </summary>
public class OmsParsingTests
{
    private static readonly string Oms = Path.GetFullPath(Path.Combine(Fixture.RepoRoot, "..", "shared", "reference", "oms"));

    private static byte[] Recorded(string relative)
    {
        string path = Path.Combine(Oms, relative);
        Skip.IfNot(File.Exists(path), "The recorded OMS signatures are not beside the project (../shared/reference/oms); skipped.");
        return File.ReadAllBytes(path);
    }

    [SkippableTheory]
    [InlineData("model-transparency/v1.0.1-elliptic-key/model.sig", OmsMethod.Key, 2)]
    [InlineData("model-transparency/v1.1.0-elliptic-key/model.sig", OmsMethod.Key, 2)]
    [InlineData("model-transparency/v1.0.1-certificate/model.sig", OmsMethod.Certificate, 2)]
    [InlineData("model-transparency/v1.1.0-certificate/model.sig", OmsMethod.Certificate, 2)]
    [InlineData("nvidia-skills/skills/mcore-linting-and-formatting/skill.oms.sig", OmsMethod.Certificate, 4)]
    [InlineData("model-signing-spec/v1.0/valid/key.bundle.json", OmsMethod.Key, -1)]
    public void Recorded_bundles_parse_with_their_method_and_statement(string relative, OmsMethod method, int resources)
    {
        var bundle = OmsBundle.Parse(Recorded(relative), out string? problem);

        Assert.True(bundle is not null, problem);
        Assert.Equal(method, bundle!.Method);
        Assert.Equal(OmsBundle.InTotoPayloadType, bundle.PayloadType);
        Assert.StartsWith("DSSEv1 28 application/vnd.in-toto+json ", Encoding.ASCII.GetString(bundle.PreAuthenticationEncoding(), 0, 40), StringComparison.Ordinal);
        var statement = OmsStatement.Parse(bundle.Payload, out problem, out bool unsupported);
        Assert.True(statement is not null, problem);
        Assert.False(unsupported);
        Assert.Equal("files", statement!.Serialization);
        if (resources >= 0)
        {
            Assert.Equal(resources, statement.Resources.Count);
        }
    }

    [SkippableFact]
    public void The_v1_1_key_bundle_carries_a_hint_and_v1_0_the_key()
    {
        Assert.Equal("e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e", OmsBundle.Parse(Recorded("model-transparency/v1.1.0-elliptic-key/model.sig"), out _)!.KeyHint);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", Encoding.ASCII.GetString(OmsBundle.Parse(Recorded("model-transparency/v1.0.1-elliptic-key/model.sig"), out _)!.PublicKeyRawBytes!), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void The_spec_keyless_bundle_is_recognised_as_keyless()
    {
        Assert.Equal(OmsMethod.Keyless, OmsBundle.Parse(Recorded("model-signing-spec/v1.0/valid/sigstore.bundle.json"), out _)!.Method);
    }

    [SkippableTheory]
    [InlineData("model-signing-spec/v1.0/invalid/empty.bundle.json")]
    [InlineData("model-signing-spec/v1.0/invalid/missing-envelope.bundle.json")]
    [InlineData("model-signing-spec/v1.0/invalid/missing-verification-material.bundle.json")]
    public void Invalid_spec_bundles_are_refused_with_a_reason(string relative)
    {
        Assert.Null(OmsBundle.Parse(Recorded(relative), out string? problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [SkippableFact]
    public void The_wrong_predicate_is_refused_by_the_statement_reader()
    {
        var bundle = OmsBundle.Parse(Recorded("model-signing-spec/v1.0/invalid-payload/wrong-predicate.bundle.json"), out _)!;
        Assert.Null(OmsStatement.Parse(bundle.Payload, out string? problem, out bool unsupported));
        Assert.Contains("predicateType", problem, StringComparison.Ordinal);
        Assert.False(unsupported);
    }

    [Fact]
    public void A_duplicate_key_in_the_statement_is_refused()
    {
        string payload = """{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://model_signing/signature/v1.0","predicateType":"x"}""";
        Assert.Null(OmsStatement.Parse(Encoding.UTF8.GetBytes(payload), out string? problem, out _));
        Assert.NotNull(problem);
    }

    [SkippableFact]
    public void Mutated_bundles_and_statements_never_throw()
    {
        byte[] bundle = Recorded("nvidia-skills/skills/mcore-linting-and-formatting/skill.oms.sig");
        byte[] payload = OmsBundle.Parse(bundle, out _)!.Payload;
        var random = new Random(24);
        for (int i = 0; i < 3000; i++)
        {
            foreach (var original in new[] { bundle, payload })
            {
                byte[] mutated = Mutate(original, random);
                var parsed = OmsBundle.Parse(mutated, out string? problem);
                Assert.True(parsed is not null || problem is not null);
                OmsStatement.Parse(mutated, out _, out _);
            }
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        switch (random.Next(3))
        {
            case 0:
                return original.Take(random.Next(original.Length)).ToArray();
            case 1:
                var flipped = (byte[])original.Clone();
                for (int j = 0; j < 1 + random.Next(4); j++)
                {
                    flipped[random.Next(flipped.Length)] = (byte)"{}[]\",:0a-\\ "[random.Next(12)];
                }

                return flipped;
            default:
                var copy = original.ToList();
                int at = random.Next(copy.Count);
                copy.InsertRange(at, copy.Skip(random.Next(copy.Count)).Take(random.Next(64)).ToList());
                return copy.ToArray();
        }
    }
}
