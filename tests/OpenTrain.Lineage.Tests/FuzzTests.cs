using System.Text;
using CsCheck;

namespace OpenTrain.Lineage.Tests;

/// <summary>
/// Property tests: whatever bytes arrive, reading and evaluating a manifest never throws, and every input yields either
/// a readable manifest or coded findings. Inputs are mutations of a real manifest (byte flips, truncations, type swaps,
/// insertions) plus random JSON-ish text and deep nesting.
/// </summary>
public class FuzzTests
{
    private static readonly byte[] Seed = Encoding.UTF8.GetBytes(Fixture.Complete);

    private static readonly string[] Fragments =
    {
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "null", "true", "1e999", "-0", "0.", "\"availability\"", "\"open\"",
        "\"not-applicable\"", "\"../x\"", "\"/etc/passwd\"", "\u0000", "\uFEFF", "\n", "TODO", "\"sha256\": 1", "[[[[[[[[", "{\"a\":{\"a\":",
    };

    [Fact]
    public void Mutated_manifests_never_throw_and_always_explain_themselves()
    {
        var mutation = Gen.OneOf(
            // flip a byte
            Gen.Int[0, Seed.Length - 1].Select(Gen.Byte).Select((i, b) => Mutate(bytes => bytes[i] = b)),
            // truncate
            Gen.Int[0, Seed.Length].Select(n => Seed.Take(n).ToArray()),
            // splice a fragment in
            Gen.Int[0, Seed.Length].Select(Gen.OneOf<string>(Fragments)).Select((i, f) => Seed.Take(i).Concat(Encoding.UTF8.GetBytes(f)).Concat(Seed.Skip(i)).ToArray()),
            // swap a value's type
            Gen.OneOf<string>("\"open\"", "\"MIT\"", "12", "\"from-scratch\"", "[", "{").Select(Gen.OneOf<string>("1", "[]", "{}", "null", "\"\"", "true"))
                .Select((from, to) => Encoding.UTF8.GetBytes(Fixture.Complete.Replace(from, to, StringComparison.Ordinal))));

        mutation.Sample(bytes => Holds(bytes), iter: 3000, threads: 1);
    }

    [Fact]
    public void Random_text_and_deep_nesting_never_throw()
    {
        var text = Gen.OneOf<string>(Fragments).Array[0, 200].Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts)));
        var nesting = Gen.Int[1, 200_000].Select(Gen.OneOf<string>("[", "{\"a\":")).Select((depth, open) => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(open, depth))));
        var bytes = Gen.Byte.Array[0, 2000];

        Gen.OneOf(text, nesting, bytes).Sample(input => Holds(input), iter: 2000, threads: 1);
    }

    private static byte[] Mutate(Action<byte[]> change)
    {
        var copy = (byte[])Seed.Clone();
        change(copy);
        return copy;
    }

    /// <summary>The property: no exception; either readable, or at least one coded error with a location or path.</summary>
    private static bool Holds(byte[] input)
    {
        var manifest = LineageManifest.Read(input);
        var evaluation = CompletenessPolicy.Evaluate(manifest);
        var chain = LineageChain.Resolve("/fuzz/m.lineage.json", manifest, evaluation.AchievedLevel, _ => ManifestFile.Missing("no parents in fuzzing"));
        bool explained = manifest.IsReadable
            || manifest.Findings.Any(f => f.Severity == FindingSeverity.Error && f.Id.StartsWith("OTL", StringComparison.Ordinal) && f.JsonPath.Length > 0);
        return explained
            && evaluation.Findings.All(f => f.Id.StartsWith("OTL", StringComparison.Ordinal) && f.Message.Length > 0)
            && chain.Findings.All(f => f.Id.StartsWith("OTL", StringComparison.Ordinal));
    }
}
