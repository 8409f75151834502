using System.Reflection;
using System.Text.Json.Nodes;
using OpenTrain.Lineage;
using OpenTrainAnalyzers.Build.Export;
using OpenTrainAnalyzers.Build.Findings;
using YamlDotNet.Serialization;

namespace OpenTrainAnalyzers.Build.Tests;

/// <summary>
/// The MOT YAML read the way the Model Openness Tool classifies a model, for fixtures that document their data through
/// the model card (modelCard.coversData): the class MOT would give follows from the components the export lists.
/// <see cref="MotClassifier"/> implements MOT's documented class requirements from its own component table
/// (mof.settings.yml in the reference schemas): a class is met when every required component of that class and the
/// classes above it is included under an open licence; the technical report may be left out when the research paper is
/// included.
/// </summary>
public sealed class MotClassTests
{
    private static readonly string RepoRoot = typeof(MotClassTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
    private static readonly string Settings = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "reference", "schemas", "mot", "mof.settings.yml"));
    private static readonly string Fixtures = Path.Combine(RepoRoot, "tests", "OpenTrain.Lineage.Tests", "Fixtures");

    [SkippableFact]
    public void A_fully_open_model_whose_model_card_covers_its_data_is_class_I()
    {
        // complete.lineage.json has every component open under open licences; here its data card is replaced by a model
        // card that documents the data, the form the gate accepts at open-weights (row 19 of the level table).
        var classifier = MotClassifier.Load(Settings);
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "complete.lineage.json")))!;
        root["documentation"]!.AsObject().Remove("dataCard");
        root["documentation"]!["modelCard"]!["coversData"] = true;

        var yaml = Mot(root.ToJsonString(), "complete-covers-data.lineage.json");

        Assert.Equal(1, classifier.Classify(yaml));
        Assert.Equal(3, classifier.Classify(Without(yaml, "Evaluation data"))); // the helper can tell the classes apart
        Assert.Null(classifier.Classify(Without(yaml, "Data card")));           // without the card: no class at all
    }

    [SkippableFact]
    public void Pythia_70m_whose_model_card_covers_its_data_is_class_II()
    {
        // Pythia's manifest sets modelCard.coversData. Its training, inference and evaluation code are open (Apache-2.0,
        // MIT), its evaluation datasets are open, but its training data (the Pile) is restricted: Class II, not I.
        var classifier = MotClassifier.Load(Settings);
        string path = Path.Combine(Fixtures, "real", "pythia-70m.lineage.json");
        var yaml = Mot(File.ReadAllText(path), "pythia-70m.lineage.json");

        Assert.Contains("Data card", classifier.Included(yaml));
        Assert.DoesNotContain("Datasets", classifier.Included(yaml));
        Assert.Equal(2, classifier.Classify(yaml));
    }

    [Theory]
    [InlineData("MIT", ContentKind.Code, "MIT")]
    [InlineData("GPL-3.0-only OR MIT", ContentKind.Code, "MIT")]                 // the recipient may choose: the type-appropriate one
    [InlineData("CC-BY-NC-4.0 OR CC-BY-SA-4.0", ContentKind.Data, "CC-BY-NC-4.0")] // neither is type-appropriate for data: the first
    [InlineData("MIT AND Apache-2.0", ContentKind.Code, "MIT")]                   // both apply and both are fine: the first
    [InlineData("CC0-1.0 AND CC-BY-NC-4.0", ContentKind.Data, "CC-BY-NC-4.0")]    // both apply: the one MOT rates lowest
    [InlineData("(Apache-2.0 AND CC-BY-SA-4.0)", ContentKind.Document, "Apache-2.0")]
    [InlineData("GPL-2.0-only WITH Classpath-exception-2.0 AND MIT", ContentKind.Code, "GPL-2.0-only WITH Classpath-exception-2.0")]
    [InlineData("NOASSERTION", ContentKind.Code, null)]
    public void One_licence_per_component_as_MOT_reads_it(string expression, ContentKind kind, string? expected) =>
        Assert.Equal(expected, MotExport.Licence(expression, kind));

    [Theory]
    [InlineData("transformer decoder", "GPTNeoXForCausalLM", "text-generation", "transformer decoder", "language")]
    [InlineData("transformer", "LlamaForCausalLM", "text-generation", "transformer decoder", "language")]
    [InlineData("transformer encoder", "BertForSequenceClassification", "text-classification", "encoder", "language")]
    [InlineData("encoder-decoder transformer", "T5ForConditionalGeneration", "translation", "transformer encoder-decoder", "language")]
    [InlineData("latent diffusion", "UNet2DConditionModel", "text-to-image", "diffusion", "image")]
    [InlineData("convolutional network", "ResNet-50", "image-classification", "CNN", "vision")]
    [InlineData("transformer decoder", "LlavaForConditionalGeneration", "image-text-to-text", "transformer decoder", "multimodal")]
    [InlineData("transformer decoder", "StarCoder2ForCausalLM", "code-generation", "transformer decoder", "code")]
    [InlineData("linear", "multinomial logistic regression", "tabular-classification", "other", "other")]
    public void Architecture_and_type_come_from_the_manifest_fields(string family, string name, string task, string architecture, string type)
    {
        string manifest = $$"""
            { "manifestVersion": "1.0", "model": { "name": "m", "task": "{{task}}" },
              "training": { "configuration": { "architecture": { "availability": "closed", "family": "{{family}}", "name": "{{name}}" } } } }
            """;
        string yaml = Mot(manifest, "m.lineage.json");

        Assert.Contains($"  architecture: \"{architecture}\"\n", yaml, StringComparison.Ordinal);
        Assert.Contains($"  type: \"{type}\"\n", yaml, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("from-scratch", "base", "pretraining", "pre-trained")]
    [InlineData("finetune", "m-instruct", "fine-tuning", "instruct fine-tuned")]
    [InlineData("finetune", "m", "instruction-tuning", "instruct fine-tuned")]
    [InlineData("finetune", "m", "preference", "chat fine-tuned")]
    [InlineData("finetune", "sentiment-classifier", "fine-tuning", null)]
    [InlineData("merge", "m", "other", null)]
    public void Treatment_comes_from_the_derivation_and_the_training_data(string derivation, string name, string role, string? treatment)
    {
        string manifest = $$"""
            { "manifestVersion": "1.0", "model": { "name": "{{name}}" }, "lineage": { "derivation": "{{derivation}}" },
              "training": { "data": { "availability": "closed", "datasets": [ { "id": "d", "role": "{{role}}", "availability": "closed" } ] } } }
            """;
        string yaml = Mot(manifest, "m.lineage.json");

        if (treatment is null)
        {
            Assert.DoesNotContain("treatment:", yaml, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains($"  treatment: \"{treatment}\"\n", yaml, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_frozen_component_is_not_the_models_origin()
    {
        // Stable Diffusion's shape: trained from scratch around a text encoder used unchanged.
        string yaml = Mot("""
            { "manifestVersion": "1.0", "model": { "name": "diffusion" },
              "lineage": { "derivation": "from-scratch", "parents": [ { "name": "clip-text-encoder", "relation": "frozen-component" } ] } }
            """, "m.lineage.json");
        string tuned = Mot("""
            { "manifestVersion": "1.0", "model": { "name": "diffusion-tuned" },
              "lineage": { "derivation": "finetune", "parents": [ { "name": "clip-text-encoder", "relation": "frozen-component" }, { "name": "diffusion", "relation": "finetune" } ] } }
            """, "m.lineage.json");

        Assert.Contains("  origin: \"\"\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  treatment: \"pre-trained\"\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  origin: \"diffusion\"\n", tuned, StringComparison.Ordinal);
    }

    [Fact]
    public void The_release_date_is_the_manifests_release_date_never_its_creation()
    {
        string yaml = Mot("""{ "manifestVersion": "1.0", "created": "2026-11-25T00:00:00Z", "model": { "name": "m", "releaseDate": "2023-09-27" } }""", "m.lineage.json");
        string undated = Mot("""{ "manifestVersion": "1.0", "created": "2026-11-25T00:00:00Z", "model": { "name": "m" } }""", "m.lineage.json");

        Assert.Contains("  date: \"2023-09-27\"\n", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("  date: \"", undated, StringComparison.Ordinal); // the framework's own date is single-quoted
    }

    private static string Mot(string manifest, string name)
    {
        var lineage = LineageManifest.Read(manifest);
        var model = new ExportedModel(name, lineage, LineageLevel.Declared, LineageLevel.Declared, Array.Empty<ResolvedParent>(), weightsVerified: false, Array.Empty<Suppression>());
        var set = new ExportSet("MotClass", "1.0.0", LineageLevel.Declared, "1767225600", new[] { model }, "test");
        return MotExport.Write(set).Single().Yaml;
    }

    private static string Without(string yaml, string component)
    {
        var data = (Dictionary<object, object>)new DeserializerBuilder().Build().Deserialize<object>(yaml)!;
        var release = (Dictionary<object, object>)data["release"];
        release["components"] = ((List<object>)release["components"]).Where(c => (string)((Dictionary<object, object>)c)["name"] != component).ToList();
        return new SerializerBuilder().Build().Serialize(data);
    }
}

/// <summary>
/// MOT's classification, from its documented rules: components are those of mof.settings.yml (name, class, required);
/// a listed component's licence is its own, else the release's licence for its content type, else the distribution
/// licence; it counts as included when that licence is open (OSI-approved per the SPDX list the core embeds, or one of
/// MOT's open data and document licences, or OpenMDW-1.0); 'unlicensed' and unlisted components are not included.
/// Class 3, 2, 1 in turn: met when every required component of that class or a higher-numbered one is included (the
/// technical report is not required when the research paper is included). The lowest-numbered class met is the answer;
/// null when not even Class III is.
/// </summary>
internal sealed class MotClassifier
{
    private static readonly HashSet<string> OpenContent = new(StringComparer.OrdinalIgnoreCase)
    {
        "CC0-1.0", "CC-BY-1.0", "CC-BY-2.0", "CC-BY-2.5", "CC-BY-3.0", "CC-BY-4.0", "CC-BY-SA-1.0", "CC-BY-SA-2.0", "CC-BY-SA-2.5", "CC-BY-SA-3.0", "CC-BY-SA-4.0",
        "CDLA-Permissive-1.0", "CDLA-Permissive-2.0", "CDLA-Sharing-1.0", "ODC-PDDL-1.0", "PDDL-1.0", "ODC-By-1.0", "ODbL-1.0", "GFDL-1.3", "OGL-Canada-2.0",
        "OGL-UK-2.0", "OGL-UK-3.0", "OpenMDW-1.0",
    };

    private readonly List<(string Name, int Class, bool Required, string ContentType)> _components;
    private readonly HashSet<string> _osiApproved;

    private MotClassifier(List<(string, int, bool, string)> components, HashSet<string> osiApproved)
    {
        _components = components;
        _osiApproved = osiApproved;
    }

    public static MotClassifier Load(string settings)
    {
        Skip.If(!File.Exists(settings), "The MOT component table is not beside the project (../shared/reference/schemas/mot).");
        var data = (Dictionary<object, object>)new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(settings))!;
        var components = ((List<object>)data["components"]).Cast<Dictionary<object, object>>()
            .Select(c => ((string)c["name"], int.Parse((string)c["class"], System.Globalization.CultureInfo.InvariantCulture), (string)c["required"] == "true", (string)c["content_type"]))
            .ToList();
        string tsv = Path.Combine(typeof(MotClassifier).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!, "src", "OpenTrain.Lineage", "Data", "spdx-licenses.tsv");
        var approved = File.ReadLines(tsv).Where(l => !l.StartsWith('#')).Select(l => l.Split('\t')).Where(f => f.Length == 2 && f[1] == "1").Select(f => f[0]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new MotClassifier(components, approved);
    }

    /// <summary>The names of the components MOT counts as included (listed, with an open licence).</summary>
    public HashSet<string> Included(string yaml)
    {
        var data = (Dictionary<object, object>)new DeserializerBuilder().Build().Deserialize<object>(yaml)!;
        var release = (Dictionary<object, object>)data["release"];
        var globals = release.TryGetValue("license", out var l) && l is Dictionary<object, object> g ? g : new Dictionary<object, object>();
        string? Global(string type) => globals.TryGetValue(type, out var entry) && entry is Dictionary<object, object> e && e.TryGetValue("name", out var n) ? n as string : null;

        var included = new HashSet<string>(StringComparer.Ordinal);
        foreach (Dictionary<object, object> component in (List<object>)release["components"])
        {
            string name = (string)component["name"];
            string contentType = _components.FirstOrDefault(c => c.Name == name).ContentType ?? "code";
            string? license = component.TryGetValue("license", out var own) && own is string text && text.Length > 0 ? text : Global(contentType) ?? Global("distribution");
            if (license is not null && license != "unlicensed" && IsOpen(license))
            {
                included.Add(name);
            }
        }

        return included;
    }

    public int? Classify(string yaml)
    {
        var included = Included(yaml);
        int? achieved = null;
        for (int level = 3; level >= 1; level--)
        {
            var required = _components.Where(c => c.Required && c.Class >= level).Select(c => c.Name).ToList();
            if (included.Contains("Research paper"))
            {
                required.Remove("Technical report");
            }

            if (!required.All(included.Contains))
            {
                break;
            }

            achieved = level;
        }

        return achieved;
    }

    private bool IsOpen(string license) => _osiApproved.Contains(license) || OpenContent.Contains(license);
}
