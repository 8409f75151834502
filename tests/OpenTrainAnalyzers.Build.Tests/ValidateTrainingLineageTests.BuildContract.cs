using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace OpenTrainAnalyzers.Build.Tests;

/// <summary>What the targets rely on (issue 19): exports kept on a configuration error, reports written only when they
/// change, the files a run read and whether it passed cleanly (the incremental gate), and the publish check.</summary>
public sealed partial class ValidateTrainingLineageTests
{
    [Theory]
    [InlineData("RequiredLevel", "mof-iv", "OTL0010")]
    [InlineData("Profiles", "osaid-2.0", "OTL0012")]
    [InlineData("Export", "cyclonedx+sbom", "OTL0013")]
    public void A_configuration_error_writes_no_export_and_the_last_good_one_stays(string property, string value, string code)
    {
        string manifest = WriteModel();
        string bom = Path.Combine(_directory, "obj", "bom.cdx.json");
        var good = Task(_engine, manifest);
        good.Export = "cyclonedx";
        good.CycloneDxExport = bom;
        Assert.True(good.Execute());
        string before = File.ReadAllText(bom);
        Assert.Contains("\"name\": \"tiny\"", before, StringComparison.Ordinal);
        var written = File.GetLastWriteTimeUtc(bom);

        var engine = new FakeBuildEngine();
        var bad = Task(engine, manifest);
        bad.Export = "cyclonedx";
        bad.CycloneDxExport = bom;
        typeof(ValidateTrainingLineage).GetProperty(property)!.SetValue(bad, value);
        Assert.False(bad.Execute());

        Assert.Equal(code, Assert.Single(engine.Errors).Code);
        Assert.Equal(before, File.ReadAllText(bom));
        Assert.Equal(written, File.GetLastWriteTimeUtc(bom));
        Assert.False(bad.CleanPass);
        Assert.Empty(bad.ExportedFiles);
    }

    [Fact]
    public void Reports_are_rewritten_only_when_their_content_changes()
    {
        string manifest = WriteModel();
        string sarif = Path.Combine(_directory, "obj", "lineage.sarif");
        string json = Path.Combine(_directory, "obj", "lineage.json");
        ValidateTrainingLineage Reporting(string level)
        {
            var task = Task(new FakeBuildEngine(), new[] { manifest }, level);
            task.SarifReport = sarif;
            task.JsonReport = json;
            task.HashCacheFile = Path.Combine(_directory, "obj", "weights.sha256.cache");
            return task;
        }

        Assert.True(Reporting("declared").Execute());
        Assert.True(Reporting("declared").Execute()); // the first run hashed, this one reuses: the JSON counts differ once
        var sarifTime = File.GetLastWriteTimeUtc(sarif);
        var jsonTime = File.GetLastWriteTimeUtc(json);
        Thread.Sleep(20);

        Assert.True(Reporting("declared").Execute());
        Assert.Equal(sarifTime, File.GetLastWriteTimeUtc(sarif));
        Assert.Equal(jsonTime, File.GetLastWriteTimeUtc(json));

        Assert.False(Reporting("open-science").Execute());
        Assert.NotEqual(sarifTime, File.GetLastWriteTimeUtc(sarif));
        Assert.Contains("open-science", File.ReadAllText(json), StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_says_which_files_it_read_and_passes_cleanly_only_without_warnings()
    {
        string manifest = WriteModel();
        var clean = Task(_engine, manifest);
        Assert.True(clean.Execute());
        Assert.True(clean.CleanPass);
        // The weight, and the ONNX external-data neighbours looked for (absent here): one that appears must rerun the gate.
        Assert.Equal(
            new[] { "tiny.bin", "tiny.data", "tiny.onnx", "tiny.onnx.data" }.Select(f => Path.Combine(_directory, f)),
            clean.InputFiles.Select(i => i.ItemSpec));

        // A warning (an undeclared shipped model) passes the build but must not let the next build skip the gate.
        File.WriteAllBytes(Path.Combine(_directory, "other.onnx"), new byte[] { 1, 2, 3 });
        var warned = Task(new FakeBuildEngine(), manifest);
        warned.ShippedFiles = new ITaskItem[] { new TaskItem(Path.Combine(_directory, "other.onnx")) };
        Assert.True(warned.Execute());
        Assert.False(warned.CleanPass);

        var failing = Task(new FakeBuildEngine(), manifest);
        File.AppendAllText(Path.Combine(_directory, "tiny.onnx"), "!");
        Assert.False(failing.Execute());
        Assert.False(failing.CleanPass);
    }

    [Fact]
    public void Publish_reports_undeclared_published_models_verifies_declared_ones_and_writes_no_report()
    {
        string manifest = WriteModel();
        File.WriteAllBytes(Path.Combine(_directory, "extra.onnx"), new byte[] { 1, 2, 3 });
        File.WriteAllText(Path.Combine(_directory, "readme.txt"), "not a model");
        string sarif = Path.Combine(_directory, "obj", "lineage.sarif");
        ValidateTrainingLineage Publishing(FakeBuildEngine engine)
        {
            var task = Task(engine, manifest);
            task.Publish = true;
            task.SarifReport = sarif;
            task.PublishedFiles = new ITaskItem[]
            {
                Published(Path.Combine(_directory, "tiny.onnx"), "models/tiny.onnx"),
                Published(Path.Combine(_directory, "extra.onnx"), "extra.onnx"),
                Published(Path.Combine(_directory, "readme.txt"), "readme.txt"),
            };
            return task;
        }

        Assert.True(Publishing(_engine).Execute());
        var undeclared = Assert.Single(_engine.Warnings);
        Assert.Equal("OTL0207", undeclared.Code);
        Assert.Contains("'extra.onnx' is published", undeclared.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_engine.Warnings, w => w.Message!.Contains("tiny.onnx", StringComparison.Ordinal));
        Assert.False(File.Exists(sarif));

        File.AppendAllText(Path.Combine(_directory, "tiny.onnx"), "!");
        var tampered = new FakeBuildEngine();
        Assert.False(Publishing(tampered).Execute());
        var error = Assert.Single(tampered.Errors);
        Assert.Equal("OTL0202", error.Code);
        Assert.Equal(manifest, error.File);
    }

    [Fact]
    public void Publish_with_nothing_published_still_runs_in_publish_mode()
    {
        string manifest = WriteModel();
        string sarif = Path.Combine(_directory, "obj", "lineage.sarif");
        var task = Task(_engine, manifest);
        task.Publish = true;
        task.SarifReport = sarif;

        Assert.True(task.Execute());
        Assert.False(File.Exists(sarif));
        Assert.Contains(_engine.Messages, m => m.Message!.Contains("publish checked 0 model file(s) among 0", StringComparison.Ordinal));
    }

    private static TaskItem Published(string source, string relativePath)
    {
        var item = new TaskItem(source);
        item.SetMetadata("RelativePath", relativePath);
        return item;
    }
}
