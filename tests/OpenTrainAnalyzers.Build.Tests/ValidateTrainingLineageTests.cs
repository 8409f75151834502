using System.Security.Cryptography;
using Microsoft.Build.Utilities;

namespace OpenTrainAnalyzers.Build.Tests;

public sealed partial class ValidateTrainingLineageTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opentrain-task-").FullName;
    private readonly FakeBuildEngine _engine = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_declared_manifest_with_matching_weights_passes_and_says_so()
    {
        string manifest = WriteModel();

        bool ok = Run(manifest);

        Assert.True(ok);
        Assert.Empty(_engine.Errors);
        Assert.Contains(_engine.Messages, m => m.Message!.Contains("1 lineage manifest(s) checked against 'declared' (tiny: declared); 0 error(s)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_flipped_byte_in_the_weights_fails_at_the_declared_digest()
    {
        string manifest = WriteModel();
        byte[] weights = File.ReadAllBytes(Path.Combine(_directory, "tiny.onnx"));
        weights[3] ^= 0xFF;
        File.WriteAllBytes(Path.Combine(_directory, "tiny.onnx"), weights);

        Assert.False(Run(manifest));

        var error = Assert.Single(_engine.Errors);
        Assert.Equal("OTL0201", error.Code);
        Assert.Equal(manifest, error.File);
        Assert.Equal(LineOf(manifest, "\"sha256\""), error.LineNumber);
        Assert.EndsWith("docs/rules/OTL0201.md", error.HelpLink, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_weight_file_and_a_wrong_size_are_separate_codes()
    {
        string manifest = WriteModel(extraFile: "\"path\": \"gone.onnx\", \"sha256\": \"" + new string('a', 63) + "b\", \"size\": 1");
        File.AppendAllText(Path.Combine(_directory, "tiny.onnx"), "!");

        Assert.False(Run(manifest));

        Assert.Equal(new[] { "OTL0200", "OTL0202" }, _engine.Errors.Select(e => e.Code).Order());
    }

    [Fact]
    public void A_weight_path_that_is_a_directory_is_reported_not_crashed_on()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "dir.onnx"));
        string manifest = WriteModel(extraFile: "\"path\": \"dir.onnx\", \"sha256\": \"" + new string('a', 63) + "b\", \"size\": 1");

        Assert.False(Run(manifest));

        var error = Assert.Single(_engine.Errors);
        Assert.Equal("OTL0200", error.Code);
        Assert.Contains("directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stricter_level_reports_one_located_error_per_missing_element()
    {
        string manifest = WriteModel();

        Assert.False(Run(manifest, level: "open-weights"));

        Assert.NotEmpty(_engine.Errors);
        Assert.All(_engine.Errors, e =>
        {
            Assert.StartsWith("OTL", e.Code, StringComparison.Ordinal);
            Assert.Equal(manifest, e.File);
            Assert.True(e.LineNumber > 0);
            Assert.Contains("required by open-weights", e.Message, StringComparison.Ordinal);
        });
        // open-weights needs open architecture code and an open model card; the closed ones are each reported.
        Assert.Contains(_engine.Errors, e => e.Code == "OTL0303" && e.Message!.Contains("$.training.configuration.architecture.availability", StringComparison.Ordinal));
        Assert.Contains(_engine.Errors, e => e.Code == "OTL0303" && e.Message!.Contains("$.documentation.modelCard.availability", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_level_is_a_configuration_error_in_the_project_file()
    {
        Assert.False(Run(WriteModel(), level: "gold"));

        var error = Assert.Single(_engine.Errors);
        Assert.Equal("OTL0010", error.Code);
        Assert.Equal("/repo/app.csproj", error.File);
    }

    [Fact]
    public void An_unknown_level_is_reported_even_without_manifests()
    {
        Assert.False(Task(_engine, Array.Empty<string>(), "open").Execute());

        Assert.Equal("OTL0010", Assert.Single(_engine.Errors).Code);
    }

    [Theory]
    [InlineData("{ \"manifestVersion\": ")]
    [InlineData("not json at all")]
    [InlineData("")]
    public void Malformed_manifests_are_coded_and_located(string text)
    {
        string manifest = Path.Combine(_directory, "bad.lineage.json");
        File.WriteAllText(manifest, text);

        Assert.False(Run(manifest));

        var error = Assert.Single(_engine.Errors);
        Assert.Equal("OTL0100", error.Code);
        Assert.Equal(1, error.LineNumber);
    }

    [Fact]
    public void A_manifest_over_the_size_limit_is_refused_without_reading_it()
    {
        string manifest = Path.Combine(_directory, "huge.lineage.json");
        using (var stream = File.Create(manifest))
        {
            stream.SetLength(100L * 1024 * 1024);
        }

        Assert.False(Run(manifest));

        Assert.Equal("OTL0105", Assert.Single(_engine.Errors).Code);
    }

    [Fact]
    public void A_manifest_item_that_does_not_exist_or_is_a_directory_is_an_error_not_a_crash()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "folder.lineage.json"));

        Assert.False(Task(_engine, new[] { Path.Combine(_directory, "missing.lineage.json"), Path.Combine(_directory, "folder.lineage.json") }).Execute());

        Assert.Equal(new[] { "OTL0106", "OTL0106" }, _engine.Errors.Select(e => e.Code));
    }

    [Fact]
    public void NoWarn_hides_and_WarningsAsErrors_promotes_lineage_warnings()
    {
        string manifest = WriteModel(extraTopLevel: "\"modelCrd\": {},");

        Assert.True(Run(manifest));
        Assert.Contains(_engine.Warnings, w => w.Code == "OTL0104");

        var quiet = new FakeBuildEngine();
        Assert.True(Task(quiet, manifest, noWarn: "CS1591;OTL0104").Execute());
        Assert.DoesNotContain(quiet.Warnings, w => w.Code == "OTL0104");

        var strict = new FakeBuildEngine();
        Assert.False(Task(strict, manifest, warningsAsErrors: "OTL0104").Execute());
        Assert.Contains(strict.Errors, e => e.Code == "OTL0104");
    }

    [Fact]
    public void The_task_never_writes_to_the_project()
    {
        string manifest = WriteModel();
        var before = Snapshot();

        Run(manifest, level: "open-science");

        Assert.Equal(before, Snapshot());
    }

    private Dictionary<string, string> Snapshot() => Directory.EnumerateFiles(_directory, "*", SearchOption.AllDirectories)
        .ToDictionary(f => f, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    private bool Run(string manifest) => Task(_engine, new[] { manifest }).Execute();

    private bool Run(string manifest, string level) => Task(_engine, new[] { manifest }, level).Execute();

    private static ValidateTrainingLineage Task(FakeBuildEngine engine, string manifest, string? noWarn = null, string? warningsAsErrors = null) =>
        Task(engine, new[] { manifest }, "declared", noWarn, warningsAsErrors);

    private static ValidateTrainingLineage Task(FakeBuildEngine engine, string[] manifests, string level = "declared", string? noWarn = null, string? warningsAsErrors = null) => new()
    {
        BuildEngine = engine,
        Manifests = manifests.Select(m => new TaskItem(m)).ToArray(),
        RequiredLevel = level,
        ProjectFile = "/repo/app.csproj",
        NoWarn = noWarn,
        WarningsAsErrors = warningsAsErrors,
    };

    /// <summary>A tiny model with a manifest that meets 'declared' (closed components, honestly described).</summary>
    private string WriteModel(string? extraFile = null, string extraTopLevel = "")
    {
        byte[] weights = "tiny onnx weights"u8.ToArray();
        File.WriteAllBytes(Path.Combine(_directory, "tiny.onnx"), weights);
        string sha = Convert.ToHexString(SHA256.HashData(weights)).ToLowerInvariant();
        string closed(string what) => $$"""{ "availability": "closed", "description": "The {{what}} of the tiny model.", "justification": "Internal to the lab that trained it." }""";
        string json = $$"""
            {
              "manifestVersion": "1.0",
              {{extraTopLevel}}
              "model": { "name": "tiny", "version": "1", "producer": { "name": "Lab" }, "license": "MIT", "task": "text-classification" },
              "weights": {
                "format": "onnx",
                "files": [
                  { "path": "tiny.onnx", "sha256": "{{sha}}", "size": {{weights.Length}} }{{(extraFile is null ? "" : ",\n      { " + extraFile + " }")}}
                ]
              },
              "lineage": { "derivation": "from-scratch" },
              "training": {
                "data": { "availability": "closed", "description": "Support tickets of one year.", "justification": "They contain customer names.",
                          "sources": [{ "name": "Help desk exports" }], "collection": "All tickets of 2025 exported from the help desk.",
                          "cleaning": "Names and e-mail addresses were removed.", "labeling": { "method": "human", "criteria": "Urgent when a customer cannot work." } },
                "processing": { "availability": "closed", "description": "Scripts that anonymise and split tickets.", "justification": "Internal to the lab that trained it.", "method": "Anonymise, deduplicate, split by month." },
                "configuration": { "architecture": { "availability": "closed", "description": "A small convolutional text classifier.", "justification": "Internal to the lab that trained it.", "family": "cnn" }, "hyperparameters": {{closed("hyperparameters")}} },
                "code": {{closed("training code")}},
                "evaluation": { "availability": "closed", "description": "Accuracy on December tickets.", "justification": "Internal to the lab that trained it.",
                                "metrics": [{ "metric": "accuracy", "value": 0.8, "dataset": "december" }],
                                "datasets": [{ "id": "december", "name": "December tickets", "availability": "closed", "description": "Tickets of December 2025.", "justification": "They contain customer names.",
                                               "sources": [{ "name": "Help desk exports" }], "collection": "All tickets of December exported.", "cleaning": "Names and e-mail addresses were removed.", "labeling": { "method": "none" } }],
                                "code": {{closed("evaluation code")}} }
              },
              "documentation": { "modelCard": {{closed("model card")}}, "dataCard": {{closed("data card")}} }
            }
            """;
        string path = Path.Combine(_directory, "tiny.lineage.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static int LineOf(string file, string text) =>
        File.ReadAllLines(file).Select((line, i) => (line, i)).First(x => x.line.Contains(text, StringComparison.Ordinal)).i + 1;
}
