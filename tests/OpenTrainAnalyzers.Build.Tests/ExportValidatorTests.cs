using System.Reflection;

namespace OpenTrainAnalyzers.Build.Tests;

/// <summary>
/// Independent implementations read every golden export: the official CycloneDX JavaScript library's strict validator,
/// and SHACL validation of the SPDX documents against the official spdx-model.ttl (build/validate). The npm packages
/// are installed by .ci/run (npm ci --prefix build/validate); without them, or without Node or the schema folder, the
/// tests are reported as skipped with the reason.
/// </summary>
public sealed class ExportValidatorTests : IDisposable
{
    private static readonly string RepoRoot = typeof(ExportValidatorTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
    private static readonly string Validate = Path.Combine(RepoRoot, "build", "validate");
    private static readonly string Schemas = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "reference", "schemas"));
    private static readonly string Golden = Path.Combine(RepoRoot, "tests", "OpenTrainAnalyzers.Build.Tests", "Golden", "exports");

    private readonly string _directory = Directory.CreateTempSubdirectory("opentrain-validators-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public void Every_golden_export_is_valid_for_the_cyclonedx_library_and_the_spdx_shacl_shapes()
    {
        SkipUnlessInstalled();
        var arguments = new List<string> { "--schemas", Schemas };
        foreach (var file in Directory.GetFiles(Golden, "*.cdx.json").Order(StringComparer.Ordinal))
        {
            arguments.AddRange(new[] { "--cdx", file });
        }

        foreach (var file in Directory.GetFiles(Golden, "*.spdx.json").Order(StringComparer.Ordinal))
        {
            arguments.AddRange(new[] { "--spdx", file });
        }

        var (exitCode, output) = Node(arguments);

        Assert.True(exitCode == 0, output);
        Assert.Equal(4, output.Split('\n').Count(l => l.StartsWith("cyclonedx ok:", StringComparison.Ordinal)));
        Assert.Equal(4, output.Split('\n').Count(l => l.StartsWith("spdx ok:", StringComparison.Ordinal)));
    }

    [SkippableFact]
    public void The_exports_of_every_fact_coverage_manifest_pass_the_cyclonedx_library_and_the_spdx_shacl_shapes()
    {
        SkipUnlessInstalled();
        var arguments = new List<string> { "--schemas", Schemas };
        int index = 0;
        foreach (var manifest in ExportFactCoverageTests.ManifestPaths)
        {
            var set = ExportFactCoverageTests.Load(manifest).Set;
            string stem = Path.Combine(_directory, "facts-" + (index++).ToString(System.Globalization.CultureInfo.InvariantCulture));
            File.WriteAllText(stem + ".cdx.json", OpenTrainAnalyzers.Build.Export.CycloneDxExport.Write(set));
            File.WriteAllText(stem + ".spdx.json", OpenTrainAnalyzers.Build.Export.SpdxExport.Write(set));
            arguments.AddRange(new[] { "--cdx", stem + ".cdx.json", "--spdx", stem + ".spdx.json" });
        }

        var (exitCode, output) = Node(arguments);

        Assert.True(exitCode == 0, output);
        Assert.Equal(index, output.Split('\n').Count(l => l.StartsWith("cyclonedx ok:", StringComparison.Ordinal)));
        Assert.Equal(index, output.Split('\n').Count(l => l.StartsWith("spdx ok:", StringComparison.Ordinal)));
    }

    [SkippableFact]
    public void The_validators_fail_on_broken_exports_and_shacl_only_targets_anything_with_the_class_typing()
    {
        SkipUnlessInstalled();
        string brokenSpdx = Path.Combine(_directory, "broken.spdx.json");
        File.WriteAllText(brokenSpdx, File.ReadAllText(Path.Combine(Golden, "demo.spdx.json")).Replace("\"software_primaryPurpose\": \"model\"", "\"software_primaryPurpose\": \"nonsense\"", StringComparison.Ordinal));
        string brokenCdx = Path.Combine(_directory, "broken.cdx.json");
        File.WriteAllText(brokenCdx, File.ReadAllText(Path.Combine(Golden, "demo.cdx.json")).Replace("\"alg\": \"SHA-256\"", "\"alg\": \"SHA-257\"", StringComparison.Ordinal));

        var spdx = Node(new[] { "--schemas", Schemas, "--spdx", brokenSpdx });
        var cdx = Node(new[] { "--cdx", brokenCdx });
        var trap = Node(new[] { "--without-class-typing", "--schemas", Schemas, "--spdx", brokenSpdx });

        Assert.True(spdx.ExitCode == 1 && spdx.Output.Contains("Value is not one of the allowed values", StringComparison.Ordinal), spdx.Output);
        Assert.True(cdx.ExitCode == 1 && cdx.Output.Contains("cyclonedx INVALID", StringComparison.Ordinal), cdx.Output);
        Assert.True(trap.ExitCode == 0, "without rdfs:Class typing nothing is targeted, so the broken document 'conforms': " + trap.Output);
    }

    private static void SkipUnlessInstalled()
    {
        Skip.If(!Directory.Exists(Schemas), "The official schemas are not beside the project (../shared/reference/schemas).");
        Skip.If(!Directory.Exists(Path.Combine(Validate, "node_modules", "rdf-validate-shacl")) || !Directory.Exists(Path.Combine(Validate, "node_modules", "@cyclonedx")),
            "The validators are not installed: run npm ci --prefix build/validate (.ci/run does).");
        // The script answers a lone flag with a usage error (exit 2): that proves Node runs it.
        Skip.If(Node(new[] { "--usage" }).ExitCode != 2, "Node.js is not on the PATH.");
    }

    private static (int ExitCode, string Output) Node(IEnumerable<string> arguments) => NodeScript.Run(Validate, "validate-exports.mjs", arguments);
}
