using System.Reflection;
using System.Text.Json.Nodes;
using OpenTrain.Lineage.Policy;

namespace OpenTrain.Lineage.Tests;

/// <summary>
/// The level table in docs/manifest.md is generated from the rows the policy runs (PolicyRun.LevelTable), so the
/// documented rules and the gate's rules cannot drift apart. Regenerate after changing a row:
/// OPENTRAIN_UPDATE_DOCS=1 dotnet test tests/OpenTrain.Lineage.Tests --filter LevelTableTests
/// </summary>
public class LevelTableTests
{
    private const string Begin = "<!-- level-table: generated from src/OpenTrain.Lineage/Policy (PolicyRun.LevelTable); do not edit by hand -->";
    private const string End = "<!-- end of level-table -->";

    private static readonly string ManifestDoc = Path.Combine(
        typeof(LevelTableTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!,
        "docs", "manifest.md");

    [Fact]
    public void The_published_level_table_is_the_one_the_policy_runs()
    {
        string doc = File.ReadAllText(ManifestDoc).Replace("\r\n", "\n");
        string generated = PolicyRun.RenderLevelTable();
        if (Environment.GetEnvironmentVariable("OPENTRAIN_UPDATE_DOCS") == "1")
        {
            doc = Replace(doc, generated);
            File.WriteAllText(ManifestDoc, doc);
        }

        string? difference = FirstDifference(Published(doc), generated);
        Assert.True(
            difference is null,
            "docs/manifest.md's level table differs from PolicyRun.LevelTable at: " + difference
            + "\nrun: OPENTRAIN_UPDATE_DOCS=1 dotnet test tests/OpenTrain.Lineage.Tests --filter LevelTableTests");
    }

    [Fact]
    public void A_deliberately_changed_row_is_caught()
    {
        // The comparison above must see a one-cell edit of any row, and name that row.
        string generated = PolicyRun.RenderLevelTable();
        var lines = generated.Split('\n');
        int checkpoints = Array.FindIndex(lines, line => line.StartsWith("| `training.checkpoints` |", StringComparison.Ordinal));
        Assert.True(checkpoints > 0, "the table has a checkpoints row");
        lines[checkpoints] = lines[checkpoints].Replace("| — |", "| open, pinned |");
        string edited = string.Join("\n", lines);

        Assert.NotEqual(generated, edited);
        Assert.Equal(lines[checkpoints], FirstDifference(edited, generated));
    }

    [Fact]
    public void Every_row_is_enforced_by_a_check_and_every_level_is_asked_for_somewhere()
    {
        var rows = PolicyRun.LevelTable.SelectMany(section => section.Rows).ToList();

        Assert.All(PolicyRun.LevelTable, section => Assert.NotEmpty(section.Rows));
        Assert.Equal(rows.Count, rows.Select(r => r.Component).Distinct().Count());
        foreach (var level in new[] { LineageLevel.Declared, LineageLevel.OpenWeights, LineageLevel.OpenTooling, LineageLevel.OpenScience })
        {
            Assert.Contains(rows, row => row.At(level).Length > 0 && row.At(level) != "—");
        }
    }

    /// <summary>How each row's component is made less open in the complete fixture (open-science).</summary>
    private static readonly Dictionary<string, (string Path, Action<JsonObject> Mutate)> LessOpen = new()
    {
        ["`model`"] = ("model", model => model["license"] = "LicenseRef-Vendor-Weights"),

        // A closed dataset would also lose the open benchmark of the evaluation row; unpinning it keeps that row intact.
        ["`training.data`"] = ("training.data.datasets.0.locations.0", location => location.Remove("revision")),
        ["`training.processing`"] = ("training.processing", Close),
        ["`configuration.architecture`"] = ("training.configuration.architecture", Close),
        ["`configuration.hyperparameters`"] = ("training.configuration.hyperparameters", Close),
        ["`training.code`"] = ("training.code", Close),
        ["`training.evaluation`"] = ("training.evaluation", Close),
        ["`training.checkpoints`"] = ("training.checkpoints", Close),
        ["`inference`"] = ("inference", Close),
        ["`documentation.modelCard`"] = ("documentation.modelCard", Close),
        ["`documentation.dataCard`"] = ("documentation.dataCard", Close),
        ["`technicalReport` / `researchPaper`"] = ("documentation.researchPaper", Close),
    };

    public static TheoryData<string> RowsThatAskForOpen()
    {
        var data = new TheoryData<string>();
        foreach (var row in PolicyRun.LevelTable.SelectMany(section => section.Rows).Where(row => row.OpenFrom != LineageLevel.None))
        {
            data.Add(row.Component);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RowsThatAskForOpen))]
    public void A_component_that_is_not_open_costs_exactly_the_level_its_row_asks_it_open_from(string component)
    {
        var row = PolicyRun.LevelTable.SelectMany(section => section.Rows).Single(r => r.Component == component);
        Assert.True(LessOpen.ContainsKey(component), $"Add how to make {component} less open to LessOpen.");
        Assert.Contains("open", row.At(row.OpenFrom), StringComparison.Ordinal);

        var (path, mutate) = LessOpen[component];
        var manifest = JsonNode.Parse(Fixture.Complete)!.AsObject();
        JsonNode node = manifest;
        foreach (var step in path.Split('.'))
        {
            node = int.TryParse(step, out int index) ? node[index]! : node[step]!;
        }

        mutate(node.AsObject());
        var evaluation = Fixture.Evaluate(manifest.ToJsonString());

        Assert.Equal(row.OpenFrom - 1, evaluation.AchievedLevel);
    }

    private static void Close(JsonObject component)
    {
        component["availability"] = "closed";
        component["justification"] = "Withheld by the producer for this test of the level table.";
    }

    private static string Published(string doc)
    {
        int begin = doc.IndexOf(Begin, StringComparison.Ordinal);
        int end = doc.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "docs/manifest.md has no generated level table between the markers");
        return doc.Substring(begin + Begin.Length, end - begin - Begin.Length).Trim('\n') + "\n";
    }

    private static string Replace(string doc, string generated)
    {
        int begin = doc.IndexOf(Begin, StringComparison.Ordinal);
        int end = doc.IndexOf(End, StringComparison.Ordinal);
        return doc.Substring(0, begin + Begin.Length) + "\n" + generated + doc.Substring(end);
    }

    /// <summary>The first published line that is not the generated one (or the missing line), null when equal.</summary>
    private static string? FirstDifference(string published, string generated)
    {
        var want = generated.Split('\n');
        var have = published.Split('\n');
        for (int i = 0; i < Math.Max(want.Length, have.Length); i++)
        {
            string expected = i < want.Length ? want[i] : "<end>";
            string actual = i < have.Length ? have[i] : "<end>";
            if (expected != actual)
            {
                return actual;
            }
        }

        return null;
    }
}
