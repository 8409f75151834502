using Microsoft.CodeAnalysis;

namespace OpenTrainAnalyzers.Tests;

/// <summary>Every analyzer diagnostic has its page under docs/rules, linked from the diagnostic, stating its severity.</summary>
public class RuleDocumentationTests
{
    private static readonly string RepoRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));

    [Fact]
    public void Every_analyzer_rule_has_a_page_that_states_its_default_severity()
    {
        var descriptors = new ModelLoadAnalyzer().SupportedDiagnostics;
        Assert.NotEmpty(descriptors);
        Assert.All(descriptors, d =>
        {
            string page = Path.Combine(RepoRoot, "docs", "rules", d.Id + ".md");
            Assert.True(File.Exists(page), $"{d.Id} has no page docs/rules/{d.Id}.md");
            string text = File.ReadAllText(page);
            Assert.StartsWith($"# {d.Id}: ", text, StringComparison.Ordinal);
            Assert.EndsWith($"/docs/rules/{d.Id}.md", d.HelpLinkUri, StringComparison.Ordinal);
            string severity = d.DefaultSeverity switch
            {
                DiagnosticSeverity.Error => "error",
                DiagnosticSeverity.Warning => "warning",
                DiagnosticSeverity.Info => "info",
                _ => "hidden",
            };
            Assert.True(text.Contains("**Severity:** " + severity, StringComparison.Ordinal), $"docs/rules/{d.Id}.md does not state the rule's severity ({severity})");
        });
    }
}
