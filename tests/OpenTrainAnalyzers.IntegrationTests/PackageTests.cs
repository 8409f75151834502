using System.IO.Compression;
using System.Security.Cryptography;

namespace OpenTrainAnalyzers.IntegrationTests;

[Collection(PackageCollection.Name)]
public sealed class PackageTests
{
    private readonly PackageFixture _package;

    public PackageTests(PackageFixture package) => _package = package;

    [Fact]
    public void The_nupkg_has_the_analyzer_task_and_build_layout_and_nothing_else()
    {
        using var zip = ZipFile.OpenRead(_package.Package);
        var entries = zip.Entries.Select(e => e.FullName)
            .Where(n => !n.StartsWith("_rels/", StringComparison.Ordinal) && !n.StartsWith("package/", StringComparison.Ordinal) && n != "[Content_Types].xml")
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(
            new[]
            {
                "OpenTrainAnalyzers.nuspec",
                "README.md",
                "THIRD-PARTY-NOTICES.txt",
                "analyzers/dotnet/cs/OpenTrain.Lineage.dll",
                "analyzers/dotnet/cs/OpenTrainAnalyzers.CodeFixes.dll",
                "analyzers/dotnet/cs/OpenTrainAnalyzers.dll",
                "build/OpenTrainAnalyzers.props",
                "build/OpenTrainAnalyzers.targets",
                "buildMultiTargeting/OpenTrainAnalyzers.props",
                "buildMultiTargeting/OpenTrainAnalyzers.targets",
                "buildTransitive/OpenTrainAnalyzers.props",
                "buildTransitive/OpenTrainAnalyzers.targets",
                "schema/training-lineage-1.0.schema.json",
                "tools/annotations/OpenTrain.Annotations.dll",
                "tools/annotations/OpenTrain.Annotations.xml",
                "tools/net/OpenTrain.Lineage.dll",
                "tools/net/OpenTrainAnalyzers.Build.deps.json",
                "tools/net/OpenTrainAnalyzers.Build.dll",
                "tools/net/YamlDotNet.dll", // the scaffold command's only dependency (THIRD-PARTY-NOTICES.txt)
                "tools/netframework/OpenTrain.Lineage.dll",
                "tools/netframework/OpenTrainAnalyzers.Build.dll",
                "tools/netframework/YamlDotNet.dll",
            },
            entries);

        using var nuspec = new StreamReader(zip.GetEntry("OpenTrainAnalyzers.nuspec")!.Open());
        string metadata = nuspec.ReadToEnd();
        Assert.Contains("<developmentDependency>true</developmentDependency>", metadata, StringComparison.Ordinal);
        Assert.Contains("<license type=\"expression\">MIT</license>", metadata, StringComparison.Ordinal);
        Assert.Contains("<readme>README.md</readme>", metadata, StringComparison.Ordinal);
        Assert.DoesNotContain("<dependency ", metadata, StringComparison.Ordinal);
    }

    [Fact]
    public void The_undocumented_load_warns_and_the_documented_model_passes_at_declared()
    {
        string project = _package.CreateProject("OnnxApp");

        var build = _package.Build(project);

        Assert.True(build.ExitCode == 0, build.Output);
        var warning = Assert.Single(build.WithId("OTA0001"));
        Assert.Equal(Path.Combine(project, "Program.cs"), warning.File);
        Assert.Equal(7, warning.Line);
        Assert.Contains("models/vendor-flowers.onnx", warning.Message, StringComparison.Ordinal);
        Assert.Contains("run 'dotnet build -t:OpenTrainScaffold -p:OpenTrainScaffoldPath=models/vendor-flowers.onnx'", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(build.Diagnostics, d => d.Severity == "error");
        // The weights-only model also ships to the output without a manifest: the gate says so, at the project.
        var shipped = Assert.Single(build.Diagnostics, d => d.Id.StartsWith("OTL", StringComparison.Ordinal));
        Assert.Equal("OTL0207", shipped.Id);
        Assert.Contains("vendor-flowers.onnx", shipped.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(build.Diagnostics, d => d.Id is "AD0001" or "MSB4018" or "CS8032");
        Assert.Contains("OpenTrain: 1 lineage manifest(s) checked against 'declared'", build.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_science_fails_with_one_located_error_per_missing_element()
    {
        string project = _package.CreateProject("OnnxApp");

        var build = _package.Build(project, "OpenTrainRequiredLevel=open-science");

        Assert.NotEqual(0, build.ExitCode);
        var errors = build.Diagnostics.Where(d => d.Severity == "error").ToList();
        Assert.NotEmpty(errors);
        string manifest = Path.Combine(project, "models", "iris-species.lineage.json");
        Assert.All(errors, e =>
        {
            Assert.StartsWith("OTL", e.Id, StringComparison.Ordinal);
            Assert.Equal(manifest, e.File);
            Assert.True(e.Line > 1 && e.Column > 0, e.ToString());
        });
        Assert.Contains(errors, e => e.Id == "OTL0300" && e.Message.Contains("$.training.checkpoints", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Id == "OTL0310");
    }

    [Fact]
    public void A_flipped_byte_fails_the_build_and_the_kill_switch_silences_everything()
    {
        string project = _package.CreateProject("OnnxApp");
        string weights = Path.Combine(project, "models", "iris-species.onnx");
        byte[] bytes = File.ReadAllBytes(weights);
        bytes[100] ^= 0x01;
        File.WriteAllBytes(weights, bytes);
        var before = Checksums(project);

        var gated = _package.Build(project);
        var silenced = _package.Build(project, "OpenTrainEnabled=false");

        Assert.NotEqual(0, gated.ExitCode);
        var error = Assert.Single(gated.WithId("OTL0201"));
        Assert.Equal(Path.Combine(project, "models", "iris-species.lineage.json"), error.File);
        Assert.Equal(LineOf(error.File, "\"sha256\""), error.Line);

        Assert.True(silenced.ExitCode == 0, silenced.Output);
        Assert.DoesNotContain(silenced.Diagnostics, d => d.Id.StartsWith("OT", StringComparison.Ordinal));
        Assert.Equal(before, Checksums(project)); // the gate reads the user's files, it never writes them
    }

    [Fact]
    public void A_brand_new_console_project_gets_the_warning_from_the_installed_package()
    {
        string project = Path.Combine(_package.Projects, "console-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(project);
        File.Copy(_package.NuGetConfig, Path.Combine(project, "nuget.config"));
        Assert.Equal(0, DotNet.Run(project, _package.Environment, "new", "console", "--framework", "net10.0").ExitCode);
        var addOnnx = DotNet.Run(project, _package.Environment, "add", "package", "Microsoft.ML.OnnxRuntime", "--version", "1.31.1");
        var addOurs = DotNet.Run(project, _package.Environment, "add", "package", "OpenTrainAnalyzers", "--version", PackageFixture.Version);
        Assert.True(addOnnx.ExitCode == 0, addOnnx.Output);
        Assert.True(addOurs.ExitCode == 0, addOurs.Output);
        File.WriteAllText(Path.Combine(project, "Program.cs"), """
            using Microsoft.ML.OnnxRuntime;

            using var session = new InferenceSession("model.onnx");
            System.Console.WriteLine(session.InputNames.Count);
            """);
        File.WriteAllText(Path.Combine(project, "Linked.cs"), "[OpenTrain.Annotations.ModelLineage(\"lineage/missing.lineage.json\")] static class Linked { }\n");

        var build = DotNet.Run(project, _package.Environment, "build", "-nologo", "-clp:NoSummary");

        Assert.True(build.ExitCode == 0, build.Output);
        var warning = Assert.Single(build.WithId("OTA0001"));
        Assert.Equal(3, warning.Line);
        Assert.Contains("<IncludeAssets>runtime; build; native; contentfiles; analyzers; buildtransitive</IncludeAssets>", File.ReadAllText(Directory.GetFiles(project, "*.csproj").Single()), StringComparison.Ordinal);

        // A development dependency: nothing of the package reaches the app's output.
        Assert.Empty(Directory.GetFiles(Path.Combine(project, "bin"), "OpenTrain*.dll", SearchOption.AllDirectories));

        // The attribute compiles against the package's annotations assembly, and the analyzer sees it.
        var link = Assert.Single(build.WithId("OTA0002"));
        Assert.Equal((Path.Combine(project, "Linked.cs"), 1), (link.File, link.Line));
    }

    [Fact]
    public void Loaders_declared_in_OpenTrainLoaders_txt_are_checked_and_bad_lines_located()
    {
        string project = _package.CreateProject("OnnxApp");
        File.WriteAllText(Path.Combine(project, "ModelStore.cs"), """
            public static class ModelStore
            {
                public static Microsoft.ML.OnnxRuntime.InferenceSession Open(string path) => new Microsoft.ML.OnnxRuntime.InferenceSession(path);

                public static void Use() => Open("models/tuned.onnx").Dispose();
            }
            """);
        File.WriteAllText(Path.Combine(project, "OpenTrainLoaders.txt"), "# our wrapper\nM:ModelStore.Open(System.String);path\nM:ModelStore.Gone(System.String);path\n");

        var build = _package.Build(project);

        Assert.True(build.ExitCode == 0, build.Output);
        var wrapped = Assert.Single(build.WithId("OTA0001"), d => d.File.EndsWith("ModelStore.cs", StringComparison.Ordinal));
        Assert.Equal(5, wrapped.Line);
        Assert.Contains("models/tuned.onnx", wrapped.Message, StringComparison.Ordinal);
        var bad = Assert.Single(build.WithId("OTA0008"));
        Assert.Equal((Path.Combine(project, "OpenTrainLoaders.txt"), 3), (bad.File, bad.Line));
    }

    [Fact]
    public void A_multi_targeted_project_runs_the_gate_in_each_inner_build()
    {
        string project = _package.CreateProject("OnnxApp");
        File.Delete(Path.Combine(project, "Program.cs"));
        File.WriteAllText(Path.Combine(project, "Models.cs"), """
            public static class Models
            {
                public static Microsoft.ML.OnnxRuntime.InferenceSession Load() => new Microsoft.ML.OnnxRuntime.InferenceSession("models/iris-species.onnx");
            }
            """);
        string csproj = Path.Combine(project, "OnnxApp.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj)
            .Replace("<OutputType>Exe</OutputType>", "<OutputType>Library</OutputType>", StringComparison.Ordinal)
            .Replace("<TargetFramework>net10.0</TargetFramework>", "<TargetFrameworks>netstandard2.0;net10.0</TargetFrameworks><LangVersion>latest</LangVersion>", StringComparison.Ordinal));

        var passing = _package.Build(project);
        string weights = Path.Combine(project, "models", "iris-species.onnx");
        byte[] bytes = File.ReadAllBytes(weights);
        bytes[200] ^= 0x01;
        File.WriteAllBytes(weights, bytes);
        var failing = _package.Build(project);

        // Issue 19: the gate runs where each framework's facts are (OutDir, restore target, items), like the compiler:
        // a finding about a shared manifest is reported by each framework's build, with its TargetFramework suffix.
        Assert.True(passing.ExitCode == 0, passing.Output);
        Assert.Equal(2, passing.Output.Split('\n').Count(l => l.Contains("OpenTrain: 1 lineage manifest(s) checked", StringComparison.Ordinal)));
        Assert.NotEqual(0, failing.ExitCode);
        Assert.Equal(2, Occurrences(failing.Output, "error OTL0201"));
        Assert.Contains(failing.Output.Split('\n'), l => l.Contains("error OTL0201", StringComparison.Ordinal) && l.Contains("TargetFramework=netstandard2.0", StringComparison.Ordinal));
        Assert.Contains(failing.Output.Split('\n'), l => l.Contains("error OTL0201", StringComparison.Ordinal) && l.Contains("TargetFramework=net10.0", StringComparison.Ordinal));
    }

    /// <summary>
    /// Distinct output lines containing <paramref name="value"/>. MSBuild's console repeats an error line verbatim, but
    /// one logged per target framework carries a different "[project::TargetFramework=…]" suffix.
    /// </summary>
    private static int Occurrences(string text, string value) =>
        text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Contains(value, StringComparison.Ordinal)).Distinct().Count();

    private static Dictionary<string, string> Checksums(string directory) => Directory
        .EnumerateFiles(directory, "*", SearchOption.AllDirectories)
        .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        .ToDictionary(f => f, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    private static int LineOf(string file, string text) =>
        File.ReadAllLines(file).Select((line, i) => (line, i)).First(x => x.line.Contains(text, StringComparison.Ordinal)).i + 1;
}
