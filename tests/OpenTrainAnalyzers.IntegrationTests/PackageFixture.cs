using System.Reflection;

namespace OpenTrainAnalyzers.IntegrationTests;

/// <summary>
/// Packs the real OpenTrainAnalyzers nupkg once per test run into a local feed, and gives every test the same feed,
/// the same package cache (so ONNX Runtime is restored once) and a fresh copy of the project it builds. Projects are
/// deleted after each test (<see cref="DeleteTestProjectsAttribute"/>) and the folder when the run ends (set
/// OPENTRAIN_KEEP_TEST_PROJECTS=1 to keep them for a look at a failure).
/// </summary>
public sealed class PackageFixture : IDisposable
{
    public const string Version = "0.0.0-it";

    public PackageFixture()
    {
        Current = this;
        RepoRoot = typeof(PackageFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
        string root = Path.Combine(RepoRoot, "artifacts", "it");
        Feed = Path.Combine(root, "feed");
        PackageCache = Path.Combine(root, "packages");
        // Projects are built outside the repository so that nothing of ours (Directory.Build.props, central package
        // versions, .editorconfig) leaks into what a user's project would see.
        Projects = Path.Combine(Path.GetTempPath(), "opentrain-it", DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture));
        RemoveAbandonedRuns(Path.GetDirectoryName(Projects)!);
        foreach (var folder in new[] { Feed, Projects, Path.Combine(PackageCache, "opentrainanalyzers") })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        Directory.CreateDirectory(Feed);
        Directory.CreateDirectory(Projects);
        NuGetConfig = Path.Combine(root, "nuget.config");
        File.WriteAllText(NuGetConfig, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="opentrain-under-test" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);

        var pack = DotNet.Run(RepoRoot, Environment, "pack", Path.Combine("src", "OpenTrainAnalyzers.Package", "OpenTrainAnalyzers.Package.csproj"),
            "-c", "Release", "-o", Feed, "-p:Version=" + Version, "-nologo");
        if (pack.ExitCode != 0)
        {
            throw new InvalidOperationException("dotnet pack failed:\n" + pack.Output);
        }

        Package = Path.Combine(Feed, $"OpenTrainAnalyzers.{Version}.nupkg");
    }

    public string RepoRoot { get; }

    public string Feed { get; }

    public string PackageCache { get; }

    public string Projects { get; }

    public string NuGetConfig { get; }

    public string Package { get; }

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["NUGET_PACKAGES"] = PackageCache,
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
    };

    /// <summary>Copies an asset project (and, optionally, the demo's models) into a new folder with the test feed.</summary>
    public string CreateProject(string asset, bool withDemoModels = true)
    {
        string target = Path.Combine(Projects, asset + "-" + Guid.NewGuid().ToString("N")[..8]);
        CopyDirectory(Path.Combine(AppContext.BaseDirectory, "Assets", asset), target);
        if (withDemoModels)
        {
            CopyDirectory(Path.Combine(RepoRoot, "samples", "IrisDemo", "models"), Path.Combine(target, "models"));
        }

        File.Copy(NuGetConfig, Path.Combine(target, "nuget.config"));
        // Hard links for package files copied to bin: ONNX Runtime's natives for every platform are ~240 MB per app, and
        // thirty apps filled the disk of a CI machine. MSBuild copies instead when it cannot link (another drive).
        File.WriteAllText(Path.Combine(target, "Directory.Build.props"), $"""
            <Project>
              <PropertyGroup>
                <OpenTrainAnalyzersVersion>{Version}</OpenTrainAnalyzersVersion>
                <CreateHardLinksForCopyLocalIfPossible>true</CreateHardLinksForCopyLocalIfPossible>
              </PropertyGroup>
            </Project>
            """);
        return target;
    }

    /// <summary>
    /// Runs that were stopped before their end (Ctrl+C, a killed CI job) never deleted their projects; after six hours
    /// no run of this suite is still using them (a whole run takes minutes), so they are removed.
    /// </summary>
    private static void RemoveAbandonedRuns(string runs)
    {
        if (!Directory.Exists(runs))
        {
            return;
        }

        foreach (var run in new DirectoryInfo(runs).EnumerateDirectories())
        {
            if (run.LastWriteTimeUtc < DateTime.UtcNow.AddHours(-6))
            {
                try
                {
                    run.Delete(recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Another user's or a locked folder: left alone.
                }
            }
        }
    }

    /// <summary>The fixture of this run, for <see cref="DeleteTestProjectsAttribute"/> (one collection, one fixture).</summary>
    internal static PackageFixture? Current { get; private set; }

    private static bool KeepProjects => System.Environment.GetEnvironmentVariable("OPENTRAIN_KEEP_TEST_PROJECTS") is { Length: > 0 };

    /// <summary>Deletes the projects the tests built so far (the packed nupkg, feed and package cache stay).</summary>
    internal void DeleteProjects()
    {
        if (KeepProjects || !Directory.Exists(Projects))
        {
            return;
        }

        foreach (var entry in new DirectoryInfo(Projects).EnumerateFileSystemInfos())
        {
            try
            {
                if (entry is DirectoryInfo directory)
                {
                    directory.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A file a test cannot give up yet (a FIFO still open, a read-only folder): removed with the run.
            }
        }
    }

    public void Dispose()
    {
        if (!KeepProjects)
        {
            try
            {
                Directory.Delete(Projects, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A test left a file it cannot delete (a FIFO still open, a read-only folder): the rest is gone.
            }
        }
    }

    public BuildResult Build(string projectDirectory, params string[] properties) =>
        DotNet.Run(projectDirectory, Environment, new[] { "build", "-nologo", "-clp:NoSummary" }.Concat(properties.Select(p => "-p:" + p)).ToArray());

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, relative))!);
            File.Copy(file, Path.Combine(target, relative));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PackageFixture>
{
    public const string Name = "packed nupkg";
}
