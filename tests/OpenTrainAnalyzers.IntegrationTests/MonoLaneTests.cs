using System.Diagnostics;
using System.IO.Compression;
using Xunit.Abstractions;

namespace OpenTrainAnalyzers.IntegrationTests;

/// <summary>
/// The .NET Framework task, executed: the packed <c>tools/netframework</c> task (what Visual Studio and MSBuild.exe
/// load) runs under Mono with the real net472 Microsoft.Build.Utilities.Core and a fake build engine
/// (build/lanes/TaskRunner), and its findings must equal, line for line, those of the packed <c>tools/net</c> task run
/// by the same runner under dotnet: on the demo manifest (passes) and on failing manifests (levels, FIFO, links,
/// loops, control characters, stale root digest).
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class MonoLaneTests
{
    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _output;

    public MonoLaneTests(PackageFixture package, ITestOutputHelper output)
    {
        _package = package;
        _output = output;
    }

    [SkippableFact]
    public void The_net472_task_under_Mono_finds_exactly_what_the_net8_task_finds()
    {
        string? mono = OnPath("mono");
        if (mono is null || OperatingSystem.IsWindows())
        {
            // Reported as skipped, with the reason; but where CI asked for the lane (.ci/run sets this), it must run.
            string why = OperatingSystem.IsWindows()
                ? "The Mono lane runs on Linux/macOS (on Windows, MSBuild.exe itself runs the .NET Framework task)."
                : "'mono' is not on PATH; install Debian's mono-runtime and mono-devel (apt-get install mono-devel) to run the .NET Framework task.";
            Assert.False(Environment.GetEnvironmentVariable("OPENTRAIN_REQUIRE_MONO") == "1", why);
            Skip.If(true, why);
        }

        // The runner, for both frameworks.
        string runnerProject = Path.Combine(_package.RepoRoot, "build", "lanes", "TaskRunner", "OpenTrain.TaskRunner.csproj");
        var build = DotNet.Run(_package.RepoRoot, new Dictionary<string, string> { ["MSBUILDDISABLENODEREUSE"] = "1" }, "build", runnerProject, "-c", "Release", "-nologo");
        Assert.True(build.ExitCode == 0, build.Output);
        string runners = Path.Combine(_package.RepoRoot, "build", "lanes", "TaskRunner", "bin", "Release");

        // The tasks, from the packed nupkg.
        string work = Directory.CreateTempSubdirectory("opentrain-mono-lane-").FullName;
        try
        {
            string package = Path.Combine(work, "package");
            ZipFile.ExtractToDirectory(_package.Package, package);
            string netTask = Path.Combine(package, "tools", "net", "OpenTrainAnalyzers.Build.dll");
            string frameworkTask = Path.Combine(package, "tools", "netframework", "OpenTrainAnalyzers.Build.dll");
            Assert.True(File.Exists(netTask) && File.Exists(frameworkTask), string.Join("\n", Directory.EnumerateFiles(Path.Combine(package, "tools"), "*", SearchOption.AllDirectories)));

            string models = Path.Combine(work, "models");
            Directory.CreateDirectory(models);
            foreach (var file in Directory.EnumerateFiles(Path.Combine(_package.RepoRoot, "samples", "IrisDemo", "models")))
            {
                File.Copy(file, Path.Combine(models, Path.GetFileName(file)));
            }

            string demo = Path.Combine(models, "iris-species.lineage.json");
            string[] failing = Failing(models, File.ReadAllText(demo));
            string project = Path.Combine(work, "app.csproj");

            foreach (var (level, manifests) in new[] { ("declared", new[] { demo }), ("open-science", failing.Prepend(demo).ToArray()) })
            {
                var onMono = Run(mono, new[] { Path.Combine(runners, "net472", "OpenTrain.TaskRunner.exe"), frameworkTask, project, level }.Concat(manifests), Path.Combine(work, "obj-mono"));
                var onDotnet = Run("dotnet", new[] { Path.Combine(runners, "net8.0", "OpenTrain.TaskRunner.dll"), netTask, project, level }.Concat(manifests), Path.Combine(work, "obj-dotnet"));
                Assert.Contains("runtime\tmono", onMono);
                Assert.Contains(onDotnet, l => l.StartsWith("runtime\tdotnet", StringComparison.Ordinal));
                Assert.Equal(onDotnet.Where(l => !l.StartsWith("runtime\t", StringComparison.Ordinal)), onMono.Where(l => !l.StartsWith("runtime\t", StringComparison.Ordinal)));
                if (level == "open-science")
                {
                    // Parents found by identity in the lineage source: the tampered pin and the unknown identity on Mono too.
                    Assert.Contains(onMono, l => l.Contains("OTL0508", StringComparison.Ordinal) && l.Contains("by-identity-tampered", StringComparison.Ordinal));
                    Assert.Contains(onMono, l => l.Contains("OTL0501", StringComparison.Ordinal) && l.Contains("by-identity-unknown", StringComparison.Ordinal));
                    Assert.DoesNotContain(onMono, l => l.Contains("by-identity.lineage.json", StringComparison.Ordinal) && (l.Contains("OTL0501", StringComparison.Ordinal) || l.Contains("OTL0508", StringComparison.Ordinal)));
                }

                _output.WriteLine($"{level}: {onMono.Count(l => l.StartsWith("error\t", StringComparison.Ordinal))} error(s), {onMono.Count(l => l.StartsWith("warning\t", StringComparison.Ordinal))} warning(s), equal on Mono and dotnet.");
                // The cache and the reports were written by each runtime (the .NET Framework path uses File.Replace) and say the same.
                foreach (var report in new[] { "lineage.json", "lineage.sarif", "weights.sha256.cache" })
                {
                    Assert.Equal(File.ReadAllText(Path.Combine(work, "obj-dotnet", report)).Replace("obj-dotnet", "obj-X", StringComparison.Ordinal), File.ReadAllText(Path.Combine(work, "obj-mono", report)).Replace("obj-mono", "obj-X", StringComparison.Ordinal));
                }

                if (level == "declared")
                {
                    Assert.Contains("result\ttrue", onMono);
                    Assert.DoesNotContain(onMono, l => l.StartsWith("error\t", StringComparison.Ordinal) || l.StartsWith("warning\t", StringComparison.Ordinal));
                }
                else
                {
                    Assert.Contains("result\tfalse", onMono);
                    var codes = onMono.Where(l => l.StartsWith("error\t", StringComparison.Ordinal)).Select(l => l.Split('\t')[1]).ToHashSet();
                    Assert.Superset(new HashSet<string> { "OTL0100", "OTL0106", "OTL0200", "OTL0201", "OTL0202", "OTL0203", "OTL0205", "OTL0300" }, codes);
                    Assert.DoesNotContain("OTL0011", codes);
                }
            }

            // The scaffold command's task loads YamlDotNet from beside it: under Mono from tools/netframework. Both runtimes
            // must write the same manifest from the same Hugging Face folder and print the same lines.
            var scaffolded = new Dictionary<string, (List<string> Lines, string Manifest)>();
            foreach (var (runtime, program, runner, task) in new[]
            {
                ("mono", mono, Path.Combine(runners, "net472", "OpenTrain.TaskRunner.exe"), frameworkTask),
                ("dotnet", "dotnet", Path.Combine(runners, "net8.0", "OpenTrain.TaskRunner.dll"), netTask),
            })
            {
                string app = Path.Combine(work, "scaffold-" + runtime);
                string folder = Path.Combine(app, "models", "tiny-chat-1b-instruct-GGUF");
                Directory.CreateDirectory(folder);
                foreach (var file in Directory.GetFiles(Path.Combine(_package.RepoRoot, "tests", "OpenTrainAnalyzers.Build.Tests", "Fixtures", "hub", "tiny-chat-1b-instruct-GGUF")))
                {
                    File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
                }

                var lines = Run(program, new[] { runner, task, Path.Combine(app, "app.csproj"), "scaffold", "models/tiny-chat-1b-instruct-GGUF" }, Path.Combine(work, "obj-" + runtime));
                Assert.Contains("result\ttrue", lines);
                scaffolded[runtime] = (lines.Where(l => !l.StartsWith("runtime\t", StringComparison.Ordinal)).ToList(), File.ReadAllText(Path.Combine(app, "models", "tiny-chat-1b-instruct-GGUF.lineage.json")));
            }

            Assert.Contains("\"license\": \"Apache-2.0\"", scaffolded["mono"].Manifest, StringComparison.Ordinal);
            Assert.Equal(scaffolded["dotnet"].Manifest, scaffolded["mono"].Manifest);
            Assert.Equal(scaffolded["dotnet"].Lines, scaffolded["mono"].Lines);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Manifests that fail in every family the task handles, including the file-system traps.</summary>
    private static string[] Failing(string models, string demo)
    {
        string Weights(string path, long size = 2062) => demo
            .Replace("\"path\": \"iris-species.onnx\"", "\"path\": \"" + path + "\"", StringComparison.Ordinal)
            .Replace("\"size\": 2062", "\"size\": " + size, StringComparison.Ordinal);
        var manifests = new List<string>();
        void Write(string name, string text)
        {
            File.WriteAllText(Path.Combine(models, name), text);
            manifests.Add(Path.Combine(models, name));
        }

        byte[] flipped = File.ReadAllBytes(Path.Combine(models, "iris-species.onnx"));
        flipped[100] ^= 0xFF;
        File.WriteAllBytes(Path.Combine(models, "flipped.onnx"), flipped);
        Write("flipped.lineage.json", Weights("flipped.onnx"));
        Write("size.lineage.json", Weights("iris-species.onnx", 2061));
        Write("stale-root.lineage.json", demo.Replace("7d03c2c6e4905ad2dba629dc73a43d46e6c3ca674b2ca97f989d1d7da784a335", "127e11f360d49350b0f261be787ee83a35209b664efec25aaac1f5e3f204e3d4", StringComparison.Ordinal));
        Write("control.lineage.json", Weights("a\\u0000\\u001b[31m.onnx"));
        Write("surrogate.lineage.json", demo.Replace("\"name\": \"iris-species\"", "\"name\": \"iris\\udc00\"", StringComparison.Ordinal));
        File.CreateSymbolicLink(Path.Combine(models, "secret.onnx"), "/etc/hostname");
        Write("outside.lineage.json", Weights("secret.onnx", new FileInfo("/etc/hostname").Length));
        File.CreateSymbolicLink(Path.Combine(models, "loop-a.onnx"), "loop-b.onnx");
        File.CreateSymbolicLink(Path.Combine(models, "loop-b.onnx"), "loop-a.onnx");
        Write("loop.lineage.json", Weights("loop-a.onnx"));
        Mkfifo(Path.Combine(models, "pipe.onnx"));
        Write("fifo-weight.lineage.json", Weights("pipe.onnx", 0));
        Mkfifo(Path.Combine(models, "pipe.lineage.json"));
        manifests.Add(Path.Combine(models, "pipe.lineage.json"));

        // A lineage source (OPENTRAIN_LANE_SOURCES): the base by identity, a linked folder and a FIFO that are never read.
        string vetted = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(models)!, "vetted", "contoso")).FullName;
        string baseText = demo.Replace("\"name\": \"iris-species\",", "\"name\": \"iris-base\",\n    \"identifiers\": {\"huggingface\": \"contoso/iris-base\"},", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(vetted, "iris-base.lineage.json"), baseText);
        Directory.CreateSymbolicLink(Path.Combine(vetted, "linked"), "/etc");
        Mkfifo(Path.Combine(vetted, "pipe.lineage.json"));
        string pin = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(baseText))).ToLowerInvariant();
        string ByIdentity(string sha) => demo.Replace("\"derivation\": \"from-scratch\"",
            "\"derivation\": \"finetune\", \"parents\": [{\"name\": \"iris-base\", \"relation\": \"finetune\", \"identifiers\": {\"huggingface\": \"contoso/iris-base\"}, \"manifest\": {\"sha256\": \"" + sha + "\"}}]",
            StringComparison.Ordinal);
        Write("by-identity.lineage.json", ByIdentity(pin));
        Write("by-identity-tampered.lineage.json", ByIdentity(new string('0', 64)));
        Write("by-identity-unknown.lineage.json", ByIdentity(pin).Replace("\"contoso/iris-base\"}, \"manifest\"", "\"contoso/unknown\"}, \"manifest\"", StringComparison.Ordinal));
        return manifests.ToArray();
    }

    private static List<string> Run(string program, IEnumerable<string> arguments, string obj)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["OPENTRAIN_LANE_OBJ"] = obj;
        start.Environment["OPENTRAIN_LANE_SOURCES"] = Path.Combine(Path.GetDirectoryName(obj)!, "vetted");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "DOTNET_HOST_PATH" })
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var stdout = new System.Text.StringBuilder();
        var stderr = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} did not finish in 2 minutes (a hang):\n{stdout}");
        }

        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} exited with {process.ExitCode}:\n{stdout}\n{stderr}");
        return stdout.ToString().Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
    }

    private static void Mkfifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", new[] { path }) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    private static string? OnPath(string name) => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, name))
        .FirstOrDefault(File.Exists);
}
