using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;

namespace OpenTrain.Lineage.Tests;

/// <summary>The writer: read → written → read gives an equal model, the same findings and stable bytes.</summary>
public class ManifestWriterTests
{
    public static TheoryData<string> Manifests()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures"), "*.lineage.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(file);
        }

        data.Add(Path.Combine(Fixture.RepoRoot, "samples", "IrisDemo", "models", "iris-species.lineage.json"));
        return data;
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Read_written_read_gives_an_equal_model_and_the_same_findings(string file)
    {
        var original = LineageManifest.Read(File.ReadAllBytes(file));
        string written = ManifestWriter.Write(original.Document!);
        var reread = LineageManifest.Read(written);

        Assert.Empty(reread.Findings);
        AssertEqual(original.Root!, reread.Root!);
        Assert.Equal(Summary(CompletenessPolicy.Evaluate(original)), Summary(CompletenessPolicy.Evaluate(reread)));
        Assert.Equal(written, ManifestWriter.Write(reread.Document!)); // a fixed point: writing again changes nothing
    }

    [Fact]
    public void Keys_follow_the_format_order_and_unknown_fields_follow_them()
    {
        string json = """{ "training": {}, "vendorNote": "kept", "model": { "task": "t", "name": "n" }, "manifestVersion": "1.0" }""";

        string written = ManifestWriter.Write(LineageManifest.Read(json).Document!);

        Assert.Equal(
            """
            {
              "$schema": "urn:opentrainanalyzers:schema:training-lineage:1.0",
              "manifestVersion": "1.0",
              "model": { "name": "n", "task": "t" },
              "training": {},
              "vendorNote": "kept"
            }

            """.Replace("\r\n", "\n"),
            written);
    }

    [Fact]
    public void Strings_are_escaped_so_the_output_reads_back_as_written()
    {
        string tricky = "quote \" backslash \\ newline \n tab \t nul \u0000 esc \u001b line-separator \u2028 é 😀";
        var root = JsonValue.FromObject(("manifestVersion", JsonValue.FromString("1.0")), ("extensions", JsonValue.FromObject(("note", JsonValue.FromString(tricky)))));

        var reread = LineageManifest.Read(ManifestWriter.Write(root));

        Assert.DoesNotContain(reread.Findings, f => f.Severity == FindingSeverity.Error);
        Assert.Equal(tricky, reread.Document!.Extensions.Value!["note"]!.AsString());
    }

    [Fact]
    public void Long_flat_objects_are_broken_over_lines()
    {
        string longName = new string('x', 150);
        string written = ManifestWriter.Write(JsonValue.FromObject(("model", JsonValue.FromObject(("name", JsonValue.FromString(longName))))));

        Assert.Contains("\"model\": {\n    \"name\": \"" + longName + "\"\n  }", written, StringComparison.Ordinal);
        Assert.All(ManifestWriter.Write(LineageManifest.Read(Fixture.Complete).Document!).Split('\n'), line => Assert.True(line.Length <= ManifestWriter.Width || !line.TrimStart().StartsWith('{'), line));
    }

    private static string Summary(LineageEvaluation evaluation) =>
        evaluation.AchievedLevel + "\n" + string.Join("\n", evaluation.Findings.Select(f => $"{f.Id} {f.Severity} {f.RequiredBy} {f.Profile} {f.JsonPath} {f.Message}").Order(StringComparer.Ordinal));

    /// <summary>Structural equality: kinds, texts and members (object members compared by name, arrays in order).</summary>
    private static void AssertEqual(JsonValue expected, JsonValue actual)
    {
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.True(expected.Text == actual.Text, $"{expected.Path}: '{expected.Text}' != '{actual.Text}'");
        Assert.Equal(expected.Boolean, actual.Boolean);
        Assert.Equal(expected.Items.Count, actual.Items.Count);
        for (int i = 0; i < expected.Items.Count; i++)
        {
            AssertEqual(expected.Items[i], actual.Items[i]);
        }

        Assert.Equal(expected.Properties.Select(p => p.Name).Order(StringComparer.Ordinal), actual.Properties.Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var property in expected.Properties)
        {
            AssertEqual(property.Value, actual[property.Name]!);
        }
    }
}
