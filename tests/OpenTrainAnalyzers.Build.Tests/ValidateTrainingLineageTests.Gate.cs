using System.IO.Compression;
using System.Text.Json;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using OpenTrainAnalyzers.Build.Findings;

namespace OpenTrainAnalyzers.Build.Tests;

/// <summary>The build gate's habits: the hash cache, the reports, weights that ship undeclared, and suppressions.</summary>
public sealed partial class ValidateTrainingLineageTests
{
    private static readonly DateTime LongAgo = DateTime.UtcNow.AddHours(-1);

    private string CacheFile => Path.Combine(_directory, "obj", "opentrain", "weights.sha256.cache");

    private string SarifFile => Path.Combine(_directory, "obj", "opentrain", "lineage.sarif");

    private string JsonFile => Path.Combine(_directory, "obj", "opentrain", "lineage.json");

    private string Weights => Path.Combine(_directory, "tiny.onnx");

    private string ProjectFilePath => Path.Combine(_directory, "app.csproj");

    // ---- incremental hashing ----

    [Fact]
    public void The_second_run_over_unchanged_weights_hashes_nothing_and_reuses_the_cache()
    {
        string manifest = WriteModel();
        File.SetLastWriteTimeUtc(Weights, LongAgo);

        Assert.True(Gate(_engine, manifest).Execute());
        var second = new FakeBuildEngine();
        Assert.True(Gate(second, manifest).Execute());

        Assert.Contains(_engine.Messages, m => m.Message == "OpenTrain: hashed 1 weight file(s) (17 bytes), 0 reused from cache.");
        Assert.Contains(second.Messages, m => m.Message == "OpenTrain: hashed 0 weight file(s) (0 bytes), 1 reused from cache.");
        Assert.Equal(MessageImportance.Normal, second.Messages.Single(m => m.Message!.StartsWith("OpenTrain: hashed", StringComparison.Ordinal)).Importance);
        using var report = JsonDocument.Parse(File.ReadAllText(JsonFile));
        var hashing = report.RootElement.GetProperty("hashing");
        Assert.Equal(0, hashing.GetProperty("hashedFiles").GetInt32());
        Assert.Equal(0, hashing.GetProperty("hashedBytes").GetInt64());
        Assert.Equal(1, hashing.GetProperty("reusedFromCache").GetInt32());
    }

    [Fact]
    public void A_cache_hit_does_not_read_the_weights_so_same_size_and_time_is_trusted()
    {
        // Documents the cache key: a same-size rewrite that restores the old timestamp is not re-read (as for MSBuild's own incrementality).
        string manifest = WriteModel();
        File.SetLastWriteTimeUtc(Weights, LongAgo);
        Assert.True(Gate(_engine, manifest).Execute());
        FlipFirstByteKeepingTimestamp();

        var second = new FakeBuildEngine();
        Assert.True(Gate(second, manifest).Execute());

        Assert.Empty(second.Errors);
        Assert.Contains(second.Messages, m => m.Message == "OpenTrain: hashed 0 weight file(s) (0 bytes), 1 reused from cache.");
    }

    [Fact]
    public void A_new_timestamp_rehashes_and_catches_the_changed_bytes()
    {
        string manifest = WriteModel();
        File.SetLastWriteTimeUtc(Weights, LongAgo);
        Assert.True(Gate(_engine, manifest).Execute());
        FlipFirstByteKeepingTimestamp();
        File.SetLastWriteTimeUtc(Weights, LongAgo.AddMinutes(1));

        var second = new FakeBuildEngine();
        Assert.False(Gate(second, manifest).Execute());

        Assert.Equal("OTL0201", Assert.Single(second.Errors).Code);
        Assert.Contains(second.Messages, m => m.Message == "OpenTrain: hashed 1 weight file(s) (17 bytes), 0 reused from cache.");
    }

    [Theory]
    [InlineData("garbage\0\u0001 not a cache")]
    [InlineData("opentrain-weight-hashes v1\n")] // truncated: no trailer
    [InlineData("opentrain-weight-hashes v1\nzz\t17\t1\t/x\nend\t1\n")] // a malformed digest
    [InlineData("opentrain-weight-hashes v1\nend\t5\n")] // the trailer's count disagrees
    public void A_corrupt_or_truncated_cache_is_ignored_and_replaced(string content)
    {
        string manifest = WriteModel();
        File.SetLastWriteTimeUtc(Weights, LongAgo);
        Directory.CreateDirectory(Path.GetDirectoryName(CacheFile)!);
        File.WriteAllText(CacheFile, content);

        Assert.True(Gate(_engine, manifest).Execute());
        var second = new FakeBuildEngine();
        Assert.True(Gate(second, manifest).Execute());

        Assert.Empty(_engine.Warnings);
        Assert.Contains(_engine.Messages, m => m.Message == "OpenTrain: hashed 1 weight file(s) (17 bytes), 0 reused from cache.");
        Assert.Contains(second.Messages, m => m.Message == "OpenTrain: hashed 0 weight file(s) (0 bytes), 1 reused from cache.");
        Assert.StartsWith("opentrain-weight-hashes v1\n", File.ReadAllText(CacheFile), StringComparison.Ordinal);
    }

    [Fact]
    public void A_cache_entry_for_a_stale_digest_truncated_mid_line_is_not_trusted()
    {
        string manifest = WriteModel();
        File.SetLastWriteTimeUtc(Weights, LongAgo);
        var info = new FileInfo(Weights);
        // A cache claiming another digest for this very file, cut off before its trailer: it must not be believed.
        Directory.CreateDirectory(Path.GetDirectoryName(CacheFile)!);
        File.WriteAllText(CacheFile, $"opentrain-weight-hashes v1\n{new string('a', 64)}\t{info.Length}\t{info.LastWriteTimeUtc.Ticks}\t{info.FullName}\n");

        Assert.True(Gate(_engine, manifest).Execute());

        Assert.Empty(_engine.Errors);
    }

    [Fact]
    public void A_cache_path_that_is_a_directory_costs_only_the_hashing()
    {
        string manifest = WriteModel();
        File.SetLastWriteTimeUtc(Weights, LongAgo);
        Directory.CreateDirectory(CacheFile);

        Assert.True(Gate(_engine, manifest).Execute());
        Assert.True(Gate(new FakeBuildEngine(), manifest).Execute());

        Assert.Empty(_engine.Warnings);
        Assert.Empty(_engine.Errors);
    }

    [Fact]
    public void Weights_written_moments_ago_are_hashed_but_not_remembered()
    {
        string manifest = WriteModel(); // the file's timestamp is "now": within the file system's resolution of a change

        Assert.True(Gate(_engine, manifest).Execute());
        var second = new FakeBuildEngine();
        Assert.True(Gate(second, manifest).Execute());

        Assert.Contains(second.Messages, m => m.Message == "OpenTrain: hashed 1 weight file(s) (17 bytes), 0 reused from cache.");
    }

    // ---- reports ----

    [Fact]
    public void The_SARIF_report_has_every_rule_and_a_located_result_per_finding()
    {
        string manifest = WriteModel();
        FlipFirstByteKeepingTimestamp();

        Assert.False(Gate(_engine, manifest).Execute());

        using var sarif = JsonDocument.Parse(File.ReadAllText(SarifFile));
        var root = sarif.RootElement;
        Assert.Equal("2.1.0", root.GetProperty("version").GetString());
        var run = root.GetProperty("runs")[0];
        var driver = run.GetProperty("tool").GetProperty("driver");
        Assert.Equal("OpenTrainAnalyzers", driver.GetProperty("name").GetString());
        var rules = driver.GetProperty("rules").EnumerateArray().ToList();
        Assert.Equal(OpenTrain.Lineage.LineageRules.All.Select(r => r.Id), rules.Select(r => r.GetProperty("id").GetString()));
        Assert.All(rules, r =>
        {
            Assert.False(string.IsNullOrEmpty(r.GetProperty("shortDescription").GetProperty("text").GetString()));
            Assert.EndsWith(".md", r.GetProperty("helpUri").GetString(), StringComparison.Ordinal);
        });

        var result = Assert.Single(run.GetProperty("results").EnumerateArray());
        Assert.Equal("OTL0201", result.GetProperty("ruleId").GetString());
        Assert.Equal("OTL0201", rules[result.GetProperty("ruleIndex").GetInt32()].GetProperty("id").GetString());
        Assert.Equal("error", result.GetProperty("level").GetString());
        Assert.Contains("not the weights the manifest describes", result.GetProperty("message").GetProperty("text").GetString(), StringComparison.Ordinal);
        var location = result.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal(new Uri(manifest).AbsoluteUri, location.GetProperty("artifactLocation").GetProperty("uri").GetString());
        var region = location.GetProperty("region");
        var error = Assert.Single(_engine.Errors);
        Assert.Equal(error.LineNumber, region.GetProperty("startLine").GetInt32());
        Assert.Equal(error.ColumnNumber, region.GetProperty("startColumn").GetInt32());
        Assert.Equal(error.EndLineNumber, region.GetProperty("endLine").GetInt32());
        Assert.Equal(error.EndColumnNumber, region.GetProperty("endColumn").GetInt32());
        Assert.False(result.TryGetProperty("suppressions", out _));
    }

    [Fact]
    public void The_JSON_summary_lists_models_findings_suppressions_and_hashing()
    {
        string manifest = WriteModel(extraTopLevel: "\"modelCrd\": {},");

        Assert.True(Gate(_engine, manifest, suppress: Suppress("OTL0104", justification: "The review bot reads \"modelCrd\"\\n until it moves.", until: "2999-12-31")).Execute());

        using var summary = JsonDocument.Parse(File.ReadAllText(JsonFile));
        var root = summary.RootElement;
        Assert.Equal("declared", root.GetProperty("requiredLevel").GetString());
        var model = Assert.Single(root.GetProperty("models").EnumerateArray());
        Assert.Equal(manifest, model.GetProperty("manifest").GetString());
        Assert.Equal("tiny", model.GetProperty("name").GetString());
        Assert.Equal("declared", model.GetProperty("achievedLevel").GetString());
        Assert.Equal("declared", model.GetProperty("requiredLevel").GetString());
        var finding = Assert.Single(root.GetProperty("findings").EnumerateArray());
        Assert.Equal("OTL0104", finding.GetProperty("id").GetString());
        Assert.True(finding.GetProperty("suppressed").GetBoolean());
        Assert.False(finding.GetProperty("logged").GetBoolean());
        Assert.Equal("The review bot reads \"modelCrd\"\\n until it moves.", finding.GetProperty("justification").GetString());
        var suppression = Assert.Single(root.GetProperty("suppressions").EnumerateArray());
        Assert.Equal("active", suppression.GetProperty("status").GetString());
        Assert.Equal(1, suppression.GetProperty("matched").GetInt32());
        Assert.Equal(1, root.GetProperty("hashing").GetProperty("hashedFiles").GetInt32());
        Assert.Equal(17, root.GetProperty("hashing").GetProperty("hashedBytes").GetInt64());
    }

    [Fact]
    public void Reports_are_off_without_paths_and_a_report_that_cannot_be_written_is_an_error_not_a_crash()
    {
        string manifest = WriteModel();
        var task = Gate(_engine, manifest);
        task.SarifReport = _directory; // a directory where a file should be
        task.JsonReport = null;

        Assert.False(task.Execute());

        var error = Assert.Single(_engine.Errors);
        Assert.Equal("OTL0011", error.Code);
        Assert.Contains("could not write the SARIF report", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(JsonFile));
    }

    // ---- weights that ship undeclared ----

    [Fact]
    public void A_shipped_model_file_that_no_manifest_declares_is_reported_at_the_project()
    {
        string manifest = WriteModel();
        File.WriteAllText(Path.Combine(_directory, "vendor.onnx"), "weights only");
        File.WriteAllText(Path.Combine(_directory, "readme.txt"), "not a model");
        Directory.CreateDirectory(Path.Combine(_directory, "models"));
        File.WriteAllText(Path.Combine(_directory, "models", "llm.GGUF"), "GGUF");

        Assert.True(Gate(_engine, manifest, shipped: new[]
        {
            Shipped("tiny.onnx", "None", "PreserveNewest"), // declared by the manifest
            Shipped("vendor.onnx", "None", "PreserveNewest"),
            Shipped("vendor.onnx", "Content"), // the same file twice is one finding
            Shipped("readme.txt", "Content"),
            Shipped("models/llm.GGUF", "EmbeddedResource"),
        }).Execute());

        Assert.Equal(2, _engine.Warnings.Count);
        Assert.All(_engine.Warnings, w =>
        {
            Assert.Equal("OTL0207", w.Code);
            Assert.Equal(ProjectFilePath, w.File);
            Assert.EndsWith("docs/rules/OTL0207.md", w.HelpLink, StringComparison.Ordinal);
        });
        Assert.Contains(_engine.Warnings, w => w.Message!.StartsWith("'vendor.onnx' (None item, CopyToOutputDirectory=PreserveNewest) ships model weights (a '.onnx' file)", StringComparison.Ordinal));
        Assert.Contains(_engine.Warnings, w => w.Message!.StartsWith("'models/llm.GGUF' (EmbeddedResource item)", StringComparison.Ordinal));
    }

    [Fact]
    public void An_MLNET_model_zip_is_recognised_by_its_entries_and_other_zips_are_not()
    {
        string manifest = WriteModel();
        WriteZip("model.zip", "TransformerChain/Model.key", "TransformerChain/Version.txt");
        WriteZip("assets.zip", "images/a.png");
        File.WriteAllText(Path.Combine(_directory, "broken.zip"), "not a zip");

        Assert.True(Gate(_engine, manifest, shipped: new[] { Shipped("model.zip", "Content"), Shipped("assets.zip", "Content"), Shipped("broken.zip", "Content") }).Execute());

        var warning = Assert.Single(_engine.Warnings);
        Assert.Equal("OTL0207", warning.Code);
        Assert.Contains("'model.zip'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("ML.NET", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Undeclared_external_data_next_to_a_declared_onnx_is_reported_at_its_path()
    {
        string manifest = WriteModel();
        File.WriteAllText(Path.Combine(_directory, "tiny.onnx.data"), "external tensors");
        File.WriteAllText(Path.Combine(_directory, "other.data"), "not named after the model");

        Assert.True(Gate(_engine, manifest).Execute());

        var warning = Assert.Single(_engine.Warnings);
        Assert.Equal("OTL0204", warning.Code);
        Assert.Equal(manifest, warning.File);
        Assert.Equal(LineOf(manifest, "\"tiny.onnx\""), warning.LineNumber);
        Assert.Contains("'tiny.onnx.data'", warning.Message, StringComparison.Ordinal);
    }

    // ---- suppressions ----

    [Fact]
    public void A_justified_suppression_hides_an_error_from_the_log_but_not_from_the_reports()
    {
        string manifest = WriteModel();
        FlipFirstByteKeepingTimestamp();

        Assert.True(Gate(_engine, manifest, suppress: Suppress("OTL0201", manifest: "tiny.lineage.json", element: "$.weights", justification: "Re-export in review, ML-42.")).Execute());

        Assert.Empty(_engine.Errors);
        Assert.Empty(_engine.Warnings);
        using var sarif = JsonDocument.Parse(File.ReadAllText(SarifFile));
        var result = Assert.Single(sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray());
        Assert.Equal("error", result.GetProperty("level").GetString());
        var suppression = Assert.Single(result.GetProperty("suppressions").EnumerateArray());
        Assert.Equal("external", suppression.GetProperty("kind").GetString());
        Assert.Equal("Re-export in review, ML-42.", suppression.GetProperty("justification").GetString());
    }

    [Fact]
    public void A_suppression_without_justification_is_an_error_at_the_project_and_suppresses_nothing()
    {
        string manifest = WriteModel();
        FlipFirstByteKeepingTimestamp();

        Assert.False(Gate(_engine, manifest, suppress: Suppress("OTL0201", justification: "  ")).Execute());

        Assert.Equal(new[] { "OTL0201", "OTL0600" }, _engine.Errors.Select(e => e.Code).Order());
        var invalid = _engine.Errors.Single(e => e.Code == "OTL0600");
        Assert.Equal(ProjectFilePath, invalid.File);
        Assert.Contains("no Justification", invalid.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_engine.Warnings, w => w.Code == "OTL0602"); // invalid, not also stale
    }

    [Fact]
    public void A_suppression_with_an_unreadable_date_is_an_error()
    {
        Assert.False(Gate(_engine, WriteModel(), suppress: Suppress("OTL0104", justification: "why", until: "30/06/2027")).Execute());

        var error = Assert.Single(_engine.Errors);
        Assert.Equal("OTL0600", error.Code);
        Assert.Contains("yyyy-MM-dd", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-06-30", true)] // valid through its last day
    [InlineData("2026-06-29", false)]
    public void An_expired_suppression_lets_the_finding_fire_again_with_a_note(string until, bool stillSuppressed)
    {
        string manifest = WriteModel();
        FlipFirstByteKeepingTimestamp();
        var task = Gate(_engine, manifest, suppress: Suppress("OTL0201", justification: "Re-export in review, ML-42.", until: until));
        task.Today = new DateTime(2026, 6, 30);

        Assert.Equal(stillSuppressed, task.Execute());

        if (stillSuppressed)
        {
            Assert.Empty(_engine.Errors);
            Assert.Empty(_engine.Warnings);
            return;
        }

        Assert.Equal("OTL0201", Assert.Single(_engine.Errors).Code);
        var expired = Assert.Single(_engine.Warnings);
        Assert.Equal("OTL0601", expired.Code);
        Assert.Equal(ProjectFilePath, expired.File);
        Assert.Contains("expired on 2026-06-29", expired.Message, StringComparison.Ordinal);
        Assert.Contains("1 finding(s) it covered are reported again", expired.Message, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(File.ReadAllText(JsonFile));
        Assert.Equal("expired", summary.RootElement.GetProperty("suppressions")[0].GetProperty("status").GetString());
        Assert.False(summary.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("id").GetString() == "OTL0201").GetProperty("suppressed").GetBoolean());
    }

    [Fact]
    public void A_suppression_that_matches_nothing_is_stale()
    {
        string manifest = WriteModel();

        Assert.True(Gate(_engine, manifest, suppress: Suppress("OTL0300", element: "$.training.checkpoints", justification: "Checkpoints are published with v2.")).Execute());

        var stale = Assert.Single(_engine.Warnings);
        Assert.Equal("OTL0602", stale.Code);
        Assert.Equal(ProjectFilePath, stale.File);
        Assert.Contains("'OTL0300' (element '$.training.checkpoints') matches no finding", stale.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("other.lineage.json", null)] // another manifest
    [InlineData(null, "$.weight")] // not a segment boundary of $.weights...
    [InlineData(null, "$.weights.files[0].size")] // another element
    [InlineData("tiny.lineage.json", "$.model")]
    public void Manifest_and_element_narrow_a_suppression(string? manifest, string? element)
    {
        string path = WriteModel();
        FlipFirstByteKeepingTimestamp();

        Assert.False(Gate(_engine, path, suppress: Suppress("OTL0201", manifest: manifest, element: element, justification: "Narrow.")).Execute());

        Assert.Equal("OTL0201", Assert.Single(_engine.Errors).Code);
        Assert.Equal("OTL0602", Assert.Single(_engine.Warnings).Code);
    }

    [Fact]
    public void An_undeclared_shipped_file_is_suppressed_by_its_item_path()
    {
        string manifest = WriteModel();
        File.WriteAllText(Path.Combine(_directory, "vendor.onnx"), "weights only");

        Assert.True(Gate(_engine, manifest,
            shipped: new[] { Shipped("vendor.onnx", "None", "PreserveNewest") },
            suppress: Suppress("OTL0207", element: "vendor.onnx", justification: "Vendor model, lineage requested in VEND-7.")).Execute());

        Assert.Empty(_engine.Warnings);
    }

    [Fact]
    public void NoWarn_still_applies_and_the_report_keeps_what_it_hid()
    {
        string manifest = WriteModel(extraTopLevel: "\"modelCrd\": {},");

        Assert.True(Gate(_engine, manifest, noWarn: "OTL0104").Execute());

        Assert.Empty(_engine.Warnings);
        using var sarif = JsonDocument.Parse(File.ReadAllText(SarifFile));
        var result = Assert.Single(sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray());
        Assert.Equal("OTL0104", result.GetProperty("ruleId").GetString());
        Assert.Equal("Listed in the project's NoWarn.", result.GetProperty("suppressions")[0].GetProperty("justification").GetString());
    }

    [Fact]
    public void The_gate_writes_only_its_cache_and_reports_under_obj()
    {
        string manifest = WriteModel();
        File.SetLastWriteTimeUtc(Weights, LongAgo);
        var before = Snapshot();

        Gate(_engine, manifest, suppress: Suppress("OTL0300", justification: "Stale on purpose.")).Execute();

        var after = Snapshot();
        Assert.Equal(before, after.Where(f => !f.Key.StartsWith(Path.Combine(_directory, "obj"), StringComparison.Ordinal)).ToDictionary(f => f.Key, f => f.Value));
        Assert.Equal(new[] { CacheFile, JsonFile, SarifFile }.Order(), after.Keys.Except(before.Keys).Order());
    }

    [Theory]
    [InlineData("$.training", "$.training.code", true)]
    [InlineData("$.training", "$.training[0]", true)]
    [InlineData("$.training", "$.training", true)]
    [InlineData("$.training", "$.trainingData", false)]
    [InlineData("models", "models/a.onnx", true)]
    [InlineData("models/", "models/a.onnx", true)]
    [InlineData("models/a.onnx", "models/a.onnx.data", false)]
    public void Elements_match_exactly_or_as_a_prefix_at_a_segment_boundary(string pattern, string element, bool matches) =>
        Assert.Equal(matches, Suppression.ElementMatches(pattern, element));

    private ValidateTrainingLineage Gate(FakeBuildEngine engine, string manifest, ITaskItem[]? shipped = null, ITaskItem[]? suppress = null, string? noWarn = null) => new()
    {
        BuildEngine = engine,
        Manifests = new ITaskItem[] { new TaskItem(manifest) },
        RequiredLevel = "declared",
        ProjectFile = ProjectFilePath,
        NoWarn = noWarn,
        HashCacheFile = CacheFile,
        SarifReport = SarifFile,
        JsonReport = JsonFile,
        ShippedFiles = shipped ?? Array.Empty<ITaskItem>(),
        Suppressions = suppress ?? Array.Empty<ITaskItem>(),
    };

    private static ITaskItem[] Suppress(string id, string? manifest = null, string? element = null, string? justification = null, string? until = null)
    {
        var item = new TaskItem(id);
        if (manifest is not null)
        {
            item.SetMetadata("Manifest", manifest); // relative to the project folder, as users write it
        }

        if (element is not null)
        {
            item.SetMetadata("Element", element);
        }

        if (justification is not null)
        {
            item.SetMetadata("Justification", justification);
        }

        if (until is not null)
        {
            item.SetMetadata("Until", until);
        }

        return new ITaskItem[] { item };
    }

    private static ITaskItem Shipped(string relative, string itemType, string? copy = null)
    {
        var item = new TaskItem(relative);
        item.SetMetadata("OpenTrainItemType", itemType);
        if (copy is not null)
        {
            item.SetMetadata("CopyToOutputDirectory", copy);
        }

        return item;
    }

    private void WriteZip(string name, params string[] entries)
    {
        using var zip = ZipFile.Open(Path.Combine(_directory, name), ZipArchiveMode.Create);
        foreach (var entry in entries)
        {
            using var writer = new StreamWriter(zip.CreateEntry(entry).Open());
            writer.Write("x");
        }
    }

    private void FlipFirstByteKeepingTimestamp()
    {
        var time = File.GetLastWriteTimeUtc(Weights);
        byte[] bytes = File.ReadAllBytes(Weights);
        bytes[0] ^= 0xFF;
        File.WriteAllBytes(Weights, bytes);
        File.SetLastWriteTimeUtc(Weights, time);
    }
}
