using System.Reflection;
using OpenTrain.Lineage;

namespace OpenTrain.Lineage.Tests;

internal static class Fixture
{
    /// <summary>The repository's root folder (set by the test project from $(RepoRoot)).</summary>
    public static string RepoRoot { get; } = typeof(Fixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    public static string Complete { get; } = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "complete.lineage.json"));

    /// <summary>The complete fixture with one exact text replaced (the replaced text must exist).</summary>
    public static string With(string find, string replace)
    {
        Assert.Contains(find, Complete);
        return Complete.Replace(find, replace);
    }

    public static LineageEvaluation Evaluate(string json) => CompletenessPolicy.Evaluate(LineageManifest.Read(json));

    /// <summary>The findings of the levels (not of profiles such as osaid-1.0).</summary>
    public static List<LineageFinding> LevelFindings(this LineageEvaluation evaluation) => evaluation.Findings.Where(f => f.Profile is null).ToList();

    /// <summary>1-based line of the first occurrence of <paramref name="text"/> in <paramref name="json"/>.</summary>
    public static int LineOf(string json, string text)
    {
        int index = json.IndexOf(text, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{text}' not found");
        return json.Take(index).Count(c => c == '\n') + 1;
    }
}
