using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using OpenTrain.Lineage;
using OpenTrainAnalyzers.Build.Scaffold;

namespace OpenTrainAnalyzers.Build.Tests;

/// <summary>
/// The scaffold command on Hugging Face folders as the Hub serves them (Fixtures/hub, written by
/// build/validate/make-hub-fixtures.mjs with @huggingface/gguf): what it fills in, from where, what it leaves to the
/// user, and that it never overwrites or crashes on a hostile card.
/// </summary>
public sealed class ScaffoldTests : IDisposable
{
    private static readonly string RepoRoot = typeof(ScaffoldTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
    private static readonly string Hub = Path.Combine(RepoRoot, "tests", "OpenTrainAnalyzers.Build.Tests", "Fixtures", "hub");

    private readonly string _project = Directory.CreateTempSubdirectory("opentrain-scaffold-").FullName;

    public void Dispose() => Directory.Delete(_project, recursive: true);

    [Fact]
    public void A_quantized_gguf_folder_gives_digests_parents_and_licence_from_the_card_and_the_header()
    {
        string folder = CopyFixture("tiny-chat-1b-instruct-GGUF");
        var engine = Scaffold("models/tiny-chat-1b-instruct-GGUF");

        Assert.Empty(engine.Errors);
        Assert.Empty(engine.Warnings);
        string manifest = Path.Combine(_project, "models", "tiny-chat-1b-instruct-GGUF.lineage.json");
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        string gguf = Path.Combine(folder, "tiny-chat-1b-instruct-Q4_K_M.gguf");

        var file = Assert.Single(json["weights"]!["files"]!.AsArray())!;
        Assert.Equal("tiny-chat-1b-instruct-GGUF/tiny-chat-1b-instruct-Q4_K_M.gguf", (string)file["path"]!);
        Assert.Equal(Sha256(gguf), (string)file["sha256"]!);
        Assert.Equal(new FileInfo(gguf).Length, (long)file["size"]!);
        Assert.Equal("gguf", (string)json["weights"]!["format"]!);
        Assert.Equal("q4_k_m", (string)json["weights"]!["precision"]!);
        Assert.Equal("Q4_K_M", (string)json["weights"]!["conversion"]!["settings"]!["quantization"]!);
        Assert.Equal("Apache-2.0", (string)json["model"]!["license"]!);
        Assert.Equal("text-generation", (string)json["model"]!["task"]!);
        Assert.Equal("Example Quants", (string)json["model"]!["producer"]!["name"]!);
        Assert.Equal("quantized", (string)json["lineage"]!["derivation"]!);
        var parent = Assert.Single(json["lineage"]!["parents"]!.AsArray())!; // card and header name the same base: one parent
        Assert.Equal("acme/tiny-chat-1b-instruct", (string)parent["name"]!);
        Assert.Equal("quantized", (string)parent["relation"]!);
        Assert.Equal("acme/tiny-chat-1b-instruct", (string)parent["identifiers"]!["huggingface"]!);
        Assert.Null(json["training"]!["data"]!["datasets"]); // a quantization trains on none: the card's datasets are the parent's

        // Each value is traced to its source in what the command prints.
        string printed = string.Join("\n", engine.Messages.Select(m => m.Message));
        Assert.Contains("$.model.license = Apache-2.0  <- tiny-chat-1b-instruct-GGUF/README.md license: apache-2.0 (line 4; Hub id 'apache-2.0' is SPDX 'Apache-2.0')", printed, StringComparison.Ordinal);
        Assert.Contains("$.lineage.parents[0] = acme/tiny-chat-1b-instruct (quantized)  <- tiny-chat-1b-instruct-GGUF/README.md base_model (line 2)", printed, StringComparison.Ordinal);
        Assert.Contains("$.weights.precision = q4_k_m  <- the header of tiny-chat-1b-instruct-GGUF/tiny-chat-1b-instruct-Q4_K_M.gguf general.file_type 15", printed, StringComparison.Ordinal);
        Assert.Contains("the card names datasets (HuggingFaceH4/ultrachat_200k)", printed, StringComparison.Ordinal);
    }

    [Fact]
    public void What_the_sources_do_not_establish_is_reported_by_the_gate_once_each_and_located()
    {
        CopyFixture("tiny-chat-1b-instruct-GGUF");
        Scaffold("models/tiny-chat-1b-instruct-GGUF");
        string manifest = Path.Combine(_project, "models", "tiny-chat-1b-instruct-GGUF.lineage.json");

        var gate = Gate(manifest);

        Assert.NotEmpty(gate.Errors);
        Assert.All(gate.Errors, e => Assert.True(e.File == manifest && e.LineNumber > 0, $"{e.Code} not located in the manifest: {e.File}({e.LineNumber})"));
        var duplicates = gate.Errors.GroupBy(e => (e.Code, e.LineNumber, e.ColumnNumber)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicates);
        Assert.DoesNotContain(gate.Errors, e => e.Code is "OTL0200" or "OTL0201" or "OTL0202" or "OTL0206"); // digests and sizes are right
        Assert.DoesNotContain(gate.Warnings, w => w.Code is "OTL0208" or "OTL0209"); // the header agrees with what was taken from it
        Assert.Contains(gate.Errors, e => e.Code == "OTL0302" && e.Message!.Contains("$.model.version", StringComparison.Ordinal));
        Assert.Contains(gate.Errors, e => e.Code == "OTL0501"); // the parent's manifest: left to the user
    }

    [Fact]
    public void A_fine_tune_folder_gives_datasets_metrics_architecture_and_configuration()
    {
        CopyFixture("sentiment-distilbert-sst2");
        var engine = Scaffold("models/sentiment-distilbert-sst2");

        Assert.Empty(engine.Errors);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_project, "models", "sentiment-distilbert-sst2.lineage.json")))!;
        var files = json["weights"]!["files"]!.AsArray().Select(f => ((string)f!["path"]!, (string)f["role"]!)).ToList();
        Assert.Equal(new[]
        {
            ("sentiment-distilbert-sst2/config.json", "config"),
            ("sentiment-distilbert-sst2/model.safetensors", "model"),
            ("sentiment-distilbert-sst2/tokenizer.json", "tokenizer"),
            ("sentiment-distilbert-sst2/vocab.txt", "vocabulary"),
        }, files);
        Assert.Equal("safetensors", (string)json["weights"]!["format"]!);
        Assert.Equal("f32", (string)json["weights"]!["precision"]!);
        Assert.Equal(128 * 64 + 64 * 64 + 2 * 64 + 2, (long)json["weights"]!["parameterCount"]!);
        Assert.Equal("sentiment-distilbert-sst2", (string)json["model"]!["name"]!);
        Assert.Equal("finetune", (string)json["lineage"]!["derivation"]!);
        Assert.Equal("distilbert/distilbert-base-uncased", (string)json["lineage"]!["parents"]![0]!["name"]!);

        var dataset = Assert.Single(json["training"]!["data"]!["datasets"]!.AsArray())!;
        Assert.Equal("sst2", (string)dataset["id"]!);
        Assert.Equal("https://huggingface.co/datasets/stanfordnlp/sst2", (string)dataset["locations"]![0]!["url"]!);
        Assert.Null(dataset["availability"]); // never guessed

        var metrics = json["training"]!["evaluation"]!["metrics"]!.AsArray();
        Assert.Equal(new[] { ("accuracy", 0.9106), ("f1", 0.9123) }, metrics.Select(m => ((string)m!["metric"]!, (double)m["value"]!)));
        Assert.All(metrics, m => Assert.Equal(("sst2", "validation"), ((string)m!["dataset"]!, (string)m["split"]!)));
        Assert.Equal("sst2", (string)json["training"]!["evaluation"]!["datasets"]![0]!["ref"]!);
        Assert.Contains(engine.Messages, m => m.Message!.Contains("loss on stanfordnlp/sst2", StringComparison.Ordinal) && m.Message.Contains("no numeric value", StringComparison.Ordinal));

        var configuration = json["training"]!["configuration"]!;
        Assert.Equal("distilbert", (string)configuration["architecture"]!["family"]!);
        Assert.Equal("DistilBertForSequenceClassification", (string)configuration["architecture"]!["name"]!);
        Assert.Equal("sentiment-distilbert-sst2/config.json", (string)configuration["architecture"]!["definition"]!["path"]!);
        Assert.Equal(64, (int)configuration["hyperparameters"]!["values"]!["dim"]!);
        Assert.Equal(0.1, (double)configuration["hyperparameters"]!["values"]!["dropout"]!);
        Assert.Null(configuration["hyperparameters"]!["values"]!["model_type"]);

        var card = json["documentation"]!["modelCard"]!["locations"]![0]!;
        Assert.Equal("sentiment-distilbert-sst2/README.md", (string)card["path"]!);
        Assert.Equal(Sha256(Path.Combine(_project, "models", "sentiment-distilbert-sst2", "README.md")), (string)card["digest"]!["sha256"]!);

        // The written manifest reads back without a format problem, and the gate finds what is missing, not what is malformed.
        var gate = Gate(Path.Combine(_project, "models", "sentiment-distilbert-sst2.lineage.json"));
        Assert.DoesNotContain(gate.Errors.Concat<BuildEventArgs>(gate.Warnings), e => e is BuildErrorEventArgs { Code: "OTL0100" or "OTL0101" or "OTL0104" or "OTL0309" } or BuildWarningEventArgs { Code: "OTL0104" });
    }

    [Fact]
    public void Running_the_command_twice_never_overwrites()
    {
        CopyFixture("tiny-chat-1b-instruct-GGUF");
        Scaffold("models/tiny-chat-1b-instruct-GGUF");
        string manifest = Path.Combine(_project, "models", "tiny-chat-1b-instruct-GGUF.lineage.json");
        File.AppendAllText(manifest, "\n"); // the user's edit
        byte[] before = File.ReadAllBytes(manifest);

        var second = Scaffold("models/tiny-chat-1b-instruct-GGUF");

        var error = Assert.Single(second.Errors);
        Assert.Equal("OTL0014", error.Code);
        Assert.Equal(manifest, error.File);
        Assert.Equal(before, File.ReadAllBytes(manifest));
    }

    [Fact]
    public void A_single_weight_file_gets_a_manifest_beside_it_and_still_reads_its_card()
    {
        CopyFixture("tiny-chat-1b-instruct-GGUF");
        var engine = Scaffold("models/tiny-chat-1b-instruct-GGUF/tiny-chat-1b-instruct-Q4_K_M.gguf");

        Assert.Empty(engine.Errors);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_project, "models", "tiny-chat-1b-instruct-GGUF", "tiny-chat-1b-instruct-Q4_K_M.lineage.json")))!;
        Assert.Equal("tiny-chat-1b-instruct-Q4_K_M.gguf", (string)json["weights"]!["files"]![0]!["path"]!);
        Assert.Equal("Apache-2.0", (string)json["model"]!["license"]!);
        Assert.Equal("README.md", (string)json["documentation"]!["modelCard"]!["locations"]![0]!["path"]!);
    }

    [Fact]
    public void Weights_under_a_neutral_name_are_recognised_by_their_first_bytes()
    {
        string folder = Path.Combine(_project, "models", "neutral");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(Hub, "tiny-chat-1b-instruct-GGUF", "tiny-chat-1b-instruct-Q4_K_M.gguf"), Path.Combine(folder, "model.bin"));
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not a model");

        var engine = Scaffold("models/neutral");

        Assert.Empty(engine.Errors);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_project, "models", "neutral.lineage.json")))!;
        Assert.Equal("neutral/model.bin", (string)Assert.Single(json["weights"]!["files"]!.AsArray())!["path"]!);
        Assert.Equal("gguf", (string)json["weights"]!["format"]!);
        Assert.Equal("Tiny Chat 1B Instruct", (string)json["model"]!["name"]!); // general.name: no card here
        Assert.Equal("Apache-2.0", (string)json["model"]!["license"]!); // general.license
        Assert.Equal("quantized", (string)json["lineage"]!["derivation"]!); // a quantized file type with a base model
        Assert.Contains(engine.Messages, m => m.Message!.Contains("recognised by its first bytes (GGUF)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "Say which model")]
    [InlineData("models/absent.gguf", "does not exist")]
    [InlineData("models/empty", "holds no model weights")]
    public void A_path_that_is_not_a_model_is_OTL0015_and_nothing_is_written(string path, string expected)
    {
        Directory.CreateDirectory(Path.Combine(_project, "models", "empty"));
        File.WriteAllText(Path.Combine(_project, "models", "empty", "README.md"), "# nothing here\n");

        var engine = Scaffold(path);

        var error = Assert.Single(engine.Errors);
        Assert.Equal("OTL0015", error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_project, "*.lineage.json", SearchOption.AllDirectories));
    }

    [SkippableFact]
    public void A_fifo_is_never_opened()
    {
        Skip.If(OperatingSystem.IsWindows(), "FIFOs are a Unix file type.");
        Directory.CreateDirectory(Path.Combine(_project, "models"));
        string fifo = Path.Combine(_project, "models", "model.gguf");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo)) { mkfifo.WaitForExit(); }

        var engine = Scaffold("models/model.gguf");

        Assert.Equal("OTL0015", Assert.Single(engine.Errors).Code);
    }

    [Theory]
    [InlineData("license: [apache-2.0\n", 3, "not valid YAML")] // YamlDotNet notices at the end of the front matter
    [InlineData("license: apache-2.0\n", 0, "no closing '---'")]
    [InlineData("- just\n- a list\n", 2, "not a mapping")]
    public void A_broken_card_is_OTL0016_located_in_the_card_and_the_rest_is_still_scaffolded(string frontMatter, int line, string expected)
    {
        string folder = CopyFixture("tiny-chat-1b-instruct-GGUF");
        bool closed = !expected.Contains("closing", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(folder, "README.md"), "---\n" + frontMatter + (closed ? "---\n" : string.Empty) + "# card\n");

        var engine = Scaffold("models/tiny-chat-1b-instruct-GGUF");

        Assert.Empty(engine.Errors);
        var warning = Assert.Single(engine.Warnings);
        Assert.Equal("OTL0016", warning.Code);
        Assert.EndsWith("README.md", warning.File, StringComparison.Ordinal);
        Assert.Contains(expected, warning.Message, StringComparison.Ordinal);
        if (line > 0)
        {
            Assert.Equal(line, warning.LineNumber);
        }

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_project, "models", "tiny-chat-1b-instruct-GGUF.lineage.json")))!;
        Assert.Equal("Apache-2.0", (string)json["model"]!["license"]!); // from the header, since the card said nothing usable
    }

    [Fact]
    public void Hostile_yaml_hits_a_limit_not_the_stack_or_the_heap()
    {
        var problems = new List<SourceProblem>();
        Assert.Null(ModelCard.Parse("README.md", new string('[', 200_000) + new string(']', 200_000), 1, problems));
        Assert.Contains("deeper than 32", Assert.Single(problems).Message, StringComparison.Ordinal);

        // Billion laughs: aliases are never expanded, so nine levels of ten references stay ~100 nodes.
        var laughs = new System.Text.StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++)
        {
            laughs.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        }

        problems.Clear();
        var root = ModelCard.Parse("README.md", laughs.ToString(), 1, problems);
        Assert.Empty(problems);
        Assert.Equal(10, root!.Mapping!.Count);

        problems.Clear();
        string wide = "tags: [" + string.Join(", ", Enumerable.Range(0, 150_000).Select(i => "t" + i)) + "]\n";
        Assert.Null(ModelCard.Parse("README.md", wide, 1, problems));
        Assert.Contains("more than 100,000 values", Assert.Single(problems).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sentiment-distilbert-sst2")]
    [InlineData("tiny-chat-1b-instruct-GGUF")]
    public void Every_truncation_and_thousands_of_mutations_of_a_real_card_give_a_tree_or_a_problem_never_an_exception(string fixture)
    {
        string card = File.ReadAllText(Path.Combine(Hub, fixture, "README.md"));
        string yaml = card.Split("---")[1];
        const string Specials = ":-[]{},&*!|>'\"%@`#?\n\t ";
        var random = new Random(20261204);
        var inputs = Enumerable.Range(0, yaml.Length + 1).Select(n => yaml[..n]).ToList();
        for (int i = 0; i < 3000; i++)
        {
            var chars = yaml.ToCharArray().ToList();
            for (int edits = random.Next(1, 4); edits > 0 && chars.Count > 0; edits--)
            {
                int at = random.Next(chars.Count);
                switch (random.Next(3))
                {
                    case 0: chars[at] = Specials[random.Next(Specials.Length)]; break;
                    case 1: chars.Insert(at, Specials[random.Next(Specials.Length)]); break;
                    default: chars.RemoveAt(at); break;
                }
            }

            inputs.Add(new string(chars.ToArray()));
        }

        int trees = 0;
        foreach (var input in inputs)
        {
            var problems = new List<SourceProblem>();
            var root = ModelCard.Parse("README.md", input, 1, problems); // must not throw
            Assert.True(root is not null || problems.Count == 1, input);
            Assert.All(problems, p => Assert.True(p.Line >= 1, p.Message));
            trees += root is null ? 0 : 1;
        }

        Assert.InRange(trees, inputs.Count / 10, inputs.Count); // most inputs still parse: the mutations are not all rejected up front
    }

    [Fact]
    public void A_snapshot_of_the_hugging_face_cache_names_the_repository_and_its_revision()
    {
        string revision = new string('a', 20) + new string('0', 20);
        string snapshot = Path.Combine(_project, "hf", "models--acme--tiny-chat-1b-instruct-GGUF", "snapshots", revision);
        CopyDirectory(Path.Combine(Hub, "tiny-chat-1b-instruct-GGUF"), snapshot);

        var engine = Scaffold(snapshot);

        Assert.Empty(engine.Errors);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(snapshot)!, revision + ".lineage.json")))!;
        Assert.Equal("acme/tiny-chat-1b-instruct-GGUF", (string)json["model"]!["identifiers"]!["huggingface"]!);
        Assert.Equal(revision, (string)json["model"]!["identifiers"]!["huggingfaceRevision"]!);
    }

    [Theory]
    [InlineData("apache-2.0", null, "Apache-2.0")]
    [InlineData("MIT", null, "MIT")]
    [InlineData("cc-by-nc-4.0", null, "CC-BY-NC-4.0")]
    [InlineData("bsd-3-clause-clear", null, "BSD-3-Clause-Clear")]
    [InlineData("lgpl-lr", null, "LGPLLR")]
    [InlineData("llama3.2", null, "LicenseRef-llama3.2")]
    [InlineData("openrail++", null, "LicenseRef-openrail-plus-plus")]
    [InlineData("gpl", null, "LicenseRef-gpl")] // a family, not one licence
    [InlineData("cc", null, "LicenseRef-cc")]
    [InlineData("other", "Acme Research License 1.0", "LicenseRef-Acme-Research-License-1.0")]
    public void Hub_licence_ids_map_to_SPDX_or_to_a_LicenseRef(string hubId, string? name, string expected)
    {
        var mapped = HubLicenses.Map(hubId, name, "https://example.org/LICENSE");
        Assert.Equal(expected, mapped!.Expression);
        Assert.Equal(LicenseForm.Expression, LicenseExpressions.Classify(mapped.Expression)); // a valid SPDX expression either way
        Assert.Equal(!expected.StartsWith("LicenseRef-", StringComparison.Ordinal), mapped.IsSpdx);
    }

    [Theory]
    [InlineData("unknown", null)]
    [InlineData("other", null)]
    [InlineData("", null)]
    public void Hub_licence_ids_that_say_nothing_map_to_nothing(string hubId, string? name) => Assert.Null(HubLicenses.Map(hubId, name));

    [Fact]
    public void The_gguf_file_type_table_agrees_with_hugging_face()
    {
        var theirs = JsonNode.Parse(File.ReadAllText(Path.Combine(Hub, "gguf-file-types.json")))!.AsObject()
            .Select(p => (long.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture), (string)p.Value!))
            .Where(p => p.Item1 < 1000) // 1000+ are the Hub's own labels for mixed quantizations, not llama.cpp file types
            .ToList();
        Assert.True(theirs.Count > 30);
        Assert.Equal(theirs.OrderBy(p => p.Item1), OpenTrain.Lineage.Headers.GgufFileTypes.Names.Select(p => (p.Key, p.Value)).OrderBy(p => p.Key));
    }

    private string CopyFixture(string name)
    {
        string target = Path.Combine(_project, "models", name);
        CopyDirectory(Path.Combine(Hub, name), target);
        return target;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private FakeBuildEngine Scaffold(string path)
    {
        var engine = new FakeBuildEngine();
        new ScaffoldLineage
        {
            BuildEngine = engine,
            ScaffoldPath = path,
            ProjectDirectory = _project,
            ProjectFile = Path.Combine(_project, "app.csproj"),
        }.Execute();
        return engine;
    }

    private FakeBuildEngine Gate(string manifest)
    {
        var engine = new FakeBuildEngine();
        new ValidateTrainingLineage
        {
            BuildEngine = engine,
            Manifests = new ITaskItem[] { new TaskItem(manifest) },
            ProjectFile = Path.Combine(_project, "app.csproj"),
        }.Execute();
        return engine;
    }

    private static string Sha256(string path) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();
}
