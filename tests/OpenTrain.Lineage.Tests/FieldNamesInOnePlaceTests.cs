using System.Reflection;
using System.Text.RegularExpressions;
using OpenTrain.Lineage.Model;

namespace OpenTrain.Lineage.Tests;

/// <summary>
/// Field names live in one place: the structure table (ManifestSchema.cs) and the model generated from it. No other
/// source reaches a manifest field by a string key (an indexer, GetProperty, a property-name comparison) or writes
/// manifest JSON by hand; they go through the typed model and FieldNames. Messages that tell a person what to write
/// may name fields: they are documentation, not access.
/// </summary>
public class FieldNamesInOnePlaceTests
{
    private static readonly string RepoRoot = typeof(FieldNamesInOnePlaceTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    [Fact]
    public void No_source_outside_the_model_reaches_a_manifest_field_by_a_string_key()
    {
        var access = Access();
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoRoot, "src"), "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(RepoRoot, file).Replace('\\', '/');
            if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal)
                || relative.EndsWith("ManifestSchema.cs", StringComparison.Ordinal) || relative.EndsWith("Model/ManifestModel.g.cs", StringComparison.Ordinal))
            {
                continue;
            }

            int number = 0;
            foreach (var line in File.ReadLines(file))
            {
                number++;
                if (access.IsMatch(line))
                {
                    offenders.Add($"{relative}({number}): {line.Trim()}");
                }
            }
        }

        Assert.True(offenders.Count == 0, "Use the typed model (OpenTrain.Lineage.Model) instead of string keys:\n" + string.Join("\n", offenders));
    }

    [Theory]
    [InlineData("var license = root[\"model\"]?[\"license\"];")]
    [InlineData("if (parent.GetProperty(\"sha256\") is { } pin)")]
    [InlineData("text.Append(\"  \\\"manifestVersion\\\": \\\"1.0\\\",\\n\");")]
    public void The_check_rejects_the_ways_the_code_reached_fields_before(string line) => Assert.Matches(Access(), line);

    [Theory]
    [InlineData("var license = model.License.Text;")]
    [InlineData("json.Property(\"name\", model.Name)")]
    public void The_check_accepts_typed_access_and_other_formats(string line) => Assert.DoesNotMatch(Access(), line);

    private static Regex Access()
    {
        var names = typeof(FieldNames).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Contains("availability", names);
        string alternatives = string.Join("|", names.Select(Regex.Escape));
        return new Regex(
            $@"\[\s*""(?:{alternatives})""\s*\]"                       // value["name"]
            + $@"|GetProperty\(\s*""(?:{alternatives})""\s*\)"          // GetProperty("name")
            + $@"|Append\(\s*""\s*\\""(?:{alternatives})\\"":",         // text.Append("\"name\": ...") — hand-built manifest JSON
            RegexOptions.CultureInvariant);
    }
}
