using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenTrain.Lineage.Tests;

/// <summary>
/// Golden findings: every fixture, and hundreds of deterministic variants of the complete fixture and the demo
/// manifest (each field removed, each string made a placeholder, each availability changed), evaluated and compared
/// with a committed record, finding for finding: code, severity, level, profile, path, range and message, plus the
/// achieved level. A refactoring of the reader or the policy must leave this file byte-identical.
/// Regenerate only for an intended change of behaviour: OPENTRAIN_UPDATE_GOLDEN=1 dotnet test --filter GoldenFindingsTests
/// </summary>
public class GoldenFindingsTests
{
    private static readonly string RepoRoot = typeof(GoldenFindingsTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    private static readonly string GoldenPath = Path.Combine(RepoRoot, "tests", "OpenTrain.Lineage.Tests", "Golden", "findings.txt");

    [Fact]
    public void Findings_are_byte_identical_to_the_committed_record()
    {
        string actual = Record();
        if (Environment.GetEnvironmentVariable("OPENTRAIN_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(GoldenPath)!);
            File.WriteAllText(GoldenPath, actual);
        }

        Assert.True(File.Exists(GoldenPath), "Missing " + GoldenPath);
        var expected = File.ReadAllText(GoldenPath).Split('\n');
        var lines = actual.Split('\n');
        for (int i = 0; i < Math.Max(expected.Length, lines.Length); i++)
        {
            string want = i < expected.Length ? expected[i] : "<end>";
            string got = i < lines.Length ? lines[i] : "<end>";
            Assert.True(want == got, $"line {i + 1} differs\nexpected: {want}\nactual:   {got}");
        }
    }

    private static string Record()
    {
        var text = new StringBuilder();
        var sources = new List<(string Name, string Json)>
        {
            ("complete", Fixture.Complete),
            ("demo", File.ReadAllText(Path.Combine(RepoRoot, "samples", "IrisDemo", "models", "iris-species.lineage.json"))),
        };
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "real"), "*.lineage.json").Order(StringComparer.Ordinal))
        {
            sources.Add(("real/" + Path.GetFileName(file), File.ReadAllText(file)));
        }

        // The fixtures themselves, in full, so that a difference is readable.
        foreach (var (name, json) in sources)
        {
            text.Append("== ").Append(name).Append('\n').Append(Describe(json));
        }

        // Variants of the two richest manifests, one line each (a digest of their full description).
        foreach (var (name, json) in sources.Take(2))
        {
            foreach (var (variant, changed) in Variants(json))
            {
                string description = Describe(changed);
                string digest = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(description)))[..16].ToLowerInvariant();
                text.Append(name).Append(' ').Append(variant).Append(' ').Append(digest).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Describe(string json)
    {
        var evaluation = Fixture.Evaluate(json);
        var text = new StringBuilder().Append("level ").Append(evaluation.AchievedLevel).Append('\n');
        foreach (var f in evaluation.Findings)
        {
            text.Append(f.Id).Append(' ').Append(f.Severity).Append(' ').Append(f.RequiredBy).Append(' ').Append(f.Profile ?? "-").Append(' ')
                .Append(f.JsonPath).Append(' ');
            if (f.Range is { } r)
            {
                text.Append(r.StartOffset).Append('-').Append(r.EndOffset).Append(r.Start).Append(r.End);
            }

            text.Append(' ').Append(f.Message.Replace("\n", "\\n")).Append('\n');
        }

        return text.ToString();
    }

    private static IEnumerable<(string Variant, string Json)> Variants(string json)
    {
        var paths = Nodes(json);
        for (int k = 0; k < paths.Count; k++)
        {
            var (root, (path, node)) = Copy(json, k);
            var parent = node.Parent!;
            if (parent is JsonObject o)
            {
                o.Remove(node.GetPropertyName());
            }
            else
            {
                ((JsonArray)parent).Remove(node);
            }

            yield return ("remove " + path, root.ToJsonString());

            if (paths[k].Node is JsonValue value && value.TryGetValue(out string? text))
            {
                bool availability = paths[k].Node.Parent is JsonObject && paths[k].Node.GetPropertyName() == "availability";
                var candidates = availability
                    ? new[] { "open", "restricted", "closed", "not-applicable" }.Where(a => a != text).ToArray()
                    : new[] { "TODO" };
                foreach (var replacement in candidates)
                {
                    var (copy, (_, target)) = Copy(json, k);
                    if (target.Parent is JsonObject owner)
                    {
                        owner[target.GetPropertyName()] = replacement;
                    }
                    else
                    {
                        var array = (JsonArray)target.Parent!;
                        array[array.IndexOf(target)] = replacement;
                    }

                    yield return ($"set {path}={replacement}", copy.ToJsonString());
                }
            }
        }
    }

    private static List<(string Path, JsonNode Node)> Nodes(string json) => Nodes(JsonNode.Parse(json)!);

    private static List<(string Path, JsonNode Node)> Nodes(JsonNode root)
    {
        var paths = new List<(string, JsonNode)>();
        Walk(root, "$", paths);
        return paths;
    }

    private static (JsonNode Root, (string Path, JsonNode Node) At) Copy(string json, int index)
    {
        var root = JsonNode.Parse(json)!;
        return (root, Nodes(root)[index]);
    }

    private static void Walk(JsonNode node, string path, List<(string, JsonNode)> paths)
    {
        if (node is JsonObject o)
        {
            foreach (var (name, child) in o)
            {
                string at = path + "." + name;
                paths.Add((at, child!));
                if (child is not null)
                {
                    Walk(child, at, paths);
                }
            }
        }
        else if (node is JsonArray a)
        {
            for (int i = 0; i < a.Count; i++)
            {
                string at = $"{path}[{i}]";
                paths.Add((at, a[i]!));
                if (a[i] is { } child)
                {
                    Walk(child, at, paths);
                }
            }
        }
    }
}
