using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace OpenTrainAnalyzers.Build.Tests;

/// <summary>
/// The two halves of lineage in packages, without NuGet: where PackLineage puts a manifest for each PackagePath form,
/// what it refuses, and what ResolvePackagedLineage takes from a project.assets.json.
/// </summary>
public sealed class PackagedLineageTaskTests : IDisposable
{
    private const string Weights = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private readonly string _project = Directory.CreateTempSubdirectory("opentrain-pack-").FullName;

    public void Dispose() => Directory.Delete(_project, recursive: true);

    [Theory]
    [InlineData("contentFiles/any/any/models/", "contentFiles/any/any/models/embed.lineage.json")]
    [InlineData("contentFiles/any/any/models", "contentFiles/any/any/models/embed.lineage.json")] // a folder without the slash
    [InlineData("build/models/embed.onnx", "build/models/embed.lineage.json")] // the file itself
    [InlineData("embed.onnx", "embed.lineage.json")] // the package root
    public void The_manifest_goes_beside_the_weights_for_each_PackagePath_form(string packagePath, string expected)
    {
        WriteModel("models/embed.onnx", "models/embed.lineage.json", "embed.onnx");

        var (engine, added) = Pack(Packed("models/embed.onnx", packagePath));

        Assert.Empty(engine.Errors);
        var manifest = Assert.Single(added, a => a.ItemSpec.EndsWith("embed.lineage.json", StringComparison.Ordinal));
        Assert.Equal(expected, manifest.GetMetadata("PackagePath"));
        Assert.Equal("None", manifest.GetMetadata("BuildAction"));
        Assert.Equal("false", manifest.GetMetadata("PackageCopyToOutput"));
    }

    [Fact]
    public void Weights_the_SDK_lays_out_take_the_manifest_along_in_the_same_layout()
    {
        WriteModel("models/embed.onnx", "models/embed.lineage.json", "embed.onnx");

        var (engine, added) = Pack(Packed("models/embed.onnx", string.Empty));

        Assert.Empty(engine.Errors);
        var manifest = Assert.Single(added);
        Assert.Equal(Path.Combine("models", "embed.lineage.json"), manifest.ItemSpec); // relative, as the SDK lays out project items
        Assert.Equal(string.Empty, manifest.GetMetadata("PackagePath"));
    }

    [Fact]
    public void Two_packed_copies_get_two_manifests_and_the_loaders_file_goes_to_opentrain()
    {
        WriteModel("models/embed.onnx", "models/embed.lineage.json", "embed.onnx");
        File.WriteAllText(Path.Combine(_project, "OpenTrainLoaders.txt"), "M:Acme.Embed.Open(System.String);path\n");

        var (engine, added) = Pack(Packed("models/embed.onnx", "contentFiles/any/net8.0/models/;contentFiles/any/net10.0/models/"));

        Assert.Empty(engine.Errors);
        Assert.Equal(
            new[] { "contentFiles/any/net10.0/models/embed.lineage.json", "contentFiles/any/net8.0/models/embed.lineage.json", "opentrain/OpenTrainLoaders.txt" },
            added.Select(a => a.GetMetadata("PackagePath")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_vendored_parent_manifest_is_packed_with_its_child()
    {
        WriteModel("models/embed.onnx", "models/embed.lineage.json", "embed.onnx", parent: "parents/base.lineage.json");
        Directory.CreateDirectory(Path.Combine(_project, "models", "parents"));
        File.WriteAllText(Path.Combine(_project, "models", "parents", "base.lineage.json"), "{}");

        var (engine, added) = Pack(Packed("models/embed.onnx", "contentFiles/any/any/models/"));

        Assert.Empty(engine.Errors);
        Assert.Contains(added, a => a.GetMetadata("PackagePath") == "contentFiles/any/any/models/parents/base.lineage.json");
    }

    [Fact]
    public void Packed_weights_without_a_manifest_are_OTL0210()
    {
        Directory.CreateDirectory(Path.Combine(_project, "models"));
        File.WriteAllBytes(Path.Combine(_project, "models", "vendor.gguf"), "GGUF\u0003\0\0\0"u8.ToArray());

        var (engine, added) = Pack(Packed("models/vendor.gguf", "contentFiles/any/any/models/"));

        var error = Assert.Single(engine.Errors);
        Assert.Equal("OTL0210", error.Code);
        Assert.Contains("models/vendor.gguf", error.Message, StringComparison.Ordinal);
        Assert.Contains("OpenTrainScaffold", error.Message, StringComparison.Ordinal);
        Assert.Empty(added);
    }

    [Fact]
    public void A_weight_packed_out_of_the_manifests_reach_and_a_listed_file_left_out_are_OTL0211_at_the_manifest()
    {
        WriteModel("models/embed.onnx", "models/embed.lineage.json", "embed.onnx", extraFile: "tokenizer.json");

        var (flattened, _) = Pack(Packed("models/embed.onnx", "contentFiles/any/any/weights/v1/other-name.onnx"));
        var (partial, _) = Pack(Packed("models/embed.onnx", "contentFiles/any/any/models/"));

        var escape = Assert.Single(flattened.Errors);
        Assert.Equal("OTL0211", escape.Code);
        Assert.EndsWith("embed.lineage.json", escape.File, StringComparison.Ordinal);
        Assert.Contains("cannot reach it", escape.Message, StringComparison.Ordinal);
        var missing = Assert.Single(partial.Errors);
        Assert.Equal("OTL0211", missing.Code);
        Assert.Contains("'tokenizer.json'", missing.Message, StringComparison.Ordinal);
        Assert.True(missing.LineNumber > 0);
    }

    [Fact]
    public void Resolve_takes_the_selected_contentFiles_and_other_folders_and_skips_content_and_other_frameworks()
    {
        string packages = Path.Combine(_project, "packages");
        string root = Path.Combine(packages, "acme.embed", "2.1.0");
        foreach (var file in new[] { "content/models/a.lineage.json", "contentFiles/any/net10.0/models/a.lineage.json", "contentFiles/any/net8.0/models/a.lineage.json", "build/models/b.lineage.json", "opentrain/OpenTrainLoaders.txt" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, file))!);
            File.WriteAllText(Path.Combine(root, file), "{}");
        }

        string assets = Path.Combine(_project, "project.assets.json");
        File.WriteAllText(assets, $$"""
            {
              "version": 3,
              "targets": {
                "net10.0": {
                  "Acme.Embed/2.1.0": { "type": "package", "contentFiles": { "contentFiles/any/net10.0/models/a.lineage.json": { "buildAction": "None", "codeLanguage": "any", "copyToOutput": false } } }
                }
              },
              "libraries": {
                "Acme.Embed/2.1.0": {
                  "type": "package",
                  "path": "acme.embed/2.1.0",
                  "files": ["content/models/a.lineage.json", "contentFiles/any/net10.0/models/a.lineage.json", "contentFiles/any/net8.0/models/a.lineage.json", "build/models/b.lineage.json", "opentrain/OpenTrainLoaders.txt", "lib/net10.0/Acme.Embed.dll"]
                },
                "Local/1.0.0": { "type": "project", "path": "../Local/Local.csproj" }
              },
              "packageFolders": { "{{packages.Replace("\\", "\\\\")}}/": {} }
            }
            """);
        var task = new ResolvePackagedLineage { BuildEngine = new FakeBuildEngine(), ProjectAssetsFile = assets, TargetFramework = "net10.0", OutputDirectory = Path.Combine(_project, "bin") + Path.DirectorySeparatorChar };

        Assert.True(task.Execute());

        Assert.Equal(
            new[] { Path.Combine(root, "build", "models", "b.lineage.json"), Path.Combine(root, "contentFiles", "any", "net10.0", "models", "a.lineage.json") },
            task.PackagedManifests.Select(m => m.ItemSpec).Order(StringComparer.Ordinal));
        Assert.All(task.PackagedManifests, m => Assert.Equal(("Acme.Embed", "2.1.0", "true"), (m.GetMetadata("OpenTrainPackageId"), m.GetMetadata("OpenTrainPackageVersion"), m.GetMetadata("OpenTrainManifest"))));
        Assert.Equal(Path.Combine(_project, "bin", "models"), task.PackagedManifests.Single(m => m.ItemSpec.Contains("contentFiles", StringComparison.Ordinal)).GetMetadata("OpenTrainOutputDirectory"));
        Assert.Equal(string.Empty, task.PackagedManifests.Single(m => m.ItemSpec.Contains("build", StringComparison.Ordinal)).GetMetadata("OpenTrainOutputDirectory"));
        Assert.Equal(Path.Combine(root, "opentrain", "OpenTrainLoaders.txt"), Assert.Single(task.PackagedLoaders).ItemSpec);
    }

    [Fact]
    public void Resolve_takes_a_lineage_packages_manifests_as_sources_not_as_the_apps_models()
    {
        string packages = Path.Combine(_project, "packages");
        foreach (var (package, file) in new[] { ("contoso.modellineage/1.3.0", "opentrain/lineage/fabrikam/aurora.lineage.json"), ("other.lineage/1.0.0", "opentrain/lineage/x.lineage.json") })
        {
            string full = Path.Combine(packages, package, file);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, "{}");
        }

        string assets = Path.Combine(_project, "project.assets.json");
        File.WriteAllText(assets, $$"""
            {
              "version": 3,
              "targets": { "net10.0": { "Contoso.ModelLineage/1.3.0": { "type": "package" } } },
              "libraries": {
                "Contoso.ModelLineage/1.3.0": { "type": "package", "path": "contoso.modellineage/1.3.0", "files": ["opentrain/lineage/fabrikam/aurora.lineage.json", "contoso.modellineage.nuspec"] },
                "Other.Lineage/1.0.0": { "type": "package", "path": "other.lineage/1.0.0", "files": ["opentrain/lineage/x.lineage.json"] }
              },
              "packageFolders": { "{{packages.Replace("\\", "\\\\")}}/": {} }
            }
            """);
        var task = new ResolvePackagedLineage { BuildEngine = new FakeBuildEngine(), ProjectAssetsFile = assets, TargetFramework = "net10.0" };

        Assert.True(task.Execute());

        Assert.Empty(task.PackagedManifests); // never checked as the app's own models
        var source = Assert.Single(task.PackagedLineageSources); // Other.Lineage is not delivered to net10.0
        Assert.Equal(Path.Combine(packages, "contoso.modellineage", "1.3.0", "opentrain", "lineage", "fabrikam", "aurora.lineage.json"), source.ItemSpec);
        Assert.Equal(("Contoso.ModelLineage", "1.3.0", "opentrain/lineage/fabrikam/aurora.lineage.json"),
            (source.GetMetadata("OpenTrainPackageId"), source.GetMetadata("OpenTrainPackageVersion"), source.GetMetadata("OpenTrainPackageFile")));
    }

    [Fact]
    public void A_lineage_package_packs_every_manifest_and_its_vendored_parents_under_opentrain_lineage()
    {
        WriteModel("fabrikam/aurora.onnx", "fabrikam/aurora.lineage.json", "aurora.onnx", parent: "parents/base.lineage.json");
        Directory.CreateDirectory(Path.Combine(_project, "fabrikam", "parents"));
        File.WriteAllText(Path.Combine(_project, "fabrikam", "parents", "base.lineage.json"), "{}");
        File.Delete(Path.Combine(_project, "fabrikam", "aurora.onnx")); // a lineage package ships no weights

        var engine = new FakeBuildEngine();
        var task = new PackLineage
        {
            BuildEngine = engine,
            Manifests = new ITaskItem[] { new TaskItem(Path.Combine(_project, "fabrikam", "aurora.lineage.json")) },
            ProjectDirectory = _project,
            ProjectFile = Path.Combine(_project, "lineage.csproj"),
            LineagePackage = true,
        };
        Assert.True(task.Execute());

        Assert.Empty(engine.Errors);
        Assert.Equal(
            new[] { "opentrain/lineage/fabrikam/aurora.lineage.json", "opentrain/lineage/fabrikam/parents/base.lineage.json" },
            task.AddedPackageFiles.Select(i => i.GetMetadata("PackagePath")).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("net472", ".NETFramework,Version=v4.7.2", "net472")]
    [InlineData("net10.0", ".NETCoreApp,Version=v10.0", "net10.0")]
    public void Each_inner_build_takes_its_own_restore_target_a_NET_Framework_one_by_its_moniker(string framework, string moniker, string expectedFolder)
    {
        // The restore names a .NET Framework target by its moniker, not by its alias; the first target (net10.0 here)
        // must not stand in for it, or net472's packaged content would be checked against net10.0's.
        string packages = Path.Combine(_project, "packages");
        string root = Path.Combine(packages, "acme.embed", "2.1.0");
        foreach (var folder in new[] { "net10.0", "net472" })
        {
            Directory.CreateDirectory(Path.Combine(root, "contentFiles", "any", folder, "models"));
            File.WriteAllText(Path.Combine(root, "contentFiles", "any", folder, "models", "a.lineage.json"), "{}");
        }

        string Content(string folder) => $$"""{ "Acme.Embed/2.1.0": { "type": "package", "contentFiles": { "contentFiles/any/{{folder}}/models/a.lineage.json": { "buildAction": "None", "codeLanguage": "any", "copyToOutput": true } } } }""";
        string assets = Path.Combine(_project, "project.assets.json");
        File.WriteAllText(assets, $$"""
            {
              "version": 3,
              "targets": { "net10.0": {{Content("net10.0")}}, ".NETFramework,Version=v4.7.2": {{Content("net472")}} },
              "libraries": {
                "Acme.Embed/2.1.0": { "type": "package", "path": "acme.embed/2.1.0",
                  "files": ["contentFiles/any/net10.0/models/a.lineage.json", "contentFiles/any/net472/models/a.lineage.json"] }
              },
              "packageFolders": { "{{packages.Replace("\\", "\\\\")}}/": {} }
            }
            """);
        var task = new ResolvePackagedLineage
        {
            BuildEngine = new FakeBuildEngine(), ProjectAssetsFile = assets, TargetFramework = framework, TargetFrameworkMoniker = moniker,
            OutputDirectory = Path.Combine(_project, "bin", framework) + Path.DirectorySeparatorChar,
        };

        Assert.True(task.Execute());

        var manifest = Assert.Single(task.PackagedManifests);
        Assert.Equal(Path.Combine(root, "contentFiles", "any", expectedFolder, "models", "a.lineage.json"), manifest.ItemSpec);
        Assert.Equal(Path.Combine(_project, "bin", framework, "models"), manifest.GetMetadata("OpenTrainOutputDirectory"));
    }

    [Theory]
    [InlineData("\"files\": [\"models/a.lineage.json\"]", "lineage.json", true)]
    [InlineData("\"files\": [\"models/A.Lineage.JSON\"]", "lineage.json", true)]
    [InlineData("\"files\": [\"opentrain/OpenTrainLoaders.txt\"]", "opentrainloaders.txt", true)]
    [InlineData("\"files\": [\"lib/net8.0/Acme.dll\", \"lineage.jso\"]", "lineage.json", false)]
    public void The_quick_search_that_skips_parsing_finds_names_in_any_case(string text, string pattern, bool found) =>
        Assert.Equal(found, ResolvePackagedLineage.Contains(System.Text.Encoding.UTF8.GetBytes(text), pattern));

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"libraries\": 3}")]
    [InlineData("")]
    public void A_broken_or_missing_assets_file_adds_nothing_and_breaks_nothing(string text)
    {
        string assets = Path.Combine(_project, "project.assets.json");
        File.WriteAllText(assets, text);
        var engine = new FakeBuildEngine();
        var task = new ResolvePackagedLineage { BuildEngine = engine, ProjectAssetsFile = assets };
        var missing = new ResolvePackagedLineage { BuildEngine = engine, ProjectAssetsFile = Path.Combine(_project, "absent.json") };

        Assert.True(task.Execute());
        Assert.True(missing.Execute());
        Assert.Empty(task.PackagedManifests);
        Assert.Empty(engine.Errors);
    }

    private void WriteModel(string weight, string manifest, string listedAs, string? parent = null, string? extraFile = null)
    {
        string full = Path.Combine(_project, weight);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, new byte[] { 8, 1, 18, 0 });
        string files = $$"""{ "path": "{{listedAs}}", "sha256": "{{Weights}}", "size": 4, "role": "model" }"""
            + (extraFile is null ? string.Empty : $$""", { "path": "{{extraFile}}", "sha256": "{{Weights}}", "size": 4, "role": "tokenizer" }""");
        string lineage = parent is null ? "\"derivation\": \"from-scratch\"" : $$"""
            "derivation": "finetune", "parents": [ { "name": "base", "relation": "finetune", "manifest": { "path": "{{parent}}", "sha256": "{{Weights}}" } } ]
            """;
        File.WriteAllText(Path.Combine(_project, manifest), $$"""
            {
              "manifestVersion": "1.0",
              "model": { "name": "embed" },
              "weights": { "format": "onnx", "files": [ {{files}} ] },
              "lineage": { {{lineage}} }
            }
            """);
    }

    private ITaskItem Packed(string path, string packagePath)
    {
        var item = new TaskItem(path.Replace('/', Path.DirectorySeparatorChar));
        item.SetMetadata("PackagePath", packagePath);
        item.SetMetadata("BuildAction", "None");
        return item;
    }

    private (FakeBuildEngine Engine, ITaskItem[] Added) Pack(params ITaskItem[] packed)
    {
        var engine = new FakeBuildEngine();
        var manifests = Directory.GetFiles(_project, "*.lineage.json", SearchOption.AllDirectories)
            .Where(m => !m.Contains(Path.DirectorySeparatorChar + "parents" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Select(m => (ITaskItem)new TaskItem(m)).ToArray();
        var task = new PackLineage
        {
            BuildEngine = engine,
            PackageFiles = packed,
            Manifests = manifests,
            ProjectDirectory = _project,
            ProjectFile = Path.Combine(_project, "lib.csproj"),
            LoadersFile = Path.Combine(_project, "OpenTrainLoaders.txt"),
        };
        task.Execute();
        return (engine, task.AddedPackageFiles);
    }
}
