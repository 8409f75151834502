using System.Diagnostics;
using System.Security.Cryptography;
using OpenTrainAnalyzers.Build.Weights;

namespace OpenTrainAnalyzers.Build.Tests;

/// <summary>
/// The file system as a hostile user arranges it (issue 13): FIFOs, devices, links out of the project, link loops,
/// control characters, stale root digests. Every case ends in a coded error, quickly; a timeout is only the backstop.
/// </summary>
public sealed partial class ValidateTrainingLineageTests
{
    private static readonly TimeSpan Backstop = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_manifest_that_is_a_fifo_is_OTL0106_and_never_opened()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string fifo = Path.Combine(_directory, "pipe.lineage.json");
        MakeFifo(fifo);

        var ok = RunWithBackstop(Task(_engine, fifo));

        Assert.False(ok);
        var error = Assert.Single(_engine.Errors);
        Assert.Equal("OTL0106", error.Code);
        Assert.Contains("a named pipe (FIFO), not a regular file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_weight_that_is_a_fifo_declared_with_size_0_is_OTL0200_and_never_hashed()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string manifest = WriteModel(extraFile: "\"path\": \"pipe.onnx\", \"sha256\": \"" + Sha256Of(Array.Empty<byte>()).Replace('e', 'f') + "\", \"size\": 0");
        MakeFifo(Path.Combine(_directory, "pipe.onnx"));

        var ok = RunWithBackstop(Task(_engine, manifest));

        Assert.False(ok);
        var error = Assert.Single(_engine.Errors);
        Assert.Equal("OTL0200", error.Code);
        Assert.Equal(LineOf(manifest, "pipe.onnx"), error.LineNumber);
        Assert.Contains("a named pipe (FIFO)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dev_zero_as_a_manifest_through_a_link_is_OTL0106_as_a_character_device()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string link = Path.Combine(_directory, "zero.lineage.json");
        File.CreateSymbolicLink(link, "/dev/zero");

        var ok = RunWithBackstop(Task(_engine, link));

        Assert.False(ok);
        var error = Assert.Single(_engine.Errors);
        Assert.Equal("OTL0106", error.Code);
        Assert.Contains("a character device ('/dev/zero')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dev_zero_as_a_weight_is_refused_by_the_link_policy_and_even_inside_an_allowed_root_by_its_type()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string manifest = WriteModel(extraFile: "\"path\": \"zero.onnx\", \"sha256\": \"" + new string('a', 63) + "b\", \"size\": 0");
        File.CreateSymbolicLink(Path.Combine(_directory, "zero.onnx"), "/dev/zero");

        Assert.False(RunWithBackstop(Task(_engine, manifest)));
        var outside = Assert.Single(_engine.Errors);
        Assert.Equal("OTL0203", outside.Code);
        Assert.Contains("'/dev/zero' is outside the manifest's folder", outside.Message, StringComparison.Ordinal);

        var engine = new FakeBuildEngine();
        var task = Task(engine, manifest);
        task.AllowedLinkRoots = "/dev";
        Assert.False(RunWithBackstop(task));
        var device = Assert.Single(engine.Errors);
        Assert.Equal("OTL0200", device.Code);
        Assert.Contains("a character device ('/dev/zero'), not a regular file", device.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_weight_linked_inside_the_manifest_folder_passes_like_a_hugging_face_snapshot()
    {
        string manifest = WriteModel();
        string blobs = Directory.CreateDirectory(Path.Combine(_directory, "blobs")).FullName;
        File.Move(Path.Combine(_directory, "tiny.onnx"), Path.Combine(blobs, "0123abcd"));
        File.CreateSymbolicLink(Path.Combine(_directory, "tiny.onnx"), Path.Combine("blobs", "0123abcd"));

        Assert.True(Run(manifest), string.Join("\n", _engine.Errors.Select(e => e.Message)));
        Assert.Empty(_engine.Errors);
    }

    [Fact]
    public void A_weight_linked_outside_is_OTL0203_naming_the_target_and_nothing_about_its_bytes_is_reported()
    {
        string manifest = WriteModel();
        string outsideDirectory = Directory.CreateTempSubdirectory("opentrain-outside-").FullName;
        try
        {
            // A secret of exactly the declared size: before the fix it was hashed and its digest printed.
            byte[] secret = RandomNumberGenerator.GetBytes((int)new FileInfo(Path.Combine(_directory, "tiny.onnx")).Length);
            string target = Path.Combine(outsideDirectory, "id_rsa");
            File.WriteAllBytes(target, secret);
            File.Delete(Path.Combine(_directory, "tiny.onnx"));
            File.CreateSymbolicLink(Path.Combine(_directory, "tiny.onnx"), target);
            string sarif = Path.Combine(_directory, "obj", "lineage.sarif");
            string json = Path.Combine(_directory, "obj", "lineage.json");
            var task = Task(_engine, manifest);
            task.SarifReport = sarif;
            task.JsonReport = json;

            Assert.False(task.Execute());

            var error = Assert.Single(_engine.Errors);
            Assert.Equal("OTL0203", error.Code);
            Assert.Equal(LineOf(manifest, "\"tiny.onnx\""), error.LineNumber);
            Assert.Contains($"'{target}' is outside the manifest's folder and the allowed link roots", error.Message, StringComparison.Ordinal);
            string digest = Sha256Of(secret);
            string everything = string.Join("\n", _engine.Errors.Select(e => e.Message).Concat(_engine.Warnings.Select(w => w.Message)).Concat(_engine.Messages.Select(m => m.Message)))
                + File.ReadAllText(sarif) + File.ReadAllText(json);
            Assert.DoesNotContain(digest, everything, StringComparison.Ordinal);
            Assert.Matches("\"hashedFiles\": ?0,", File.ReadAllText(json));

            // Opted in, the same link is followed and verified (its bytes differ from the declared ones: OTL0201).
            var engine = new FakeBuildEngine();
            var allowed = Task(engine, manifest);
            allowed.AllowedLinkRoots = outsideDirectory;
            Assert.False(allowed.Execute());
            Assert.Equal("OTL0201", Assert.Single(engine.Errors).Code);
        }
        finally
        {
            Directory.Delete(outsideDirectory, recursive: true);
        }
    }

    [Fact]
    public void A_folder_linked_outside_is_caught_too_not_only_a_linked_file()
    {
        string manifest = WriteModel(extraFile: "\"path\": \"shared/tiny.onnx\", \"sha256\": \"" + Sha256Of("tiny onnx weights"u8.ToArray()) + "\", \"size\": 17");
        string outsideDirectory = Directory.CreateTempSubdirectory("opentrain-outside-").FullName;
        try
        {
            File.Copy(Path.Combine(_directory, "tiny.onnx"), Path.Combine(outsideDirectory, "tiny.onnx"));
            Directory.CreateSymbolicLink(Path.Combine(_directory, "shared"), outsideDirectory);

            Assert.False(Run(manifest));

            var error = Assert.Single(_engine.Errors);
            Assert.Equal("OTL0203", error.Code);
            Assert.Contains(Path.Combine(outsideDirectory, "tiny.onnx"), error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(outsideDirectory, recursive: true);
        }
    }

    [Fact]
    public void Link_loops_are_our_own_coded_errors_for_weights_and_manifests()
    {
        string manifest = WriteModel(extraFile: "\"path\": \"loop.onnx\", \"sha256\": \"" + new string('a', 63) + "b\", \"size\": 1");
        File.CreateSymbolicLink(Path.Combine(_directory, "loop.onnx"), "loop2.onnx");
        File.CreateSymbolicLink(Path.Combine(_directory, "loop2.onnx"), "loop.onnx");
        File.CreateSymbolicLink(Path.Combine(_directory, "loop.lineage.json"), "loop.lineage.json");

        var ok = RunWithBackstop(Task(_engine, new[] { manifest, Path.Combine(_directory, "loop.lineage.json") }));

        Assert.False(ok);
        Assert.Equal(new[] { "OTL0106", "OTL0200" }, _engine.Errors.Select(e => e.Code).Order());
        Assert.All(_engine.Errors, e => Assert.Contains("the links form a loop", e.Message, StringComparison.Ordinal));
        Assert.All(_engine.Errors, e => Assert.DoesNotContain("Too many levels", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void A_parent_manifest_linked_outside_is_OTL0203()
    {
        string outsideDirectory = Directory.CreateTempSubdirectory("opentrain-outside-").FullName;
        try
        {
            string parentTarget = Path.Combine(outsideDirectory, "base.lineage.json");
            File.WriteAllText(parentTarget, "{}");
            File.CreateSymbolicLink(Path.Combine(_directory, "base.lineage.json"), parentTarget);
            string manifest = WriteModel();
            File.WriteAllText(manifest, File.ReadAllText(manifest).Replace(
                "\"lineage\": { \"derivation\": \"from-scratch\" }",
                "\"lineage\": { \"derivation\": \"finetune\", \"parents\": [{ \"name\": \"base\", \"relation\": \"finetune\", \"manifest\": { \"path\": \"base.lineage.json\", \"sha256\": \"" + Sha256Of("{}"u8.ToArray()) + "\" } }] }",
                StringComparison.Ordinal));

            Assert.False(Run(manifest));

            var error = Assert.Single(_engine.Errors, e => e.Code == "OTL0203");
            Assert.Contains($"'{parentTarget}' is outside", error.Message, StringComparison.Ordinal);
            Assert.Equal(LineOf(manifest, "\"base.lineage.json\""), error.LineNumber);
        }
        finally
        {
            Directory.Delete(outsideDirectory, recursive: true);
        }
    }

    [Fact]
    public void A_parent_manifest_that_is_a_fifo_is_OTL0501_and_never_opened()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        MakeFifo(Path.Combine(_directory, "base.lineage.json"));
        string manifest = WriteModel();
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace(
            "\"lineage\": { \"derivation\": \"from-scratch\" }",
            "\"lineage\": { \"derivation\": \"finetune\", \"parents\": [{ \"name\": \"base\", \"relation\": \"finetune\", \"manifest\": { \"path\": \"base.lineage.json\", \"sha256\": \"" + new string('a', 64) + "\" } }] }",
            StringComparison.Ordinal));

        var ok = RunWithBackstop(Task(_engine, manifest));

        Assert.False(ok);
        var error = Assert.Single(_engine.Errors, e => e.Code == "OTL0501");
        Assert.Contains("a named pipe (FIFO)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_characters_in_paths_and_values_are_escaped_in_every_message()
    {
        // A NUL and an ESC in weight paths, an ESC sequence and a fake log line in a digest value.
        string manifest = WriteModel(extraFile: "\"path\": \"a\\u0000b.onnx\", \"sha256\": \"\\u001b[2J\\r\\nerror FAKE0001: injected\", \"size\": 1 }, { \"path\": \"c\\u001b[31m.onnx\", \"sha256\": \""
            + new string('a', 63) + "b\", \"size\": 1", extraTopLevel: "\"x\\u001b[2Jkey\": 1,");
        string sarif = Path.Combine(_directory, "obj", "lineage.sarif");
        string json = Path.Combine(_directory, "obj", "lineage.json");
        var task = Task(_engine, manifest);
        task.SarifReport = sarif;
        task.JsonReport = json;

        Assert.False(task.Execute());

        // The reports are JSON: a raw control character would be written as a JSON escape (\u001b), which a viewer
        // decodes back into ESC. Only our visible escapes (\\u001B) may appear.
        foreach (var report in new[] { File.ReadAllText(sarif), File.ReadAllText(json) })
        {
            var strings = new List<string>();
            Strings(System.Text.Json.JsonDocument.Parse(report).RootElement, strings);
            Assert.All(strings, text => Assert.DoesNotContain(text, c => c < 0x20 || c == 0x7F));
            Assert.Contains(strings, text => text.Contains("\\u001B", StringComparison.Ordinal));
        }

        Assert.Contains(_engine.Warnings, w => w.Code == "OTL0104" && w.Message!.Contains("x\\u001B[2Jkey", StringComparison.Ordinal));

        var messages = _engine.Errors.Select(e => e.Message).Concat(_engine.Warnings.Select(w => w.Message)).Concat(_engine.Messages.Select(m => m.Message)).ToList();
        Assert.All(messages, m => Assert.DoesNotContain(m!, c => c < 0x20));
        Assert.Contains(_engine.Errors, e => e.Code == "OTL0203" && e.Message!.Contains("'a\\u0000b.onnx'", StringComparison.Ordinal) && e.Message.Contains("control character (U+0000)", StringComparison.Ordinal));
        Assert.Contains(_engine.Errors, e => e.Code == "OTL0203" && e.Message!.Contains("'c\\u001B[31m.onnx'", StringComparison.Ordinal));
        Assert.Contains(_engine.Errors, e => e.Code == "OTL0206" && e.Message!.Contains("\\u001B[2J\\r\\nerror FAKE0001", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m!.Contains("(Parameter", StringComparison.Ordinal));
    }

    [Fact]
    public void A_stale_root_digest_is_OTL0205_at_weights_rootDigest_and_the_right_one_passes()
    {
        string manifest = WriteModel();
        string sha = Sha256Of("tiny onnx weights"u8.ToArray());
        string right = Sha256Of(Convert.FromHexString(sha));
        string Root(string digest, string method = "sha256-of-concatenated-file-digests-sorted-by-path-segments") =>
            File.ReadAllText(manifest).Replace("\"format\": \"onnx\",", "\"format\": \"onnx\",\n    \"rootDigest\": { \"sha256\": \"" + digest + "\", \"method\": \"" + method + "\" },", StringComparison.Ordinal);
        string text = File.ReadAllText(manifest);

        File.WriteAllText(manifest, Root(right));
        Assert.True(Run(manifest), string.Join("\n", _engine.Errors.Select(e => e.Message)));

        File.WriteAllText(manifest, text);
        File.WriteAllText(manifest, Root(sha)); // the file's own digest pasted as the root: the classic mistake
        var engine = new FakeBuildEngine();
        Assert.False(Task(engine, manifest).Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal("OTL0205", error.Code);
        Assert.Equal(LineOf(manifest, "\"rootDigest\""), error.LineNumber);
        Assert.Contains(right, error.Message, StringComparison.Ordinal);
        Assert.Contains("[$.weights.rootDigest.sha256]", error.Message, StringComparison.Ordinal);

        File.WriteAllText(manifest, text);
        File.WriteAllText(manifest, Root(right, "sha512-of-something"));
        var unknown = new FakeBuildEngine();
        Assert.False(Task(unknown, manifest).Execute());
        Assert.Equal("OTL0101", Assert.Single(unknown.Errors).Code);
    }

    [Fact]
    public void Root_digest_order_is_by_path_segments_like_model_signing()
    {
        // PurePosixPath order: 'a/b' < 'a.b' (segment 'a' < 'a.b'), whereas plain string order puts 'a.b' first ('.' < '/').
        string[] paths = { "a.b", "a/b", "a-b/c", "b" };
        var sorted = paths.Select(RootDigest.Segments).ToList();
        sorted.Sort(RootDigest.CompareSegments);

        Assert.Equal(new[] { "a/b", "a-b/c", "a.b", "b" }, sorted.Select(s => string.Join("/", s)));
    }

    [Fact]
    public void Cancel_stops_hashing_within_a_second_and_nothing_half_hashed_is_cached()
    {
        string manifest = WriteModel(extraFile: "\"path\": \"big.onnx\", \"sha256\": \"" + new string('a', 63) + "b\", \"size\": 34359738368");
        using (var big = File.Create(Path.Combine(_directory, "big.onnx")))
        {
            big.SetLength(32L * 1024 * 1024 * 1024); // sparse: 32 GiB of zeros that take tens of seconds to hash
        }

        File.SetLastWriteTimeUtc(Path.Combine(_directory, "big.onnx"), DateTime.UtcNow.AddHours(-1));
        File.SetLastWriteTimeUtc(Path.Combine(_directory, "tiny.onnx"), DateTime.UtcNow.AddHours(-1));
        string cache = Path.Combine(_directory, "obj", "weights.cache");
        var task = Task(_engine, manifest);
        task.HashCacheFile = cache;

        bool result = true;
        var run = new Thread(() => result = task.Execute()) { IsBackground = true };
        run.Start();
        Thread.Sleep(1500);
        Assert.True(run.IsAlive, "Hashing 32 GiB ended before it could be cancelled.");
        task.Cancel();
        Assert.True(run.Join(TimeSpan.FromSeconds(1)), "Cancel did not stop hashing within a second.");

        Assert.False(result);
        Assert.DoesNotContain(_engine.Errors, e => e.Code == "OTL0011");
        Assert.False(File.Exists(cache) && File.ReadAllText(cache).Contains("big.onnx", StringComparison.Ordinal));

        // The next build trusts nothing about the half-hashed file: it is hashed again.
        var next = WeightHasher.Load(cache);
        Assert.False(File.Exists(cache) && File.ReadAllText(cache).Contains("big.onnx", StringComparison.Ordinal));
        Assert.Equal(0, next.ReusedFiles);
    }

    [Fact]
    public void A_fifo_as_hash_cache_or_report_path_is_replaced_never_opened()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string manifest = WriteModel();
        Directory.CreateDirectory(Path.Combine(_directory, "obj"));
        string cache = Path.Combine(_directory, "obj", "weights.cache");
        string sarif = Path.Combine(_directory, "obj", "lineage.sarif");
        MakeFifo(cache);
        MakeFifo(sarif);
        var task = Task(_engine, manifest);
        task.HashCacheFile = cache;
        task.SarifReport = sarif;

        var ok = RunWithBackstop(task);

        Assert.True(ok, string.Join("\n", _engine.Errors.Select(e => e.Message)));
        Assert.StartsWith("{", File.ReadAllText(sarif), StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs the task on a thread and fails if it has not returned within the backstop: a FIFO opened or /dev/zero read
    /// never returns, so this detects a hang; how fast the task is belongs in the benchmarks, not here.
    /// </summary>
    private static bool RunWithBackstop(ValidateTrainingLineage task)
    {
        bool result = false;
        var run = new Thread(() => result = task.Execute()) { IsBackground = true };
        run.Start();
        Assert.True(run.Join(Backstop), "The task hung (backstop timeout).");
        return result;
    }

    private static void Strings(System.Text.Json.JsonElement element, List<string> strings)
    {
        switch (element.ValueKind)
        {
            case System.Text.Json.JsonValueKind.String:
                strings.Add(element.GetString()!);
                break;
            case System.Text.Json.JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    strings.Add(property.Name);
                    Strings(property.Value, strings);
                }

                break;
            case System.Text.Json.JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Strings(item, strings);
                }

                break;
        }
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", new[] { path }) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    private static string Sha256Of(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
}
