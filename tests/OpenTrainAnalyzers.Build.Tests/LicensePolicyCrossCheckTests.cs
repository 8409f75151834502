using System.Reflection;
using System.Text.Json;
using OpenTrain.Lineage;

namespace OpenTrainAnalyzers.Build.Tests;

/// <summary>
/// The policy's SPDX expression semantics (OR: one branch suffices; AND: every part must be allowed; parentheses)
/// agree with npm's spdx-satisfies, an independent implementation, on generated expressions and allowlists of ids.
/// spdx-satisfies is installed with the other validators (npm ci --prefix build/validate); without it, or without
/// Node, the test is reported as skipped with the reason. WITH is not generated: spdx-satisfies wants the exception
/// on the allowlist, while the policy judges a licence with an exception by the licence (documented).
/// </summary>
public sealed class LicensePolicyCrossCheckTests : IDisposable
{
    private static readonly string RepoRoot = typeof(LicensePolicyCrossCheckTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
    private static readonly string Validate = Path.Combine(RepoRoot, "build", "validate");

    // Current SPDX ids spdx-satisfies knows, across categories (permissive, copyleft, non-commercial, public domain).
    private static readonly string[] Pool = { "MIT", "Apache-2.0", "BSD-3-Clause", "ISC", "GPL-3.0-only", "LGPL-2.1-only", "CC-BY-4.0", "CC-BY-NC-4.0", "CC-BY-SA-4.0", "CC0-1.0" };

    private readonly string _directory = Directory.CreateTempSubdirectory("opentrain-satisfies-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public void The_evaluator_agrees_with_spdx_satisfies_on_every_generated_case()
    {
        Skip.If(!Directory.Exists(Path.Combine(Validate, "node_modules", "spdx-satisfies")),
            "spdx-satisfies is not installed: run npm ci --prefix build/validate (.ci/run does).");
        Skip.If(Node(new[] { "--usage" }).ExitCode != 2, "Node.js is not on the PATH.");

        var random = new Random(20261206);
        var cases = new List<(string Expression, string[] Allowed)>();
        for (int i = 0; i < 2000; i++)
        {
            string expression = Expression(random, depth: 0);
            string[] allowed = Pool.Where(_ => random.Next(3) == 0).ToArray();
            cases.Add((expression, allowed.Length == 0 ? new[] { Pool[random.Next(Pool.Length)] } : allowed));
        }

        string input = Path.Combine(_directory, "cases.json");
        File.WriteAllText(input, JsonSerializer.Serialize(cases.Select(c => new { expression = c.Expression, allowed = c.Allowed })));
        var (exitCode, output) = Node(new[] { input });
        Assert.True(exitCode == 0, output);
        var theirs = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cases.Count, theirs.Length);

        var disagreements = new List<string>();
        for (int i = 0; i < cases.Count; i++)
        {
            bool ours = LicensePolicy.Parse(null, string.Join(";", cases[i].Allowed), null).Judge(cases[i].Expression).Allowed;
            if ((ours ? "allowed" : "denied") != theirs[i])
            {
                disagreements.Add($"{cases[i].Expression} with [{string.Join(", ", cases[i].Allowed)}]: ours {(ours ? "allowed" : "denied")}, spdx-satisfies {theirs[i]}");
            }
        }

        Assert.True(disagreements.Count == 0, string.Join("\n", disagreements.Take(20)));
        // Both outcomes occur, so the comparison is not vacuous.
        Assert.Contains("allowed", theirs);
        Assert.Contains("denied", theirs);
    }

    private static string Expression(Random random, int depth)
    {
        if (depth >= 3 || random.Next(3) == 0)
        {
            return Pool[random.Next(Pool.Length)];
        }

        int parts = random.Next(2, 4);
        string op = random.Next(2) == 0 ? " AND " : " OR ";
        var items = Enumerable.Range(0, parts).Select(_ => Expression(random, depth + 1)).Select(e => e.Contains(' ', StringComparison.Ordinal) ? "(" + e + ")" : e);
        return string.Join(op, items);
    }

    private static (int ExitCode, string Output) Node(IEnumerable<string> arguments) => NodeScript.Run(Validate, "spdx-satisfies-cases.mjs", arguments);
}
