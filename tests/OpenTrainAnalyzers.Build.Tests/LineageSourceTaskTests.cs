using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace OpenTrainAnalyzers.Build.Tests;

/// <summary>
/// Parents found by identity in lineage sources (docs/sharing-lineage.md): a folder source or a lineage package's
/// manifests supply a parent whose entry has identifiers and a manifest pinned by sha256 alone.
/// </summary>
public sealed class LineageSourceTaskTests : IDisposable
{
    private const string Revision = "0123456789abcdef0123456789abcdef01234567";
    private readonly string _directory = Directory.CreateTempSubdirectory("opentrain-sources-").FullName;
    private readonly string _app;
    private readonly string _source;

    public LineageSourceTaskTests()
    {
        _app = Directory.CreateDirectory(Path.Combine(_directory, "app")).FullName;
        _source = Directory.CreateDirectory(Path.Combine(_directory, "vetted")).FullName;
        File.Copy(Path.Combine(DemoModels, "iris-species.onnx"), Path.Combine(_app, "iris-species.onnx"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string DemoModels => Path.Combine(
        typeof(LineageSourceTaskTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!, "samples", "IrisDemo", "models");

    [Fact]
    public void A_parent_pinned_by_identity_and_digest_resolves_from_a_folder_source()
    {
        string baseSha = WriteBase("contoso/iris-base", Revision);
        string child = WriteChild("contoso/iris-base", Revision, baseSha);

        var engine = Run(child, "open-tooling", Folder(_source));

        Assert.Empty(engine.Errors);
        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "report.json"))).RootElement;
        var parent = report.GetProperty("models")[0].GetProperty("parents")[0];
        Assert.True(parent.GetProperty("verified").GetBoolean());
        Assert.Equal("folder ../vetted (iris-base.lineage.json)", parent.GetProperty("source").GetString());
        Assert.Equal("open-tooling", parent.GetProperty("effectiveLevel").GetString());
    }

    [Theory]
    [InlineData(null, "{\"purl\": \"pkg:huggingface/contoso/iris-base@" + Revision + "\"}", null)]
    [InlineData("{\"doi\": \"10.5281/zenodo.1234\"}", "{\"doi\": \"https://doi.org/10.5281/ZENODO.1234\"}", null)]
    [InlineData("{\"purl\": \"pkg:github/contoso/iris-base@v2\"}", "{\"purl\": \"pkg:github/contoso/iris-base@v2?vcs_url=git\"}", null)]
    [InlineData("{\"doi\": \"10.5281/zenodo.1234\"}", "{\"doi\": \"10.5281/zenodo.9999\"}", "OTL0501")]
    public void A_parent_named_by_purl_or_doi_resolves_like_one_named_by_its_hub_id(string? sourceIdentifiers, string parentIdentifiers, string? expected)
    {
        WriteBase("contoso/iris-base", Revision);
        string basePath = Path.Combine(_source, "iris-base.lineage.json");
        string hubIdentifiers = "{\"huggingface\": \"contoso/iris-base\", \"huggingfaceRevision\": \"" + Revision + "\"}";
        string baseText = File.ReadAllText(basePath).Replace(hubIdentifiers, sourceIdentifiers ?? hubIdentifiers, StringComparison.Ordinal);
        File.WriteAllText(basePath, baseText);
        string child = WriteChild("contoso/iris-base", Revision, Sha(baseText));
        File.WriteAllText(child, File.ReadAllText(child).Replace(hubIdentifiers, parentIdentifiers, StringComparison.Ordinal));
        Assert.Contains(parentIdentifiers, File.ReadAllText(child), StringComparison.Ordinal);

        var engine = Run(child, "open-tooling", Folder(_source));

        if (expected is null)
        {
            Assert.Empty(engine.Errors);
        }
        else
        {
            var error = Assert.Single(engine.Errors);
            Assert.Equal(expected, error.Code);
            Assert.Contains("(doi 10.5281/zenodo.9999)", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_parent_counts_like_a_vendored_one_its_level_caps_the_child()
    {
        string baseSha = WriteBase("contoso/iris-base", Revision, degrade: true);
        string child = WriteChild("contoso/iris-base", Revision, baseSha);

        var engine = Run(child, "open-tooling", Folder(_source));

        var capped = Assert.Single(engine.Errors);
        Assert.Equal("OTL0503", capped.Code);
        Assert.Contains("from folder ../vetted (iris-base.lineage.json)", capped.Message, StringComparison.Ordinal);
        Assert.Equal(LineOf(child, "\"sha256\": \"" + baseSha), capped.LineNumber);
    }

    [Fact]
    public void No_match_names_the_sources_searched_and_how_to_add_one()
    {
        WriteBase("contoso/other-model", Revision);
        string child = WriteChild("contoso/iris-base", Revision, new string('a', 64));

        var withSource = Assert.Single(Run(child, "declared", Folder(_source)).Errors);
        var withoutSource = Assert.Single(Run(child, "declared").Errors);

        Assert.Equal("OTL0501", withSource.Code);
        Assert.Contains("Searched 1 lineage source(s): folder ../vetted", withSource.Message, StringComparison.Ordinal);
        Assert.Equal("OTL0501", withoutSource.Code);
        Assert.Contains("No lineage source is configured: add an OpenTrainLineageSource item", withoutSource.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parent_found_by_identity_without_a_pin_is_told_the_digest_to_pin_after_review()
    {
        string baseSha = WriteBase("contoso/iris-base", Revision);
        string child = WriteChild("contoso/iris-base", Revision, "SHA");
        File.WriteAllText(child, File.ReadAllText(child).Replace(",\n      \"manifest\": {\"sha256\": \"SHA\"}", string.Empty, StringComparison.Ordinal));
        Assert.DoesNotContain("\"manifest\"", File.ReadAllText(child).Split("\"parents\"")[1].Split(']')[0], StringComparison.Ordinal);

        var error = Assert.Single(Run(child, "declared", Folder(_source)).Errors);

        Assert.Equal("OTL0300", error.Code);
        Assert.Contains("is in lineage source folder ../vetted (iris-base.lineage.json): review that manifest, then pin it with \"manifest\": { \"sha256\": \"" + baseSha + "\" }", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_source_manifest_of_another_revision_is_not_the_parent()
    {
        WriteBase("contoso/iris-base", "fedcba9876543210fedcba9876543210fedcba98");
        string child = WriteChild("contoso/iris-base", Revision, new string('a', 64));

        var error = Assert.Single(Run(child, "declared", Folder(_source)).Errors);

        Assert.Equal("OTL0501", error.Code);
        Assert.Contains("is revision fedcba9876543210fedcba9876543210fedcba98, not " + Revision, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tampered_source_manifest_fails_with_the_digest_error_at_the_childs_pin()
    {
        string baseSha = WriteBase("contoso/iris-base", Revision);
        string child = WriteChild("contoso/iris-base", Revision, baseSha);
        File.AppendAllText(Path.Combine(_source, "iris-base.lineage.json"), "\n");

        var error = Assert.Single(Run(child, "declared", Folder(_source)).Errors);

        Assert.Equal("OTL0508", error.Code);
        Assert.Equal(child, error.File);
        Assert.Equal(LineOf(child, "\"sha256\": \"" + baseSha), error.LineNumber);
        Assert.Contains("not the pinned " + baseSha, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_different_candidates_without_the_pinned_digest_are_ambiguous_and_the_pin_chooses_otherwise()
    {
        string first = WriteBase("contoso/iris-base", Revision);
        Directory.CreateDirectory(Path.Combine(_source, "copy"));
        File.WriteAllText(Path.Combine(_source, "copy", "iris-base.lineage.json"), File.ReadAllText(Path.Combine(_source, "iris-base.lineage.json")) + " ");
        string neither = WriteChild("contoso/iris-base", Revision, new string('a', 64));

        var ambiguous = Assert.Single(Run(neither, "declared", Folder(_source)).Errors);
        Assert.Equal("OTL0509", ambiguous.Code);
        Assert.Contains("2 different source manifests", ambiguous.Message, StringComparison.Ordinal);
        Assert.Contains("folder ../vetted (copy/iris-base.lineage.json)", ambiguous.Message, StringComparison.Ordinal);

        string pinned = WriteChild("contoso/iris-base", Revision, first);
        Assert.Empty(Run(pinned, "declared", Folder(_source)).Errors);
    }

    [Fact]
    public void A_vendored_path_wins_over_the_sources()
    {
        string sourceSha = WriteBase("contoso/iris-base", Revision);
        File.Copy(Path.Combine(_source, "iris-base.lineage.json"), Path.Combine(_app, "vendored.lineage.json"));
        File.AppendAllText(Path.Combine(_source, "iris-base.lineage.json"), "\n"); // the source's copy no longer matches the pin
        string child = WriteChild("contoso/iris-base", Revision, sourceSha, vendoredPath: "vendored.lineage.json");

        var engine = Run(child, "declared", Folder(_source));

        Assert.Empty(engine.Errors);
        var parent = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "report.json"))).RootElement.GetProperty("models")[0].GetProperty("parents")[0];
        Assert.Equal(JsonValueKind.Null, parent.GetProperty("source").ValueKind);
    }

    [Fact]
    public void A_source_parent_resolves_its_own_parent_from_the_sources_too()
    {
        string grandparentSha = WriteBase("contoso/iris-grandparent", Revision);
        string parentText = ChildText("contoso/iris-grandparent", Revision, grandparentSha, vendoredPath: null)
            .Replace("\"model\": {", "\"model\": {\n    \"identifiers\": {\"huggingface\": \"contoso/iris-parent\"},", StringComparison.Ordinal);
        Directory.CreateDirectory(Path.Combine(_source, "nested"));
        File.WriteAllText(Path.Combine(_source, "nested", "iris-parent.lineage.json"), parentText);
        string child = WriteChild("contoso/iris-parent", revision: null, Sha(parentText));

        var engine = Run(child, "declared", Folder(_source));

        Assert.Empty(engine.Errors);
        var parent = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "report.json"))).RootElement.GetProperty("models")[0].GetProperty("parents")[0];
        Assert.Equal("folder ../vetted (nested/iris-parent.lineage.json)", parent.GetProperty("source").GetString());
        Assert.Equal("folder ../vetted (iris-base.lineage.json)", parent.GetProperty("parents")[0].GetProperty("source").GetString());

        // The grandparent changes: the error is reported once, at the child's entry, naming where it was found.
        File.AppendAllText(Path.Combine(_source, "iris-base.lineage.json"), "\n");
        var upstream = Assert.Single(Run(child, "declared", Folder(_source)).Errors);
        Assert.Equal("OTL0508", upstream.Code);
        Assert.Equal(child, upstream.File);
        Assert.Contains("In the lineage of parent 'iris-parent' (from folder ../vetted (nested/iris-parent.lineage.json))", upstream.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_source_parents_vendored_parent_is_read_inside_its_source()
    {
        // The grandparent is vendored beside the source's manifest (as a lineage package packs it): read there, where
        // the source is, not refused as outside the child's folder.
        string grandparentSha = WriteBase("contoso/iris-grandparent", Revision);
        Directory.CreateDirectory(Path.Combine(_source, "parents"));
        File.Move(Path.Combine(_source, "iris-base.lineage.json"), Path.Combine(_source, "parents", "gp.lineage.json"));
        string parentText = ChildText("contoso/iris-grandparent", Revision, grandparentSha, vendoredPath: "parents/gp.lineage.json")
            .Replace("\"model\": {", "\"model\": {\n    \"identifiers\": {\"huggingface\": \"contoso/iris-parent\"},", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_source, "iris-parent.lineage.json"), parentText);
        string child = WriteChild("contoso/iris-parent", revision: null, Sha(parentText));

        var engine = Run(child, "declared", Folder(_source));

        Assert.Empty(engine.Errors);
        var parent = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "report.json"))).RootElement.GetProperty("models")[0].GetProperty("parents")[0];
        var grandparent = parent.GetProperty("parents")[0];
        Assert.True(grandparent.GetProperty("verified").GetBoolean());
        Assert.Equal(JsonValueKind.Null, grandparent.GetProperty("source").ValueKind); // vendored beside its child
    }

    [Fact]
    public void Source_manifests_that_name_each_other_as_parents_are_a_cycle_not_a_hang()
    {
        // a's parent is b by identity and b's parent is a: pins cannot both hold, so a's pin of b is right and b's of a is not;
        // the cycle is found before b's wrong pin is compared.
        string aText = ChildText("contoso/b", null, new string('b', 64), null).Replace("\"model\": {", "\"model\": {\n    \"identifiers\": {\"huggingface\": \"contoso/a\"},", StringComparison.Ordinal);
        string bText = ChildText("contoso/a", null, Sha(aText), null).Replace("\"model\": {", "\"model\": {\n    \"identifiers\": {\"huggingface\": \"contoso/b\"},", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_source, "a.lineage.json"), aText);
        File.WriteAllText(Path.Combine(_source, "b.lineage.json"), bText);
        string child = WriteChild("contoso/b", null, Sha(bText));

        var errors = Run(child, "declared", Folder(_source)).Errors;

        // Reported once, at the child's entry, as the cycle it is (not as a's wrong pin of b).
        var cycle = Assert.Single(errors);
        Assert.Equal("OTL0504", cycle.Code);
        Assert.Equal(child, cycle.File);
    }

    [Fact]
    public void A_true_cycle_through_sources_is_reported_as_a_cycle()
    {
        // A source parent whose own parent is the child's parent itself, by identity, with a correct pin of its own bytes is
        // impossible (its digest would include itself); a parent naming itself by identity is the shortest real cycle.
        string self = ChildText("contoso/self", null, new string('c', 64), null).Replace("\"model\": {", "\"model\": {\n    \"identifiers\": {\"huggingface\": \"contoso/self\"},", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_source, "self.lineage.json"), self);
        string child = WriteChild("contoso/self", null, Sha(self));

        var errors = Run(child, "declared", Folder(_source)).Errors;

        var cycle = Assert.Single(errors);
        Assert.Equal("OTL0504", cycle.Code);
        Assert.Contains("already in this lineage chain", cycle.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_packaged_source_is_named_by_package_id_and_version()
    {
        string packageFolder = Directory.CreateDirectory(Path.Combine(_directory, "packages", "contoso.modellineage", "1.2.0", "opentrain", "lineage")).FullName;
        string baseSha = WriteBase("contoso/iris-base", Revision, folder: packageFolder);
        string child = WriteChild("contoso/iris-base", Revision, baseSha);
        var item = new TaskItem(Path.Combine(packageFolder, "iris-base.lineage.json"));
        item.SetMetadata("OpenTrainPackageId", "Contoso.ModelLineage");
        item.SetMetadata("OpenTrainPackageVersion", "1.2.0");
        item.SetMetadata("OpenTrainPackageFile", "opentrain/lineage/iris-base.lineage.json");

        Assert.Empty(Run(child, "declared", item).Errors);
        var parent = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "report.json"))).RootElement.GetProperty("models")[0].GetProperty("parents")[0];
        Assert.Equal("package Contoso.ModelLineage 1.2.0 (opentrain/lineage/iris-base.lineage.json)", parent.GetProperty("source").GetString());
    }

    [Fact]
    public void The_exports_say_which_source_the_parents_manifest_came_from()
    {
        string baseSha = WriteBase("contoso/iris-base", Revision);
        string child = WriteChild("contoso/iris-base", Revision, baseSha);
        var engine = Run(child, "declared", new[] { Folder(_source) }, task =>
        {
            task.Export = "cyclonedx+spdx";
            task.CycloneDxExport = Path.Combine(_directory, "bom.cdx.json");
            task.SpdxExport = Path.Combine(_directory, "bom.spdx.json");
            task.SourceDateEpoch = "1767225600";
        });

        Assert.Empty(engine.Errors);
        var cyclone = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "bom.cdx.json"))).RootElement;
        var parent = Objects(cyclone).Single(c => c.TryGetProperty("bom-ref", out var reference) && reference.GetString()!.StartsWith("parent:", StringComparison.Ordinal));
        Assert.Equal("iris-base", parent.GetProperty("name").GetString());
        var properties = parent.GetProperty("properties").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("value").GetString());
        Assert.Equal("folder ../vetted (iris-base.lineage.json)", properties["opentrain:manifest:source"]);
        Assert.Equal("true", properties["opentrain:manifest:verified"]);
        Assert.Equal(baseSha, properties["opentrain:manifest:sha256"]);
        // The identity the parent was found by is kept: as written, and as the purl BOM tools match on.
        Assert.Equal("contoso/iris-base", properties["opentrain:identifier:huggingface"]);
        Assert.Equal(Revision, properties["opentrain:identifier:huggingfaceRevision"]);
        Assert.Equal("pkg:huggingface/contoso/iris-base@" + Revision, parent.GetProperty("purl").GetString());

        string spdx = File.ReadAllText(Path.Combine(_directory, "bom.spdx.json"));
        Assert.Contains("manifest from lineage source folder ../vetted (iris-base.lineage.json)", spdx, StringComparison.Ordinal);
        Assert.Contains("\"name\": \"folder ../vetted (iris-base.lineage.json)\"", spdx, StringComparison.Ordinal); // the pinned manifest as a file element
        var spdxParent = Objects(JsonDocument.Parse(spdx).RootElement).Single(e => e.TryGetProperty("spdxId", out var id) && id.GetString()!.Contains(":parent/", StringComparison.Ordinal));
        Assert.Equal("pkg:huggingface/contoso/iris-base@" + Revision, spdxParent.GetProperty("software_packageUrl").GetString());
        Assert.Contains(spdxParent.GetProperty("externalIdentifier").EnumerateArray(), i => i.GetProperty("identifier").GetString() == "contoso/iris-base");
        if (ExportTests.CycloneDxSchema.Value is { } cycloneSchema && ExportTests.SpdxSchema.Value is { } spdxSchema)
        {
            Assert.True(cycloneSchema.Evaluate(cyclone, ExportTests.Options()).IsValid);
            Assert.True(spdxSchema.Evaluate(JsonDocument.Parse(spdx).RootElement, ExportTests.Options()).IsValid);
        }
    }

    [Fact]
    public void The_licence_policy_judges_a_source_parents_licences_in_its_own_manifest()
    {
        string baseSha = WriteBase("contoso/iris-base", Revision);
        string baseManifest = Path.Combine(_source, "iris-base.lineage.json");
        File.WriteAllText(baseManifest, File.ReadAllText(baseManifest).Replace("\"license\": \"CC-BY-4.0\",\n    \"task\"", "\"license\": \"CC-BY-NC-4.0\",\n    \"task\"", StringComparison.Ordinal));
        baseSha = Sha(File.ReadAllText(baseManifest));
        string child = WriteChild("contoso/iris-base", Revision, baseSha);
        var engine = Run(child, "declared", new[] { Folder(_source) }, task => task.DeniedLicenses = "CC-BY-NC-4.0");

        var denied = Assert.Single(engine.Errors);
        Assert.Equal("OTL0700", denied.Code);
        Assert.Equal(baseManifest, denied.File);
        Assert.True(denied.LineNumber > 0);
    }

    [Fact]
    public void A_source_item_may_name_manifest_files_as_a_wildcard_expands_to()
    {
        string baseSha = WriteBase("contoso/iris-base", Revision);
        string child = WriteChild("contoso/iris-base", Revision, baseSha);
        File.WriteAllText(Path.Combine(_source, "notes.txt"), "not a manifest");

        Assert.Empty(Run(child, "declared", Folder(Path.Combine(_source, "iris-base.lineage.json"))).Errors);
        var parent = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "report.json"))).RootElement.GetProperty("models")[0].GetProperty("parents")[0];
        Assert.Equal("file ../vetted/iris-base.lineage.json", parent.GetProperty("source").GetString());

        var other = Assert.Single(Run(child, "declared", Folder(Path.Combine(_source, "notes.txt"))).Errors, e => e.Code == "OTL0017");
        Assert.Contains("a file that is not a lineage manifest", other.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_source_folder_is_a_located_configuration_error()
    {
        string child = WriteChild("contoso/iris-base", Revision, new string('a', 64));

        var errors = Run(child, "declared", Folder(Path.Combine(_directory, "not-checked-out"))).Errors;

        var missing = Assert.Single(errors, e => e.Code == "OTL0017");
        Assert.Equal(Path.Combine(_app, "app.csproj"), missing.File);
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        Assert.Contains(errors, e => e.Code == "OTL0501");
    }

    [Fact]
    public void A_link_out_of_a_source_folder_and_an_oversized_file_are_not_read()
    {
        string outside = Directory.CreateDirectory(Path.Combine(_directory, "elsewhere")).FullName;
        string baseSha = WriteBase("contoso/iris-base", Revision, folder: outside);
        File.CreateSymbolicLink(Path.Combine(_source, "linked.lineage.json"), Path.Combine(outside, "iris-base.lineage.json"));
        using (var big = File.Create(Path.Combine(_source, "huge.lineage.json")))
        {
            big.SetLength(OpenTrain.Lineage.LineageManifest.MaxBytes + 1);
        }

        string child = WriteChild("contoso/iris-base", Revision, baseSha);

        var error = Assert.Single(Run(child, "declared", Folder(_source)).Errors);
        Assert.Equal("OTL0501", error.Code);
    }

    [Fact]
    public void A_vendored_parent_beside_its_child_is_checked_through_the_chain_not_as_a_model_without_weights()
    {
        // The default glob picks up lineage/base.lineage.json too; its weights are the base model's, not in this project.
        string vendored = Directory.CreateDirectory(Path.Combine(_app, "lineage")).FullName;
        string baseSha = WriteBase("contoso/iris-base", Revision, degrade: true, folder: vendored);
        string child = WriteChild("contoso/iris-base", Revision, baseSha, vendoredPath: "lineage/iris-base.lineage.json");
        var manifests = new ITaskItem[] { new TaskItem(child), new TaskItem(Path.Combine(vendored, "iris-base.lineage.json")) };

        var declared = new FakeBuildEngine();
        new ValidateTrainingLineage { BuildEngine = declared, Manifests = manifests, ProjectFile = Path.Combine(_app, "app.csproj") }.Execute();
        var strict = new FakeBuildEngine();
        new ValidateTrainingLineage { BuildEngine = strict, Manifests = manifests, ProjectFile = Path.Combine(_app, "app.csproj"), RequiredLevel = "open-tooling" }.Execute();

        Assert.Empty(declared.Errors);
        Assert.Contains(declared.Messages, m => m.Message!.Contains("1 lineage manifest(s) checked", StringComparison.Ordinal));
        Assert.Contains(declared.Messages, m => m.Message!.Contains("lineage/iris-base.lineage.json is the vendored parent of iris-species.lineage.json", StringComparison.Ordinal));
        var capped = Assert.Single(strict.Errors); // the parent still caps the child, reported once, at the child's entry
        Assert.Equal(("OTL0503", child), (capped.Code, capped.File));

        // A parent whose weights are here is a model of the project as well.
        File.Copy(Path.Combine(_app, "iris-species.onnx"), Path.Combine(vendored, "iris-species.onnx"));
        var both = new FakeBuildEngine();
        new ValidateTrainingLineage { BuildEngine = both, Manifests = manifests, ProjectFile = Path.Combine(_app, "app.csproj") }.Execute();
        Assert.Contains(both.Messages, m => m.Message!.Contains("2 lineage manifest(s) checked", StringComparison.Ordinal));
    }

    [Fact]
    public void Manifests_that_vendor_each_other_with_no_model_above_them_are_checked_and_the_cycle_is_reported()
    {
        // Neither is reached from a model of the project: leaving both out would hide the cycle.
        string bText = ChildText("contoso/a", null, new string('b', 64), vendoredPath: "a.lineage.json");
        File.WriteAllText(Path.Combine(_source, "b.lineage.json"), bText);
        File.WriteAllText(Path.Combine(_source, "a.lineage.json"), ChildText("contoso/b", null, Sha(bText), vendoredPath: "b.lineage.json"));
        var engine = new FakeBuildEngine();
        new ValidateTrainingLineage
        {
            BuildEngine = engine,
            Manifests = new ITaskItem[] { new TaskItem(Path.Combine(_source, "a.lineage.json")), new TaskItem(Path.Combine(_source, "b.lineage.json")) },
            ProjectFile = Path.Combine(_source, "lineage.csproj"),
        }.Execute();

        Assert.Contains(engine.Errors, e => e.Code == "OTL0504");
        Assert.Contains(engine.Messages, m => m.Message!.Contains("2 lineage manifest(s) checked", StringComparison.Ordinal));
    }

    [Fact]
    public void A_source_pointed_at_a_huge_tree_stops_with_a_located_error_not_a_long_walk()
    {
        // The real limit is 20,000 folders; the task's internal limit lets the test meet it with 41 (the source folder
        // and 40 below it; a full-size tree filled the disk of a CI machine).
        const int limit = 40;
        WriteBase("contoso/iris-base", Revision);
        string child = WriteChild("contoso/iris-base", Revision, new string('a', 64)); // not the base's digest: OTL0508 shows it was read
        Assert.Empty(Directory.GetDirectories(_source));
        for (int i = 0; i < limit; i++)
        {
            Directory.CreateDirectory(Path.Combine(_source, "d" + i));
        }

        FakeBuildEngine Validate() => Run(child, "declared", new[] { Folder(_source) }, task => task.SourceFolderLimit = limit);

        var errors = Validate().Errors;
        var stopped = Assert.Single(errors, e => e.Code == "OTL0017");
        Assert.Contains($"more than {limit} folders", stopped.Message, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(_app, "app.csproj"), stopped.File);
        Assert.Contains(errors, e => e.Code == "OTL0508"); // what was read before the stop still counts

        // One folder fewer is within the limit: no stop.
        Directory.Delete(Path.Combine(_source, "d0"));
        Assert.DoesNotContain(Validate().Errors, e => e.Code == "OTL0017");
    }

    [Fact]
    public void A_lineage_only_project_checks_its_manifests_without_weights_on_disk()
    {
        WriteBase("contoso/iris-base", Revision);
        string manifest = Path.Combine(_source, "iris-base.lineage.json");

        var asModel = new FakeBuildEngine();
        new ValidateTrainingLineage { BuildEngine = asModel, Manifests = new[] { new TaskItem(manifest) }, ProjectFile = Path.Combine(_source, "lineage.csproj") }.Execute();
        var asLineage = new FakeBuildEngine();
        new ValidateTrainingLineage { BuildEngine = asLineage, Manifests = new[] { new TaskItem(manifest) }, ProjectFile = Path.Combine(_source, "lineage.csproj"), LineageOnly = true }.Execute();

        Assert.Contains(asModel.Errors, e => e.Code == "OTL0200");
        Assert.Empty(asLineage.Errors);

        // Its policy still applies: a lineage package cannot publish a broken manifest.
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"license\": \"CC-BY-4.0\"", "\"license\": \"not a licence\"", StringComparison.Ordinal));
        var broken = new FakeBuildEngine();
        new ValidateTrainingLineage { BuildEngine = broken, Manifests = new[] { new TaskItem(manifest) }, ProjectFile = Path.Combine(_source, "lineage.csproj"), LineageOnly = true }.Execute();
        Assert.Contains(broken.Errors, e => e.Code == "OTL0401");
    }

    private static IEnumerable<JsonElement> Objects(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            yield return element;
            foreach (var property in element.EnumerateObject())
            {
                foreach (var inner in Objects(property.Value))
                {
                    yield return inner;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                foreach (var inner in Objects(item))
                {
                    yield return inner;
                }
            }
        }
    }

    private ITaskItem Folder(string path) => new TaskItem(Path.GetRelativePath(_app, path));

    private FakeBuildEngine Run(string manifest, string level, params ITaskItem[] sources) => Run(manifest, level, sources, null);

    /// <summary>The gate on one manifest of the app with these sources; <paramref name="configure"/> sets what else a test needs.</summary>
    private FakeBuildEngine Run(string manifest, string level, ITaskItem[] sources, Action<ValidateTrainingLineage>? configure)
    {
        var engine = new FakeBuildEngine();
        var task = new ValidateTrainingLineage
        {
            BuildEngine = engine,
            Manifests = new[] { new TaskItem(manifest) },
            RequiredLevel = level,
            ProjectFile = Path.Combine(_app, "app.csproj"),
            Sources = sources,
            JsonReport = Path.Combine(_directory, "report.json"),
        };
        configure?.Invoke(task);
        task.Execute();
        return engine;
    }

    /// <summary>The demo's manifest as a base model with an identity; degraded: its training code gone (below open-tooling).</summary>
    private string WriteBase(string id, string? revision, bool degrade = false, string? folder = null)
    {
        string text = File.ReadAllText(Path.Combine(DemoModels, "iris-species.lineage.json"))
            .Replace("\"model\": {", "\"model\": {\n    \"identifiers\": {\"huggingface\": \"" + id + "\"" + (revision is null ? string.Empty : ", \"huggingfaceRevision\": \"" + revision + "\"") + "},", StringComparison.Ordinal)
            .Replace("\"name\": \"iris-species\",", "\"name\": \"" + id.Split('/')[1] + "\",", StringComparison.Ordinal) // another model than the child
            .Replace("39935bdf-f394-473e-aeb2-77e35ad50e37", Guid.NewGuid().ToString(), StringComparison.Ordinal);
        if (degrade)
        {
            var document = System.Text.Json.Nodes.JsonNode.Parse(text)!;
            var code = document["training"]!["code"]!.AsObject();
            code["availability"] = "closed";
            code["justification"] = "The training program is kept private by its producer.";
            text = document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        }

        File.WriteAllText(Path.Combine(folder ?? _source, "iris-base.lineage.json"), text);
        return Sha(text);
    }

    private string WriteChild(string id, string? revision, string sha, string? vendoredPath = null)
    {
        string path = Path.Combine(_app, "iris-species.lineage.json");
        File.WriteAllText(path, ChildText(id, revision, sha, vendoredPath));
        return path;
    }

    private static string ChildText(string id, string? revision, string sha, string? vendoredPath) =>
        File.ReadAllText(Path.Combine(DemoModels, "iris-species.lineage.json")).Replace(
            "\"derivation\": \"from-scratch\"",
            "\"derivation\": \"finetune\",\n    \"parents\": [{\"name\": \"" + id.Split('/')[1] + "\", \"relation\": \"finetune\",\n      \"identifiers\": {\"huggingface\": \"" + id + "\""
                + (revision is null ? string.Empty : ", \"huggingfaceRevision\": \"" + revision + "\"") + "},\n      \"manifest\": {"
                + (vendoredPath is null ? string.Empty : "\"path\": \"" + vendoredPath + "\", ") + "\"sha256\": \"" + sha + "\"}}]",
            StringComparison.Ordinal);

    private static int LineOf(string file, string text) =>
        File.ReadAllLines(file).Select((line, index) => (line, index)).First(x => x.line.Contains(text, StringComparison.Ordinal)).index + 1;

    private static string Sha(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
}
