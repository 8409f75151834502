using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace OpenTrainAnalyzers.Build.Tests;

/// <summary>
/// The licence policy through the task with a fake build engine: each denied licence is one OTL0700, located in the
/// manifest that declares it (the app's, a parent's two levels up, a vendored one, a packaged one), with the chain.
/// The manifests are small on purpose: only OTL07xx findings are asserted, the level's findings are compared whole.
/// </summary>
public sealed class LicensePolicyTaskTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opentrain-policy-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_non_commercial_dataset_in_the_apps_own_model_is_one_error_at_its_licence()
    {
        string app = Write("app.lineage.json", Manifest("aurora-1b-instruct", "Apache-2.0", "from-scratch", dataset: ("web-crawl-nc", "CC-BY-NC-4.0")));

        var engine = Run(new[] { app }, denied: "non-commercial");

        var error = Assert.Single(engine.Errors, e => e.Code == "OTL0700");
        Assert.Equal(app, error.File);
        Assert.Equal(LineOf(app, "CC-BY-NC-4.0"), error.LineNumber);
        Assert.Contains("'CC-BY-NC-4.0' is source-available, non-commercial and denied by OpenTrainDeniedLicenses 'non-commercial'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Lineage: aurora-1b-instruct (from-scratch) → dataset 'web-crawl-nc'.", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("docs/rules/OTL0700.md", error.HelpLink, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dataset_two_parents_up_is_reported_in_the_grandparents_manifest_with_the_whole_chain()
    {
        string grandparent = Write("lineage/aurora-1b.lineage.json", Manifest("aurora-1b", "Apache-2.0", "from-scratch", dataset: ("web-crawl-nc", "CC-BY-NC-4.0")));
        string parent = Write("lineage/aurora-1b-instruct.lineage.json", Manifest("aurora-1b-instruct", "Apache-2.0", "finetune", dataset: ("chat-sft", "CC-BY-4.0"), parent: ("aurora-1b", "aurora-1b.lineage.json", grandparent)));
        string app = Write("app.lineage.json", Manifest("aurora-q4", "Apache-2.0", "quantized", parent: ("aurora-1b-instruct", "lineage/aurora-1b-instruct.lineage.json", parent)));

        var engine = Run(new[] { app }, denied: "non-commercial");

        var error = Assert.Single(engine.Errors, e => e.Code == "OTL0700");
        Assert.Equal(grandparent, error.File);
        Assert.Equal(LineOf(grandparent, "CC-BY-NC-4.0"), error.LineNumber);
        Assert.Contains("Lineage: aurora-q4 (quantized) → aurora-1b-instruct (finetune) → aurora-1b (from-scratch) → dataset 'web-crawl-nc'.", error.Message, StringComparison.Ordinal);
        Assert.Contains("[$.training.data.datasets[0].license]", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("app.lineage.json")]   // the app's manifest is checked before the vendored one
    [InlineData("z-app.lineage.json")] // and after it: the finding keeps the longer chain either way
    public void A_vendored_parent_that_is_also_a_project_manifest_is_reported_once_with_the_chain_from_the_app(string appName)
    {
        string parent = Write("lineage/base.lineage.json", Manifest("base-7b", "Apache-2.0", "from-scratch", dataset: ("books-nc", "CC-BY-NC-SA-4.0")));
        string app = Write(appName, Manifest("chat-7b", "Apache-2.0", "finetune", parent: ("base-7b", "lineage/base.lineage.json", parent)));

        // Both are items, as the default glob makes them.
        var engine = Run(new[] { parent, app }, denied: "non-commercial");

        var error = Assert.Single(engine.Errors, e => e.Code == "OTL0700");
        Assert.Equal(parent, error.File);
        Assert.Contains("Lineage: chat-7b (finetune) → base-7b (from-scratch) → dataset 'books-nc'.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Allowlist_mode_denies_what_is_not_on_the_list_and_names_the_list()
    {
        string app = Write("app.lineage.json", Manifest("m", "Apache-2.0", "from-scratch", dataset: ("wiki", "CC-BY-SA-4.0")));

        var allowed = Run(new[] { app }, allowed: "permissive;public-domain;copyleft-limited");
        var denied = Run(new[] { app }, allowed: "permissive;public-domain");

        Assert.DoesNotContain(allowed.Errors, e => e.Code == "OTL0700");
        var error = Assert.Single(denied.Errors, e => e.Code == "OTL0700");
        Assert.Equal(LineOf(app, "CC-BY-SA-4.0"), error.LineNumber);
        Assert.Contains("'CC-BY-SA-4.0' is copyleft-limited and denied by OpenTrainAllowedLicenses (it is not on the list)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_or_B_is_allowed_when_one_branch_is_and_A_and_B_is_denied_naming_the_offending_part()
    {
        string either = Write("either/app.lineage.json", Manifest("m", "Apache-2.0", "from-scratch", dataset: ("d", "MIT OR CC-BY-NC-4.0")));
        string both = Write("both/app.lineage.json", Manifest("m", "Apache-2.0", "from-scratch", dataset: ("d", "MIT AND CC-BY-NC-4.0")));

        Assert.DoesNotContain(Run(new[] { either }, denied: "non-commercial").Errors, e => e.Code == "OTL0700");
        var error = Assert.Single(Run(new[] { both }, denied: "non-commercial").Errors, e => e.Code == "OTL0700");
        Assert.Contains("licence 'MIT AND CC-BY-NC-4.0': 'CC-BY-NC-4.0' is", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'MIT' is", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_licences_are_denied_and_a_missing_one_names_the_field_to_fill_in()
    {
        string app = Write("app.lineage.json", Manifest("m", "NOASSERTION", "from-scratch", dataset: ("scraped", null)));

        var engine = Run(new[] { app }, denied: "unknown");

        var errors = engine.Errors.Where(e => e.Code == "OTL0700").ToList();
        Assert.Equal(2, errors.Count);
        var noAssertion = Assert.Single(errors, e => e.Message!.Contains("licence 'NOASSERTION': 'NOASSERTION' is unknown", StringComparison.Ordinal));
        Assert.Contains("The policy cannot classify it: write the licence in $.model.license as an SPDX id", noAssertion.Message, StringComparison.Ordinal);
        var missing = Assert.Single(errors, e => e.Message!.Contains("has no licence", StringComparison.Ordinal));
        Assert.Contains("fill in $.training.data.datasets[0].license", missing.Message, StringComparison.Ordinal);
        // An absent field is located at the object that should hold it: the dataset, whose '{' is the line before its id.
        Assert.Equal(LineOf(app, "\"scraped\"") - 1, missing.LineNumber);
    }

    [Fact]
    public void A_llama_licensed_quantization_is_denied_as_proprietary_free_in_both_manifests()
    {
        // ScanCode classifies every Llama licence as proprietary-free (not free-restricted): the test holds the data to that.
        string parent = Write("lineage/llama.lineage.json", Manifest("Llama-3.1-8B-Instruct", "LicenseRef-llama3.1", "finetune"));
        string app = Write("app.lineage.json", Manifest("llama-q4", "LicenseRef-llama3.1", "quantized", parent: ("Llama-3.1-8B-Instruct", "lineage/llama.lineage.json", parent)));

        var proprietaryFree = Run(new[] { app }, denied: "free-restricted;proprietary-free");
        var freeRestrictedOnly = Run(new[] { app }, denied: "free-restricted");

        var errors = proprietaryFree.Errors.Where(e => e.Code == "OTL0700").ToList();
        Assert.Equal(new[] { app, parent }, errors.Select(e => e.File).Order(StringComparer.Ordinal).ToArray());
        Assert.All(errors, e => Assert.Contains("'LicenseRef-llama3.1' is proprietary-free and denied by OpenTrainDeniedLicenses 'proprietary-free'", e.Message, StringComparison.Ordinal));
        Assert.Contains("The model has licence 'LicenseRef-llama3.1'", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("Lineage: llama-q4 (quantized).", Assert.Single(errors, e => e.File == app).Message, StringComparison.Ordinal);
        Assert.Contains("Lineage: llama-q4 (quantized) → Llama-3.1-8B-Instruct (finetune).", Assert.Single(errors, e => e.File == parent).Message, StringComparison.Ordinal);
        Assert.DoesNotContain(freeRestrictedOnly.Errors, e => e.Code == "OTL0700");
    }

    [Fact]
    public void A_justified_suppression_for_the_parents_element_hides_the_error_and_the_reports_keep_it()
    {
        string parent = Write("lineage/base.lineage.json", Manifest("base", "Apache-2.0", "from-scratch", dataset: ("nc", "CC-BY-NC-4.0")));
        string app = Write("app.lineage.json", Manifest("app", "Apache-2.0", "finetune", parent: ("base", "lineage/base.lineage.json", parent)));
        var suppression = new TaskItem("OTL0700", new Dictionary<string, string>
        {
            ["Manifest"] = "lineage/base.lineage.json",
            ["Element"] = "$.training.data.datasets[0].license",
            ["Justification"] = "Legal review LR-1: evaluation-only use.",
        });
        string report = Path.Combine(_directory, "obj", "lineage.json");

        var engine = Run(new ITaskItem[] { new TaskItem(app) }, denied: "non-commercial", suppressions: new ITaskItem[] { suppression }, jsonReport: report);

        Assert.DoesNotContain(engine.Errors, e => e.Code == "OTL0700");
        Assert.DoesNotContain(engine.Warnings, w => w.Code == "OTL0602");
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var finding = Assert.Single(json.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("id").GetString() == "OTL0700");
        Assert.True(finding.GetProperty("suppressed").GetBoolean());
        var decisions = json.RootElement.GetProperty("models")[0].GetProperty("licenseDecisions").EnumerateArray().ToList();
        Assert.Equal(new[] { "allowed", "allowed", "denied" }, decisions.Select(d => d.GetProperty("decision").GetString()));
        Assert.Equal("CC-BY-NC-4.0", decisions[2].GetProperty("license").GetString());
        Assert.Equal("non-commercial", decisions[2].GetProperty("denied")[0].GetProperty("categories").GetString()!.Split(',').Last());
    }

    [Fact]
    public void The_cyclonedx_export_carries_the_policy_verdict_and_nothing_without_a_policy()
    {
        string parent = Write("lineage/base.lineage.json", Manifest("base", "Apache-2.0", "from-scratch", dataset: ("nc", "CC-BY-NC-4.0")));
        string app = Write("app.lineage.json", Manifest("app", "Apache-2.0", "finetune", parent: ("base", "lineage/base.lineage.json", parent)));
        string with = Path.Combine(_directory, "with.cdx.json");
        string without = Path.Combine(_directory, "without.cdx.json");

        Export(app, "non-commercial", with);
        Export(app, null, without);

        Assert.DoesNotContain("opentrain:policy", File.ReadAllText(without), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(with));
        var properties = json.RootElement.GetProperty("components").EnumerateArray()
            .Where(c => c.GetProperty("name").GetString() == "app")
            .SelectMany(c => c.GetProperty("properties").EnumerateArray())
            .Select(p => (Name: p.GetProperty("name").GetString(), Value: p.GetProperty("value").GetString()))
            .ToList();
        Assert.Equal("denied; 1 of 3 licence(s) judged denied", Assert.Single(properties, p => p.Name == "opentrain:policy").Value);
        var denied = Assert.Single(properties, p => p.Name == "opentrain:policy:denied").Value!;
        Assert.StartsWith("CC-BY-NC-4.0 at $.training.data.datasets[0].license: CC-BY-NC-4.0 (source-available, non-commercial) by OpenTrainDeniedLicenses 'non-commercial'; lineage app (finetune) → base (from-scratch) → dataset 'nc'", denied, StringComparison.Ordinal);
        Assert.DoesNotContain(_directory, denied, StringComparison.Ordinal);
    }

    [Fact]
    public void The_spdx_export_carries_the_policy_verdict_as_a_review_of_the_model_and_stays_valid()
    {
        string parent = Write("lineage/base.lineage.json", Manifest("base", "Apache-2.0", "from-scratch", dataset: ("nc", "CC-BY-NC-4.0")));
        string app = Write("app.lineage.json", Manifest("app", "Apache-2.0", "finetune", parent: ("base", "lineage/base.lineage.json", parent)));
        string with = Path.Combine(_directory, "with.spdx.json");
        string without = Path.Combine(_directory, "without.spdx.json");

        Export(app, "non-commercial", with);
        Export(app, null, without);

        Assert.DoesNotContain("\"Annotation\"", File.ReadAllText(without), StringComparison.Ordinal);
        string text = File.ReadAllText(with);
        using var json = JsonDocument.Parse(text);
        var graph = json.RootElement.GetProperty("@graph").EnumerateArray().ToList();
        var review = Assert.Single(graph, e => e.GetProperty("type").GetString() == "Annotation");
        Assert.Equal("review", review.GetProperty("annotationType").GetString());
        var model = Assert.Single(graph, e => e.GetProperty("type").GetString() == "ai_AIPackage" && e.GetProperty("name").GetString() == "app");
        Assert.Equal(model.GetProperty("spdxId").GetString(), review.GetProperty("subject").GetString());
        string statement = review.GetProperty("statement").GetString()!;
        Assert.StartsWith("OpenTrainAnalyzers licence policy: denied; 1 of 3 licence(s) judged denied\ndenied CC-BY-NC-4.0 at $.training.data.datasets[0].license", statement, StringComparison.Ordinal);
        if (ExportTests.SpdxSchema.Value is { } schema)
        {
            ExportTests.AssertValid(schema, text);
        }
    }

    /// <summary>One export of the manifest, CycloneDX unless the path ends in .spdx.json.</summary>
    private void Export(string manifest, string? denied, string path)
    {
        bool spdx = path.EndsWith(".spdx.json", StringComparison.Ordinal);
        new ValidateTrainingLineage
        {
            BuildEngine = new FakeBuildEngine(),
            Manifests = new ITaskItem[] { new TaskItem(manifest) },
            ProjectFile = Path.Combine(_directory, "app.csproj"),
            VerifyDigests = false,
            DeniedLicenses = denied,
            Export = spdx ? "spdx" : "cyclonedx",
            CycloneDxExport = spdx ? null : path,
            SpdxExport = spdx ? path : null,
            SourceDateEpoch = "1767225600",
            ToolVersionOverride = "test",
        }.Execute();
    }

    [Fact]
    public void A_packaged_manifest_names_its_package()
    {
        string packaged = Write("pkg/models/m.lineage.json", Manifest("packaged-model", "Apache-2.0", "from-scratch", dataset: ("nc", "CC-BY-NC-4.0")));
        var item = new TaskItem(packaged, new Dictionary<string, string> { ["OpenTrainPackageId"] = "Contoso.Models", ["OpenTrainPackageVersion"] = "1.2.0", ["OpenTrainPackageFile"] = "models/m.lineage.json" });

        var engine = Run(new ITaskItem[] { item }, denied: "non-commercial");

        var error = Assert.Single(engine.Errors, e => e.Code == "OTL0700");
        Assert.Equal(packaged, error.File);
        Assert.EndsWith("(from package Contoso.Models 1.2.0)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_policy_that_denies_nothing_here_changes_no_finding_and_no_report_line()
    {
        string parent = Write("lineage/base.lineage.json", Manifest("base", "MIT", "from-scratch", dataset: ("d", "CC-BY-4.0")));
        string app = Write("app.lineage.json", Manifest("app", "Apache-2.0", "finetune", parent: ("base", "lineage/base.lineage.json", parent)));

        var without = Run(new[] { app, parent });
        var with = Run(new[] { app, parent }, denied: "non-commercial;commercial;GPL-3.0-only", scope: "weights;training-data;code;documentation;evaluation-data");

        Assert.NotEmpty(without.Errors); // the small manifests miss much of 'declared': the comparison is not vacuous
        Assert.Equal(Describe(without), Describe(with));
    }

    [Fact]
    public void Misspelt_policy_entries_and_scopes_are_otl0701_at_the_project_file()
    {
        string app = Write("app.lineage.json", Manifest("m", "Apache-2.0", "from-scratch"));

        var engine = Run(new[] { app }, denied: "non-comercial", scope: "weight");

        var errors = engine.Errors.Where(e => e.Code == "OTL0701").ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal(Path.Combine(_directory, "app.csproj"), e.File));
        Assert.Contains(errors, e => e.Message!.Contains("'non-comercial'", StringComparison.Ordinal));
    }

    private static string Describe(FakeBuildEngine engine) => string.Join("\n",
        engine.Errors.Select(e => $"E {e.Code} {e.File}({e.LineNumber},{e.ColumnNumber}) {e.Message}")
            .Concat(engine.Warnings.Select(w => $"W {w.Code} {w.File}({w.LineNumber},{w.ColumnNumber}) {w.Message}")));

    private FakeBuildEngine Run(IEnumerable<string> manifests, string? denied = null, string? allowed = null, string? scope = null) =>
        Run(manifests.Select(m => (ITaskItem)new TaskItem(m)).ToArray(), denied, allowed, scope);

    private FakeBuildEngine Run(ITaskItem[] manifests, string? denied = null, string? allowed = null, string? scope = null, ITaskItem[]? suppressions = null, string? jsonReport = null)
    {
        var engine = new FakeBuildEngine();
        new ValidateTrainingLineage
        {
            BuildEngine = engine,
            Manifests = manifests,
            ProjectFile = Path.Combine(_directory, "app.csproj"),
            VerifyDigests = false,
            DeniedLicenses = denied,
            AllowedLicenses = allowed,
            LicenseScope = scope,
            Suppressions = suppressions ?? Array.Empty<ITaskItem>(),
            JsonReport = jsonReport,
        }.Execute();
        return engine;
    }

    private string Write(string relative, string text)
    {
        string path = Path.Combine(_directory, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static int LineOf(string path, string text) =>
        File.ReadAllLines(path).Select((line, index) => (line, index)).First(x => x.line.Contains(text, StringComparison.Ordinal)).index + 1;

    /// <summary>A small manifest: the model, its derivation and parent (pinned by SHA-256), one training dataset.</summary>
    private static string Manifest(string name, string? license, string derivation, (string Id, string? License)? dataset = null, (string Name, string Path, string File)? parent = null)
    {
        var lines = new List<string>
        {
            "{",
            "  \"manifestVersion\": \"1.0\",",
            $"  \"model\": {{ \"name\": \"{name}\"{(license is null ? string.Empty : $", \"license\": \"{license}\"")} }},",
        };
        if (parent is { } p)
        {
            string sha = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p.File))).ToLowerInvariant();
            lines.Add("  \"lineage\": {");
            lines.Add($"    \"derivation\": \"{derivation}\",");
            lines.Add($"    \"parents\": [ {{ \"name\": \"{p.Name}\", \"relation\": \"{derivation}\", \"manifest\": {{ \"path\": \"{p.Path}\", \"sha256\": \"{sha}\" }} }} ]");
            lines.Add("  },");
        }
        else
        {
            lines.Add($"  \"lineage\": {{ \"derivation\": \"{derivation}\" }},");
        }

        if (dataset is { } d)
        {
            lines.Add("  \"training\": {");
            lines.Add("    \"data\": {");
            lines.Add("      \"availability\": \"restricted\",");
            lines.Add("      \"datasets\": [");
            lines.Add("        {");
            lines.Add($"          \"id\": \"{d.Id}\",");
            lines.Add(d.License is null ? "          \"availability\": \"closed\"" : "          \"availability\": \"open\",");
            if (d.License is not null)
            {
                lines.Add($"          \"license\": \"{d.License}\"");
            }

            lines.Add("        }");
            lines.Add("      ]");
            lines.Add("    }");
            lines.Add("  }");
        }
        else
        {
            lines.Add("  \"training\": { \"data\": { \"availability\": \"not-applicable\", \"justification\": \"No training data of its own.\" } }");
        }

        lines.Add("}");
        return string.Join("\n", lines) + "\n";
    }
}
