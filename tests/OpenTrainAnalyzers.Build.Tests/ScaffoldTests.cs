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

        // A quantization: the five untrained components are not asked for; what is left is what docs/hub-to-manifest.md lists.
        Assert.Equal(new[] { "OTL0300", "OTL0302", "OTL0501" }, gate.Errors.Select(e => e.Code).Order());
        Assert.Contains(gate.Errors, e => e.Code == "OTL0300" && e.Message!.Contains("$.training.configuration.architecture.availability", StringComparison.Ordinal));
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

    // The five training components a quantization or a conversion does not have, by the paths the policy reports.
    private static readonly string[] UntrainedComponents =
    {
        "$.training.data", "$.training.processing", "$.training.configuration.hyperparameters", "$.training.code", "$.training.evaluation",
    };

    [Fact]
    public void An_onnx_runtime_genai_int4_folder_whose_card_says_quantized_gets_the_untrained_components_not_applicable()
    {
        WriteGenAiFolder("aurora-1b-instruct-onnx-int4", "quantized");

        var engine = Scaffold("models/aurora-1b-instruct-onnx-int4");

        Assert.Empty(engine.Errors);
        string manifest = Path.Combine(_project, "models", "aurora-1b-instruct-onnx-int4.lineage.json");
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        foreach (var component in UntrainedComponents)
        {
            var node = At(json, component);
            Assert.Equal("not-applicable", (string)node["availability"]!);
            string justification = (string)node["justification"]!;
            Assert.Contains("aurora-1b-instruct-onnx-int4/README.md base_model_relation: quantized", justification, StringComparison.Ordinal);
            Assert.Contains("a quantization of fabrikam-ml/aurora-1b-instruct", justification, StringComparison.Ordinal);
        }

        // The architecture is the parent's and still in these weights: filled from genai_config.json, never not-applicable.
        var architecture = json["training"]!["configuration"]!["architecture"]!;
        Assert.Null(architecture["availability"]);
        Assert.Equal("phi3", (string)architecture["family"]!);

        // genai_config.json is read by the runtime: listed and pinned like config.json; so are the tokenizer files.
        var files = json["weights"]!["files"]!.AsArray().ToDictionary(f => (string)f!["path"]!, f => f!);
        string folder = "aurora-1b-instruct-onnx-int4/";
        Assert.Equal(new[] { "genai_config.json", "model.onnx", "model.onnx.data", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json" }.Select(f => folder + f), files.Keys);
        Assert.Equal("config", (string)files[folder + "genai_config.json"]["role"]!);
        Assert.Equal(Sha256(Path.Combine(_project, "models", folder, "genai_config.json")), (string)files[folder + "genai_config.json"]["sha256"]!);
        Assert.Equal("external-data", (string)files[folder + "model.onnx.data"]["role"]!);
        Assert.Equal("tokenizer", (string)files[folder + "tokenizer_config.json"]["role"]!);

        // The conversion: from the parent, by the tool the ONNX header names as its producer.
        var conversion = json["weights"]!["conversion"]!;
        Assert.Null(conversion["from"]); // the source format: no file in the folder says it
        Assert.Equal("onnxruntime-genai", (string)conversion["tool"]!["name"]!);
        Assert.Equal("0.6.0", (string)conversion["tool"]!["version"]!);

        string printed = string.Join("\n", engine.Messages.Select(m => m.Message));
        Assert.Contains("$.training.code = not-applicable  <- aurora-1b-instruct-onnx-int4/README.md base_model_relation: quantized; a quantization of fabrikam-ml/aurora-1b-instruct has no training code", printed, StringComparison.Ordinal);
        Assert.Contains("$.weights.conversion.tool.name = onnxruntime-genai  <- the header of aurora-1b-instruct-onnx-int4/model.onnx producer_name", printed, StringComparison.Ordinal);
        Assert.Contains("$.training.configuration.architecture: availability, description and locations", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("the five components of training", printed, StringComparison.Ordinal); // only the architecture is left

        // The policy accepts them: nothing missing or misused in the five components, at any level.
        AssertPolicyAcceptsUntrainedComponents(manifest);
        var gate = Gate(manifest);
        Assert.DoesNotContain(gate.Errors, e => e.Code is "OTL0307");
        Assert.Contains(gate.Errors, e => e.Code == "OTL0501"); // the parent's manifest: still the user's to vendor
        Assert.DoesNotContain(gate.Warnings, w => w.Code is "OTL0208" or "OTL0209"); // the header agrees with the tool taken from it
    }

    [Fact]
    public void A_multimodal_onnx_runtime_genai_folder_lists_its_processor_configs_and_names_no_tool_when_producers_differ()
    {
        WriteGenAiFolder("vision-onnx", "quantized");
        string folder = Path.Combine(_project, "models", "vision-onnx");
        File.WriteAllText(Path.Combine(folder, "processor_config.json"), "{ \"processor\": { \"name\": \"phi_3_image_processing\" } }");
        File.WriteAllText(Path.Combine(folder, "audio_processor_config.json"), "{ \"feature_extraction\": { \"sequence\": [] } }");
        File.WriteAllBytes(Path.Combine(folder, "vision.onnx"), Onnx("pytorch", "2.4.0")); // exported, not built: another producer

        var engine = Scaffold("models/vision-onnx");

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_project, "models", "vision-onnx.lineage.json")))!;
        var roles = json["weights"]!["files"]!.AsArray().ToDictionary(f => (string)f!["path"]!, f => (string)f!["role"]!);
        Assert.Equal("config", roles["vision-onnx/processor_config.json"]);
        Assert.Equal("config", roles["vision-onnx/audio_processor_config.json"]);
        Assert.Equal("config", roles["vision-onnx/genai_config.json"]);

        // Two producers: naming one as the tool would contradict the other file's header (OTL0208), so none is named.
        Assert.Null(json["weights"]!["conversion"]?["tool"]);
        Assert.Contains(engine.Messages, m => m.Message!.Contains("the ONNX files name different producers (pytorch, onnxruntime-genai)", StringComparison.Ordinal)
            || m.Message!.Contains("the ONNX files name different producers (onnxruntime-genai, pytorch)", StringComparison.Ordinal));
        Assert.DoesNotContain(Gate(Path.Combine(_project, "models", "vision-onnx.lineage.json")).Warnings, w => w.Code == "OTL0208");
    }

    [Fact]
    public void A_quantized_gguf_with_its_base_model_in_the_header_gets_the_untrained_components_and_its_settings()
    {
        // No card: the derivation is established by the header alone (a quantized file type and a base model).
        string folder = Path.Combine(_project, "models", "tiny-q4");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(Hub, "tiny-chat-1b-instruct-GGUF", "tiny-chat-1b-instruct-Q4_K_M.gguf"), Path.Combine(folder, "tiny-chat-1b-instruct-Q4_K_M.gguf"));

        var engine = Scaffold("models/tiny-q4");

        Assert.Empty(engine.Errors);
        string manifest = Path.Combine(_project, "models", "tiny-q4.lineage.json");
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        foreach (var component in UntrainedComponents)
        {
            string justification = (string)At(json, component)["justification"]!;
            Assert.Equal("not-applicable", (string)At(json, component)["availability"]!);
            Assert.Contains("the header of tiny-q4/tiny-chat-1b-instruct-Q4_K_M.gguf general.file_type 15 is a quantization", justification, StringComparison.Ordinal);
            Assert.Contains("acme/tiny-chat-1b-instruct", justification, StringComparison.Ordinal);
        }

        Assert.Equal("llama", (string)json["training"]!["configuration"]!["architecture"]!["family"]!);
        var conversion = json["weights"]!["conversion"]!;
        Assert.Null(conversion["from"]);
        Assert.Equal("Q4_K_M", (string)conversion["settings"]!["quantization"]!);
        Assert.Equal(2, (int)conversion["settings"]!["quantizationVersion"]!);
        Assert.Null(conversion["tool"]); // a GGUF header names no tool: left open, not invented
        Assert.Contains(engine.Messages, m => m.Message!.Contains("$.weights.conversion.tool: the tool that produced these weights", StringComparison.Ordinal));
        AssertPolicyAcceptsUntrainedComponents(manifest);
    }

    [Fact]
    public void A_gguf_quantized_with_an_importance_matrix_keeps_its_calibration_data_open()
    {
        string folder = Path.Combine(_project, "models", "tiny-imatrix");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "tiny-IQ4_XS.gguf"), Gguf(
            ("general.architecture", "llama"),
            ("general.file_type", 30u), // IQ4_XS
            ("general.base_model.count", 1u),
            ("general.base_model.0.repo_url", "https://huggingface.co/acme/tiny-chat-1b-instruct"),
            ("quantize.imatrix.dataset", "calibration_datav3.txt")));

        var engine = Scaffold("models/tiny-imatrix");

        Assert.Empty(engine.Errors);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_project, "models", "tiny-imatrix.lineage.json")))!;
        Assert.Equal("quantized", (string)json["lineage"]!["derivation"]!);
        Assert.Null(json["training"]!["data"]!["availability"]); // calibration data is this model's data: the user declares it
        Assert.Equal("not-applicable", (string)json["training"]!["code"]!["availability"]!);
        Assert.Contains(engine.Messages, m => m.Message!.Contains("quantize.imatrix.dataset 'calibration_datav3.txt' says the quantizer used calibration data", StringComparison.Ordinal));
    }

    [Fact]
    public void A_quantization_whose_card_publishes_results_keeps_them_for_the_user_to_judge()
    {
        string folder = CopyFixture("tiny-chat-1b-instruct-GGUF");
        File.WriteAllText(Path.Combine(folder, "README.md"), File.ReadAllText(Path.Combine(folder, "README.md")).Replace("---\n\n", """
            model-index:
            - name: Tiny Chat 1B Instruct Q4_K_M
              results:
              - task: { type: text-generation }
                dataset: { name: HellaSwag, type: Rowan/hellaswag, split: validation }
                metrics:
                - { type: acc_norm, value: 0.61 }
            ---


            """.Replace("\r\n", "\n"), StringComparison.Ordinal));

        var engine = Scaffold("models/tiny-chat-1b-instruct-GGUF");

        Assert.Empty(engine.Errors);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_project, "models", "tiny-chat-1b-instruct-GGUF.lineage.json")))!;
        var evaluation = json["training"]!["evaluation"]!;
        Assert.Null(evaluation["availability"]);
        Assert.Equal(0.61, (double)evaluation["metrics"]![0]!["value"]!);
        Assert.Equal("not-applicable", (string)json["training"]!["data"]!["availability"]!);
        Assert.Contains(engine.Messages, m => m.Message!.Contains("$.training.evaluation: tiny-chat-1b-instruct-GGUF/README.md publishes results", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("quantized", true)]
    [InlineData("finetune", false)] // trained on something, whatever the file type: the user says what
    [InlineData("adapter", false)]
    [InlineData("merge", false)] // the policy would accept not-applicable, but what a merge did is the user's to state
    public void Only_a_quantization_or_conversion_is_made_not_applicable_even_in_the_same_quantized_file(string relation, bool untrained)
    {
        string folder = CopyFixture("tiny-chat-1b-instruct-GGUF");
        File.WriteAllText(Path.Combine(folder, "README.md"), File.ReadAllText(Path.Combine(folder, "README.md")).Replace("base_model_relation: quantized", "base_model_relation: " + relation, StringComparison.Ordinal));

        var engine = Scaffold("models/tiny-chat-1b-instruct-GGUF");

        Assert.Empty(engine.Errors);
        string manifest = Path.Combine(_project, "models", "tiny-chat-1b-instruct-GGUF.lineage.json");
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        Assert.Equal(relation, (string)json["lineage"]!["derivation"]!);
        foreach (var component in UntrainedComponents)
        {
            Assert.Equal(untrained ? "not-applicable" : null, (string?)At(json, component)["availability"]);
        }

        Assert.Null(json["weights"]!["conversion"]!["from"]); // the source format, which no file in the folder says
        if (untrained)
        {
            AssertPolicyAcceptsUntrainedComponents(manifest);
        }
        else
        {
            // Each stays for the user: empty (OTL0301) or without its availability (OTL0300), as the build reports it.
            var missing = Policy(manifest).Where(f => f.Id is "OTL0300" or "OTL0301").Select(f => f.JsonPath).ToList();
            Assert.All(UntrainedComponents, component => Assert.Contains(missing, path => path.StartsWith(component, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void A_card_that_says_converted_gets_the_untrained_components_not_applicable()
    {
        WriteGenAiFolder("aurora-1b-instruct-onnx", "converted");

        var engine = Scaffold("models/aurora-1b-instruct-onnx");

        Assert.Empty(engine.Errors);
        string manifest = Path.Combine(_project, "models", "aurora-1b-instruct-onnx.lineage.json");
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        Assert.Equal("converted", (string)json["lineage"]!["derivation"]!);
        Assert.Equal("converted", (string)json["lineage"]!["parents"]![0]!["relation"]!);
        foreach (var component in UntrainedComponents)
        {
            Assert.Equal("not-applicable", (string)At(json, component)["availability"]!);
            Assert.Contains("a conversion of fabrikam-ml/aurora-1b-instruct (aurora-1b-instruct-onnx/README.md base_model_relation: converted)", (string)At(json, component)["justification"]!, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("calibration", (string)json["training"]!["data"]!["justification"]!, StringComparison.Ordinal); // a conversion quantizes nothing
        Assert.Equal("onnxruntime-genai", (string)json["weights"]!["conversion"]!["tool"]!["name"]!);
        AssertPolicyAcceptsUntrainedComponents(manifest);
        Assert.DoesNotContain(Policy(manifest), f => f.JsonPath.StartsWith("$.lineage.derivation", StringComparison.Ordinal) || f.JsonPath.EndsWith(".relation", StringComparison.Ordinal)); // a manifest value
    }

    private static JsonNode At(JsonNode json, string path) =>
        path.Substring(2).Split('.').Aggregate(json, (node, name) => node[name] ?? throw new Xunit.Sdk.XunitException($"{path} is absent"));

    private static List<LineageFinding> Policy(string manifest) =>
        CompletenessPolicy.Evaluate(LineageManifest.Read(File.ReadAllBytes(manifest))).Findings.ToList();

    private static void AssertPolicyAcceptsUntrainedComponents(string manifest)
    {
        var findings = Policy(manifest);
        var inComponents = findings.Where(f => UntrainedComponents.Any(c => f.JsonPath.StartsWith(c, StringComparison.Ordinal))).ToList();
        Assert.True(inComponents.Count == 0, "findings in the untrained components: " + string.Join("; ", inComponents));
        Assert.DoesNotContain(findings, f => f.Id == "OTL0307");
    }

    /// <summary>A folder as ONNX Runtime GenAI's model builder writes it, with a Hub card naming the parent and the relation.</summary>
    private void WriteGenAiFolder(string name, string relation)
    {
        string folder = Path.Combine(_project, "models", name);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), Onnx("onnxruntime-genai", "0.6.0"));
        File.WriteAllBytes(Path.Combine(folder, "model.onnx.data"), Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray());
        File.WriteAllText(Path.Combine(folder, "genai_config.json"), """
            { "model": { "type": "phi3", "context_length": 4096, "vocab_size": 32064,
                         "decoder": { "filename": "model.onnx", "head_size": 96, "hidden_size": 3072, "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 32 } },
              "search": { "do_sample": false, "max_length": 4096 } }
            """);
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), "{ \"version\": \"1.0\", \"model\": { \"type\": \"BPE\" } }");
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), "{ \"model_max_length\": 4096 }");
        File.WriteAllText(Path.Combine(folder, "special_tokens_map.json"), "{ \"eos_token\": \"<|endoftext|>\" }");
        File.WriteAllText(Path.Combine(folder, "README.md"), $"---\nbase_model: fabrikam-ml/aurora-1b-instruct\nbase_model_relation: {relation}\nlicense: mit\npipeline_tag: text-generation\nlibrary_name: onnxruntime-genai\ntags:\n- onnx\n- int4\n---\n\n# Aurora 1B Instruct, ONNX\n");
    }

    /// <summary>The top of an ONNX ModelProto (protobuf): ir_version, producer_name, producer_version, a graph, opset_import.</summary>
    private static byte[] Onnx(string producerName, string producerVersion)
    {
        var bytes = new List<byte> { 0x08, 0x08 }; // field 1 (ir_version), varint 8
        void Text(int field, string text)
        {
            var utf8 = System.Text.Encoding.UTF8.GetBytes(text);
            bytes.Add((byte)((field << 3) | 2));
            bytes.Add((byte)utf8.Length);
            bytes.AddRange(utf8);
        }

        Text(2, producerName);
        Text(3, producerVersion);
        bytes.AddRange(new byte[] { 0x3A, 0x04, 0x0A, 0x02, 0x67, 0x30 }); // field 7 (graph) { name: "g0" }: skipped by the reader
        bytes.AddRange(new byte[] { 0x42, 0x02, 0x10, 0x0E }); // field 8 (opset_import) { version: 14 }
        return bytes.ToArray();
    }

    /// <summary>A GGUF v3 file with no tensors and the given metadata (strings and uint32s).</summary>
    private static byte[] Gguf(params (string Key, object Value)[] metadata)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write("GGUF"u8.ToArray());
        writer.Write(3u);
        writer.Write(0UL);
        writer.Write((ulong)metadata.Length);
        void String(string text)
        {
            var utf8 = System.Text.Encoding.UTF8.GetBytes(text);
            writer.Write((ulong)utf8.Length);
            writer.Write(utf8);
        }

        foreach (var (key, value) in metadata)
        {
            String(key);
            if (value is string text)
            {
                writer.Write(8u);
                String(text);
            }
            else
            {
                writer.Write(4u);
                writer.Write((uint)value);
            }
        }

        writer.Flush();
        return stream.ToArray();
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
