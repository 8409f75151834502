using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace OpenTrainAnalyzers.Build.Tests;

/// <summary>The scaffold pins a named base model's manifest when a lineage source holds it (docs/sharing-lineage.md).</summary>
public sealed class ScaffoldSourceTests : IDisposable
{
    private static readonly string RepoRoot = typeof(ScaffoldSourceTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
    private readonly string _project = Directory.CreateTempSubdirectory("opentrain-scaffold-sources-").FullName;
    private readonly string _source;

    public ScaffoldSourceTests()
    {
        _source = Directory.CreateDirectory(Path.Combine(_project, "..", Path.GetFileName(_project) + "-vetted")).FullName;
        string model = Directory.CreateDirectory(Path.Combine(_project, "models", "tiny-chat-1b-instruct-GGUF")).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(RepoRoot, "tests", "OpenTrainAnalyzers.Build.Tests", "Fixtures", "hub", "tiny-chat-1b-instruct-GGUF")))
        {
            File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        }
    }

    public void Dispose()
    {
        Directory.Delete(_project, recursive: true);
        Directory.Delete(_source, recursive: true);
    }

    private string Manifest => Path.Combine(_project, "models", "tiny-chat-1b-instruct-GGUF.lineage.json");

    [Fact]
    public void A_base_model_in_a_source_is_pinned_and_the_next_build_resolves_it()
    {
        string sha = WriteSourceManifest("base.lineage.json", "acme/tiny-chat-1b-instruct");

        var engine = Scaffold(SourceItem());

        Assert.Empty(engine.Errors);
        var parent = JsonNode.Parse(File.ReadAllText(Manifest))!["lineage"]!["parents"]![0]!;
        Assert.Equal(sha, (string)parent["manifest"]!["sha256"]!);
        Assert.Null(parent["manifest"]!["path"]);
        Assert.Null(parent["identifiers"]!["huggingfaceRevision"]); // neither the card nor the source states one
        string printed = string.Join("\n", engine.Messages.Select(m => m.Message));
        Assert.Contains($"$.lineage.parents[0].manifest.sha256 = {sha}  <- lineage source folder {SourceItem().ItemSpec} (base.lineage.json) holds acme/tiny-chat-1b-instruct's manifest", printed, StringComparison.Ordinal);

        var gate = Gate(SourceItem());
        Assert.DoesNotContain(gate.Errors, e => e.Code is "OTL0501" or "OTL0508" or "OTL0509");
        var without = Gate();
        Assert.Contains(without.Errors, e => e.Code == "OTL0501"); // the pin alone does not resolve: the source does
    }

    [Fact]
    public void The_revision_the_pinned_source_manifest_states_is_written_when_the_card_names_none()
    {
        const string revision = "0123456789abcdef0123456789abcdef01234567";
        string sha = WriteSourceManifest("base.lineage.json", "acme/tiny-chat-1b-instruct", revision: revision);

        var engine = Scaffold(SourceItem());

        var parent = JsonNode.Parse(File.ReadAllText(Manifest))!["lineage"]!["parents"]![0]!;
        Assert.Equal(sha, (string)parent["manifest"]!["sha256"]!);
        Assert.Equal(revision, (string)parent["identifiers"]!["huggingfaceRevision"]!);
        string printed = string.Join("\n", engine.Messages.Select(m => m.Message));
        Assert.Contains($"$.lineage.parents[0].identifiers.huggingfaceRevision = {revision}  <- lineage source folder {SourceItem().ItemSpec} (base.lineage.json)", printed, StringComparison.Ordinal);
        Assert.DoesNotContain(Gate(SourceItem()).Errors, e => e.Code is "OTL0501" or "OTL0508" or "OTL0509");
    }

    [Fact]
    public void Without_a_source_the_scaffold_says_what_to_add()
    {
        var engine = Scaffold();

        Assert.Null(JsonNode.Parse(File.ReadAllText(Manifest))!["lineage"]!["parents"]![0]!["manifest"]);
        string printed = string.Join("\n", engine.Messages.Select(m => m.Message));
        Assert.Contains("$.lineage.parents[0].manifest: acme/tiny-chat-1b-instruct's own lineage manifest (huggingface acme/tiny-chat-1b-instruct); no lineage source is configured: add an OpenTrainLineageSource item", printed, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_different_source_manifests_for_the_base_are_left_for_the_user_to_choose()
    {
        WriteSourceManifest("base.lineage.json", "acme/tiny-chat-1b-instruct");
        WriteSourceManifest("other/base.lineage.json", "acme/tiny-chat-1b-instruct", extra: " ");

        var engine = Scaffold(SourceItem());

        Assert.Null(JsonNode.Parse(File.ReadAllText(Manifest))!["lineage"]!["parents"]![0]!["manifest"]);
        string printed = string.Join("\n", engine.Messages.Select(m => m.Message));
        Assert.Contains("$.lineage.parents[0].manifest: 2 different source manifests describe acme/tiny-chat-1b-instruct", printed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_source_folder_is_a_warning_and_the_manifest_is_still_written()
    {
        var engine = Scaffold(new TaskItem("../not-there"));

        Assert.Empty(engine.Errors);
        Assert.Equal("OTL0017", Assert.Single(engine.Warnings).Code);
        Assert.True(File.Exists(Manifest));
    }

    private TaskItem SourceItem() => new(Path.GetRelativePath(_project, _source).Replace('\\', '/'));

    private string WriteSourceManifest(string relative, string huggingFace, string extra = "", string? revision = null)
    {
        string text = File.ReadAllText(Path.Combine(RepoRoot, "samples", "IrisDemo", "models", "iris-species.lineage.json"))
            .Replace("\"model\": {", "\"model\": {\n    \"identifiers\": {\"huggingface\": \"" + huggingFace + "\""
                + (revision is null ? string.Empty : ", \"huggingfaceRevision\": \"" + revision + "\"") + "},", StringComparison.Ordinal) + extra;
        string path = Path.Combine(_source, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();
    }

    private FakeBuildEngine Scaffold(params ITaskItem[] sources)
    {
        var engine = new FakeBuildEngine();
        new ScaffoldLineage
        {
            BuildEngine = engine,
            ScaffoldPath = "models/tiny-chat-1b-instruct-GGUF",
            ProjectDirectory = _project,
            ProjectFile = Path.Combine(_project, "app.csproj"),
            Sources = sources,
        }.Execute();
        return engine;
    }

    private FakeBuildEngine Gate(params ITaskItem[] sources)
    {
        var engine = new FakeBuildEngine();
        new ValidateTrainingLineage
        {
            BuildEngine = engine,
            Manifests = new ITaskItem[] { new TaskItem(Manifest) },
            ProjectFile = Path.Combine(_project, "app.csproj"),
            Sources = sources,
        }.Execute();
        return engine;
    }
}
