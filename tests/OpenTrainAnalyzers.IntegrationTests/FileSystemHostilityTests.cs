using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenTrainAnalyzers.IntegrationTests;

/// <summary>
/// Issue 13 in a real `dotnet build` against the packed nupkg: the file system arranged by a hostile user (FIFOs,
/// devices, links out of the project and in loops, control characters, lone surrogates, a stale root digest, a sparse
/// 64 GiB weight). Each case is a coded diagnostic in its own manifest; the build neither hangs nor crashes (no
/// MSB4018, OTL0011), reads no byte outside the project, and changes no file of the user's.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class FileSystemHostilityTests
{
    private readonly PackageFixture _package;
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public FileSystemHostilityTests(PackageFixture package, Xunit.Abstractions.ITestOutputHelper output)
    {
        _package = package;
        _output = output;
    }

    [Fact]
    public void Every_file_system_trap_is_a_coded_diagnostic_and_nothing_outside_is_read()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // FIFOs, /dev and POSIX links: the Linux/macOS lanes cover these
        }

        string project = _package.CreateProject("OnnxApp");
        string hostile = Directory.CreateDirectory(Path.Combine(project, "hostile")).FullName;
        string outside = Directory.CreateTempSubdirectory("opentrain-it-outside-").FullName;
        string demo = File.ReadAllText(Path.Combine(project, "models", "iris-species.lineage.json"));
        byte[] iris = File.ReadAllBytes(Path.Combine(project, "models", "iris-species.onnx"));
        string Weights(string path, long? size = null) => demo
            .Replace("\"path\": \"iris-species.onnx\"", "\"path\": \"" + path + "\"", StringComparison.Ordinal)
            .Replace("\"size\": 2062", "\"size\": " + (size ?? 2062), StringComparison.Ordinal);

        // FIFO manifest, FIFO weight declared with size 0.
        MakeFifo(Path.Combine(hostile, "fifo.lineage.json"));
        MakeFifo(Path.Combine(hostile, "pipe.onnx"));
        File.WriteAllText(Path.Combine(hostile, "fifo-weight.lineage.json"), Weights("pipe.onnx", size: 0));

        // /dev/zero as a manifest and as a weight, through links.
        File.CreateSymbolicLink(Path.Combine(hostile, "zero.lineage.json"), "/dev/zero");
        File.CreateSymbolicLink(Path.Combine(hostile, "zero.onnx"), "/dev/zero");
        File.WriteAllText(Path.Combine(hostile, "zero-weight.lineage.json"), Weights("zero.onnx"));

        // A link inside the manifest's folder (the Hugging Face layout) passes.
        Directory.CreateDirectory(Path.Combine(hostile, "blobs"));
        Directory.CreateDirectory(Path.Combine(hostile, "snapshots"));
        File.WriteAllBytes(Path.Combine(hostile, "blobs", "127e11f3"), iris);
        File.CreateSymbolicLink(Path.Combine(hostile, "snapshots", "iris.onnx"), "../blobs/127e11f3");
        File.WriteAllText(Path.Combine(hostile, "inside.lineage.json"), Weights("snapshots/iris.onnx"));

        // A link outside, to a "secret" of exactly the declared size: before, it was hashed and its digest printed.
        byte[] secret = RandomNumberGenerator.GetBytes(iris.Length);
        string secretPath = Path.Combine(outside, "id_rsa");
        File.WriteAllBytes(secretPath, secret);
        File.CreateSymbolicLink(Path.Combine(hostile, "secret.onnx"), secretPath);
        File.WriteAllText(Path.Combine(hostile, "outside.lineage.json"), Weights("secret.onnx"));

        // A link loop.
        File.CreateSymbolicLink(Path.Combine(hostile, "loop-a.onnx"), "loop-b.onnx");
        File.CreateSymbolicLink(Path.Combine(hostile, "loop-b.onnx"), "loop-a.onnx");
        File.WriteAllText(Path.Combine(hostile, "loop.lineage.json"), Weights("loop-a.onnx"));

        // NUL and ESC in paths and values; a lone surrogate.
        File.WriteAllText(Path.Combine(hostile, "nul.lineage.json"), Weights("iris\\u0000.onnx"));
        File.WriteAllText(Path.Combine(hostile, "esc.lineage.json"), Weights("iris\\u001b[31m.onnx").Replace(
            "\"sha256\": \"127e11f360d49350b0f261be787ee83a35209b664efec25aaac1f5e3f204e3d4\"", "\"sha256\": \"\\u001b]0;pwned\\u0007\\r\\nerror FAKE0001: injected\"", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(hostile, "surrogate.lineage.json"), demo.Replace("\"name\": \"iris-species\"", "\"name\": \"iris\\ud800\"", StringComparison.Ordinal));

        // A stale root digest: the file's own digest pasted as the root (the classic mistake).
        File.WriteAllBytes(Path.Combine(hostile, "iris.onnx"), iris);
        File.WriteAllText(Path.Combine(hostile, "stale-root.lineage.json"), Weights("iris.onnx").Replace(
            "7d03c2c6e4905ad2dba629dc73a43d46e6c3ca674b2ca97f989d1d7da784a335", "127e11f360d49350b0f261be787ee83a35209b664efec25aaac1f5e3f204e3d4", StringComparison.Ordinal));

        // A 64 GiB sparse weight declared with the wrong size.
        using (var sparse = File.Create(Path.Combine(hostile, "sparse.onnx")))
        {
            sparse.SetLength(64L * 1024 * 1024 * 1024);
        }

        File.WriteAllText(Path.Combine(hostile, "sparse.lineage.json"), Weights("sparse.onnx"));

        try
        {
            var before = Checksums(project);
            var build = _package.Build(project); // a FIFO opened or /dev/zero read would never end: DotNet.Run's backstop fails it

            Assert.NotEqual(0, build.ExitCode);
            Assert.DoesNotContain(build.Diagnostics, d => d.Id is "MSB4018" or "AD0001" or "OTL0011" or "CS8032");
            Expect(build, hostile, "fifo.lineage.json", "OTL0106", located: false, "a named pipe (FIFO)");
            Expect(build, hostile, "fifo-weight.lineage.json", "OTL0200", located: true, "a named pipe (FIFO)");
            Expect(build, hostile, "zero.lineage.json", "OTL0106", located: false, "a character device ('/dev/zero')");
            Expect(build, hostile, "zero-weight.lineage.json", "OTL0203", located: true, "'/dev/zero' is outside");
            Expect(build, hostile, "outside.lineage.json", "OTL0203", located: true, "'" + secretPath + "' is outside");
            Expect(build, hostile, "loop.lineage.json", "OTL0200", located: true, "the links form a loop");
            Expect(build, hostile, "nul.lineage.json", "OTL0203", located: true, "'iris\\u0000.onnx'");
            Expect(build, hostile, "esc.lineage.json", "OTL0203", located: true, "'iris\\u001B[31m.onnx'");
            Expect(build, hostile, "esc.lineage.json", "OTL0206", located: true, "\\u001B]0;pwned\\u0007\\r\\nerror FAKE0001");
            Expect(build, hostile, "surrogate.lineage.json", "OTL0100", located: true, "Lone UTF-16 surrogate escape");
            Expect(build, hostile, "stale-root.lineage.json", "OTL0205", located: true, "7d03c2c6e4905ad2dba629dc73a43d46e6c3ca674b2ca97f989d1d7da784a335");
            Expect(build, hostile, "sparse.lineage.json", "OTL0202", located: true, "68,719,476,736 bytes");
            Assert.DoesNotContain(build.Diagnostics, d => d.File == Path.Combine(hostile, "inside.lineage.json"));
            Assert.DoesNotContain(build.Diagnostics, d => d.Id == "FAKE0001");

            // Nothing raw: no NUL, ESC or BEL reached the log; the secret's digest is nowhere.
            Assert.DoesNotContain(build.Output, c => c is '\0' or '\u001b' or '\u0007');
            string obj = Path.Combine(project, "obj", "Debug", "net10.0", "opentrain");
            string sarif = File.ReadAllText(Path.Combine(obj, "lineage.sarif"));
            string json = File.ReadAllText(Path.Combine(obj, "lineage.json"));
            string secretDigest = Convert.ToHexString(SHA256.HashData(secret)).ToLowerInvariant();
            foreach (var text in new[] { build.Output, sarif, json })
            {
                Assert.DoesNotContain(secretDigest, text, StringComparison.Ordinal);
            }

            // The 64 GiB file was sized by stat, not read: the only bytes hashed are the small weights of the project.
            long hashedBytes = long.Parse(Regex.Match(json, "\"hashedBytes\": ?(\\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(hashedBytes < 1024 * 1024, $"hashed {hashedBytes} bytes");
            Assert.Equal(before, Checksums(project));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void A_cache_folder_opted_in_with_the_property_or_the_item_makes_a_link_out_of_the_project_pass()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // creating symbolic links needs a privilege there
        }

        // The Hugging Face layout, outside the project: hub/models--x/snapshots/<rev>/model.onnx -> ../../blobs/<sha>.
        string hub = Directory.CreateTempSubdirectory("opentrain-it-hub-").FullName;
        try
        {
            string project = _package.CreateProject("OnnxApp");
            string models = Path.Combine(project, "models");
            string blob = Path.Combine(hub, "models--iris", "blobs", "127e11f360d49350b0f261be787ee83a35209b664efec25aaac1f5e3f204e3d4");
            string snapshot = Path.Combine(hub, "models--iris", "snapshots", "rev1");
            Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
            Directory.CreateDirectory(snapshot);
            File.Move(Path.Combine(models, "iris-species.onnx"), blob);
            File.CreateSymbolicLink(Path.Combine(snapshot, "iris-species.onnx"), "../../blobs/" + Path.GetFileName(blob));
            File.CreateSymbolicLink(Path.Combine(models, "iris-species.onnx"), Path.Combine(snapshot, "iris-species.onnx"));

            var refused = _package.Build(project);
            Assert.Contains(refused.Diagnostics, d => d.Id == "OTL0203" && d.Message.Contains("'" + blob + "' is outside", StringComparison.Ordinal));

            var byProperty = _package.Build(project, "OpenTrainAllowedLinkRoots=" + hub);
            Assert.True(byProperty.ExitCode == 0, byProperty.Output);
            Assert.DoesNotContain(byProperty.Diagnostics, d => d.Id.StartsWith("OTL02", StringComparison.Ordinal) && d.Id != "OTL0207");

            File.WriteAllText(Path.Combine(project, "Directory.Build.targets"), $"""
                <Project>
                  <ItemGroup><OpenTrainAllowedLinkRoot Include="{hub}" /></ItemGroup>
                </Project>
                """);
            var byItem = _package.Build(project);
            Assert.True(byItem.ExitCode == 0, byItem.Output);
        }
        finally
        {
            Directory.Delete(hub, recursive: true);
        }
    }

    [Fact]
    public void Ctrl_C_while_hashing_a_multi_GB_weight_stops_the_build_and_the_next_build_hashes_it_again()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // SIGINT; Windows has its own console control events
        }

        string project = _package.CreateProject("OnnxApp");
        string big = Path.Combine(project, "models", "big.onnx");
        const long Size = 16L * 1024 * 1024 * 1024;
        using (var sparse = File.Create(big))
        {
            sparse.SetLength(Size);
        }

        File.SetLastWriteTimeUtc(big, DateTime.UtcNow.AddHours(-1)); // old enough to be cached once hashed completely
        string demo = File.ReadAllText(Path.Combine(project, "models", "iris-species.lineage.json"));
        File.WriteAllText(Path.Combine(project, "models", "big.lineage.json"), demo
            .Replace("\"path\": \"iris-species.onnx\"", "\"path\": \"big.onnx\"", StringComparison.Ordinal)
            .Replace("\"size\": 2062", "\"size\": " + Size, StringComparison.Ordinal));

        // First build: interrupted with SIGINT (what Ctrl+C sends) once the task is hashing.
        var (exitCode, output, afterSignal) = BuildAndInterrupt(project);
        _output.WriteLine($"SIGINT to exit of dotnet build: {afterSignal.TotalSeconds:F2} s");
        Assert.NotEqual(0, exitCode);
        // Stopped mid-hash, not after it: a completed hash of the 16 GiB file would report its digest mismatch.
        Assert.DoesNotContain("OTL0201", output, StringComparison.Ordinal);
        Assert.Contains("OpenTrain: lineage validation cancelled", output, StringComparison.Ordinal); // the task's Cancel ran, not a kill
        Assert.DoesNotContain("OTL0011", output, StringComparison.Ordinal);
        Assert.DoesNotContain("MSB4018", output, StringComparison.Ordinal);
        string cache = Path.Combine(project, "obj", "Debug", "net10.0", "opentrain", "weights.sha256.cache");
        Assert.False(File.Exists(cache) && File.ReadAllText(cache).Contains("big.onnx", StringComparison.Ordinal), "a half-hashed file entered the cache");

        // Second build: the big file is hashed again, to its end (its declared digest is the iris one: OTL0201).
        var next = _package.Build(project);
        Assert.Contains(next.Diagnostics, d => d.Id == "OTL0201" && d.File.EndsWith("big.lineage.json", StringComparison.Ordinal));
        string json = File.ReadAllText(Path.Combine(project, "obj", "Debug", "net10.0", "opentrain", "lineage.json"));
        long hashedBytes = long.Parse(Regex.Match(json, "\"hashedBytes\": ?(\\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(hashedBytes >= Size, $"the next build hashed only {hashedBytes} bytes");
        _output.WriteLine($"next build hashed {hashedBytes:N0} bytes");
    }

    [Fact]
    public void The_same_project_validated_twice_at_once_never_corrupts_its_cache_or_reports_a_wrong_digest()
    {
        string project = _package.CreateProject("OnnxApp");
        string models = Path.Combine(project, "models");
        // A 512 MiB weight (sparse zeros) with its true digest, so each run hashes for a while and the two overlap.
        string weight = Path.Combine(models, "zeros.onnx");
        const long Size = 512L * 1024 * 1024;
        using (var sparse = File.Create(weight))
        {
            sparse.SetLength(Size);
        }

        string sha;
        using (var stream = File.OpenRead(weight))
        {
            sha = Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
        }

        string demo = File.ReadAllText(Path.Combine(models, "iris-species.lineage.json"));
        File.WriteAllText(Path.Combine(models, "zeros.lineage.json"), demo
            .Replace("\"path\": \"iris-species.onnx\"", "\"path\": \"zeros.onnx\"", StringComparison.Ordinal)
            .Replace("127e11f360d49350b0f261be787ee83a35209b664efec25aaac1f5e3f204e3d4", sha, StringComparison.Ordinal)
            .Replace("\"size\": 2062", "\"size\": " + Size, StringComparison.Ordinal)
            .Replace("7d03c2c6e4905ad2dba629dc73a43d46e6c3ca674b2ca97f989d1d7da784a335", Convert.ToHexString(SHA256.HashData(Convert.FromHexString(sha))).ToLowerInvariant(), StringComparison.Ordinal));
        var restore = DotNet.Run(project, _package.Environment, "restore", "-nologo");
        Assert.True(restore.ExitCode == 0, restore.Output);
        string cache = Path.Combine(project, "obj", "Debug", "net10.0", "opentrain", "weights.sha256.cache");

        for (int round = 0; round < 3; round++)
        {
            // A new last-write time: the cache cannot answer, both runs hash the file and both save the cache.
            File.SetLastWriteTimeUtc(weight, DateTime.UtcNow.AddMinutes(-10 - round));
            var results = new BuildResult[2];
            var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
                results[i] = DotNet.Run(project, _package.Environment, "msbuild", "-nologo", "-t:OpenTrainValidateLineage", "-p:OpenTrainWriteReports=false"))).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            foreach (var result in results)
            {
                Assert.True(result.ExitCode == 0, result.Output);
                Assert.DoesNotContain(result.Diagnostics, d => d.Severity == "error");
            }

            string text = File.ReadAllText(cache);
            string[] lines = text.Split('\n');
            Assert.Equal("opentrain-weight-hashes v1", lines[0]);
            Assert.Equal("end\t" + (lines.Length - 3), lines[^2]);
            Assert.Contains(sha + "\t" + Size + "\t", text, StringComparison.Ordinal);
        }

        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(cache)!, "*.tmp"));
    }

    [Fact]
    public void Two_projects_sharing_a_weights_folder_built_with_m_both_verify_it()
    {
        string first = _package.CreateProject("OnnxApp");
        string second = _package.CreateProject("OnnxApp");
        string shared = Path.Combine(Path.GetDirectoryName(first)!, "shared-" + Path.GetFileName(first));
        Directory.CreateDirectory(shared);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(first, "models"), "iris-species.*"))
        {
            File.Copy(file, Path.Combine(shared, Path.GetFileName(file)));
        }

        File.SetLastWriteTimeUtc(Path.Combine(shared, "iris-species.onnx"), DateTime.UtcNow.AddMinutes(-10));
        foreach (var project in new[] { first, second })
        {
            File.WriteAllText(Path.Combine(project, "Directory.Build.targets"), $"""
                <Project>
                  <ItemGroup><OpenTrainManifest Include="{Path.Combine(shared, "iris-species.lineage.json")}" /></ItemGroup>
                </Project>
                """);
            var restore = DotNet.Run(project, _package.Environment, "restore", "-nologo");
            Assert.True(restore.ExitCode == 0, restore.Output);
        }

        string dirs = Path.Combine(Path.GetDirectoryName(first)!, "dirs-" + Path.GetFileName(first) + ".proj");
        File.WriteAllText(dirs, $"""
            <Project>
              <Target Name="Build">
                <MSBuild Projects="{Path.Combine(first, "OnnxApp.csproj")};{Path.Combine(second, "OnnxApp.csproj")}" Targets="Build" BuildInParallel="true" />
              </Target>
            </Project>
            """);
        for (int round = 0; round < 2; round++)
        {
            var build = DotNet.Run(Path.GetDirectoryName(first)!, _package.Environment, "msbuild", dirs, "-m:2", "-nologo", "-v:n");
            Assert.True(build.ExitCode == 0, build.Output);
            Assert.DoesNotContain(build.Diagnostics, d => d.Severity == "error");
            // Each project checked the shared manifest with its own cache in its own obj/.
            Assert.Equal(2, Regex.Matches(build.Output, "OpenTrain: 2 lineage manifest\\(s\\) checked").Count);
            foreach (var project in new[] { first, second })
            {
                string cache = File.ReadAllText(Path.Combine(project, "obj", "Debug", "net10.0", "opentrain", "weights.sha256.cache"));
                Assert.Contains("127e11f360d49350b0f261be787ee83a35209b664efec25aaac1f5e3f204e3d4\t2062\t", cache, StringComparison.Ordinal);
            }
        }
    }

    private (int ExitCode, string Output, TimeSpan AfterSignal) BuildAndInterrupt(string project)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = project, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "build", "-nologo", "-v:d" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "DOTNET_HOST_PATH", "VSTEST_HOST_DEBUG" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in _package.Environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        using var taskStarted = new ManualResetEventSlim();
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (line.Contains("Task \"ValidateTrainingLineage\"", StringComparison.Ordinal))
            {
                taskStarted.Set();
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Assert.True(taskStarted.Wait(TimeSpan.FromMinutes(5)), "the build never reached the lineage task:\n" + output);
        Thread.Sleep(1000); // well into the 16 GiB (several seconds of hashing), far from its end
        Assert.False(process.HasExited, "the build finished before it could be interrupted:\n" + output);
        var watch = Stopwatch.StartNew();
        using (var kill = Process.Start(new ProcessStartInfo("kill", new[] { "-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }) { UseShellExecute = false })!)
        {
            kill.WaitForExit();
        }

        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
        }

        watch.Stop();
        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString(), watch.Elapsed);
        }
    }

    private static void Expect(BuildResult build, string directory, string file, string id, bool located, string messagePart)
    {
        string path = Path.Combine(directory, file);
        var found = build.Diagnostics.Where(d => d.File == path && d.Id == id && d.Severity == "error").ToList();
        Assert.True(found.Count > 0, $"{file}: expected {id}; got {string.Join(", ", build.Diagnostics.Where(d => d.File == path).Select(d => d.Id + "@" + d.Line + ": " + d.Message))}");
        Assert.Contains(found, d => d.Message.Contains(messagePart, StringComparison.Ordinal));
        if (located)
        {
            Assert.All(found, d => Assert.True(d.Line > 0 && d.Column > 0, d.ToString()));
        }
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", new[] { path }) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    /// <summary>Regular files only (a FIFO or a device would hang or never end this very check), links by their target text.</summary>
    private static Dictionary<string, string> Checksums(string directory)
    {
        var sums = new Dictionary<string, string>();
        foreach (var path in Directory.EnumerateFileSystemEntries(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            if (path.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                || path.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            var info = new FileInfo(path);
            if (info.LinkTarget is { } target)
            {
                sums[path] = "link:" + target;
            }
            else if ((info.Attributes & FileAttributes.Directory) != 0)
            {
                continue;
            }
            else if (info.Length > 16 * 1024 * 1024 || info.Length == 0)
            {
                sums[path] = "size:" + info.Length + ":" + info.LastWriteTimeUtc.Ticks;
            }
            else
            {
                sums[path] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
            }
        }

        return sums;
    }
}
