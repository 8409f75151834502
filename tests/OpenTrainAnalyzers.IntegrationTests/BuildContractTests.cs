namespace OpenTrainAnalyzers.IntegrationTests;

/// <summary>
/// The build contract (issue 19) with the packed nupkg: the gate in each inner build of a multi-targeted project, one
/// instance of each inner build under -m, publish over what is published, and clean. Projects are small class
/// libraries and console apps without ONNX Runtime, so each build costs only what its assertion needs.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class BuildContractTests
{
    private readonly PackageFixture _package;

    public BuildContractTests(PackageFixture package) => _package = package;

    [Fact]
    public void A_multi_targeted_app_checks_each_frameworks_output_copy_and_never_calls_a_users_file_an_output_copy()
    {
        // A package that ships the demo's Iris model with its manifest (contentFiles, copied to the output).
        string id = "Acme.Contract" + Guid.NewGuid().ToString("N")[..8];
        string library = Folder("IrisLib-" + id);
        Directory.CreateDirectory(Path.Combine(library, "models"));
        foreach (var file in new[] { "iris-species.onnx", "iris-species.lineage.json" })
        {
            File.Copy(Path.Combine(_package.RepoRoot, "samples", "IrisDemo", "models", file), Path.Combine(library, "models", file));
        }

        Write(library, "IrisLib.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>netstandard2.0</TargetFramework><PackageId>{id}</PackageId><Version>1.0.0</Version></PropertyGroup>
              <ItemGroup>
                <PackageReference Include="OpenTrainAnalyzers" Version="{PackageFixture.Version}" PrivateAssets="all" />
                <None Include="models\iris-species.onnx" Pack="true" PackagePath="contentFiles/any/any/models/" PackageCopyToOutput="true" />
              </ItemGroup>
            </Project>
            """);
        Write(library, "Empty.cs", "namespace Acme.Contract { public static class Marker { } }\n");
        var pack = DotNet.Run(library, _package.Environment, "pack", "-nologo", "-o", _package.Feed);
        Assert.True(pack.ExitCode == 0, pack.Output);

        // The app targets .NET 10 and .NET Framework 4.7.2 (reference assemblies from the feed), and has its own,
        // different file at the package model's relative path (not shipped: no copy metadata).
        string app = Folder("MultiApp-" + id);
        Directory.CreateDirectory(Path.Combine(app, "models"));
        File.Copy(Path.Combine(_package.RepoRoot, "samples", "IrisDemo", "models", "vendor-flowers.onnx"), Path.Combine(app, "models", "iris-species.onnx"));
        Write(app, "MultiApp.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFrameworks>net10.0;net472</TargetFrameworks><LangVersion>latest</LangVersion></PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{id}" Version="1.0.0" />
                <PackageReference Include="OpenTrainAnalyzers" Version="{PackageFixture.Version}" />
              </ItemGroup>
            </Project>
            """);
        Write(app, "Program.cs", "public static class Program { public static void Main() { } }\n");

        var passing = _package.Build(app);
        Assert.True(passing.ExitCode == 0, passing.Output);
        Assert.DoesNotContain(passing.Diagnostics, d => d.Id.StartsWith("OTL02", StringComparison.Ordinal));
        // Once per framework: each inner build checks its own output folder.
        Assert.Equal(2, RawOccurrences(passing.Output, $"iris-species from package {id} 1.0.0: open-tooling"));
        foreach (var framework in new[] { "net10.0", "net472" })
        {
            Assert.True(File.Exists(Path.Combine(app, "obj", "Debug", framework, "opentrain", "lineage.json")), framework + " report missing");
        }

        // Pack (the outer build) carries each framework's exports; a report path set without $(TargetFramework) gets the
        // framework in its name, so the two inner builds never write one file.
        string nupkgs = Path.Combine(app, "nupkgs");
        var packed = DotNet.Run(app, _package.Environment, "pack", "-nologo", "-o", nupkgs, "-p:OpenTrainExport=cyclonedx", "-p:OpenTrainSarifReport=reports/app.sarif");
        Assert.True(packed.ExitCode == 0, packed.Output);
        using (var nupkg = System.IO.Compression.ZipFile.OpenRead(Directory.GetFiles(nupkgs, "*.nupkg").Single()))
        {
            var entries = nupkg.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("opentrain/net10.0/bom.cdx.json", entries);
            Assert.Contains("opentrain/net472/bom.cdx.json", entries);
        }

        Assert.True(File.Exists(Path.Combine(app, "reports", "app.net10.0.sarif")) && File.Exists(Path.Combine(app, "reports", "app.net472.sarif")), packed.Output);

        // A byte changed in the .NET Framework output copy: that copy is named, nothing else is.
        string net472Copy = Path.Combine(app, "bin", "Debug", "net472", "models", "iris-species.onnx");
        Assert.True(File.Exists(net472Copy), "the package's model was not copied to the net472 output");
        byte[] bytes = File.ReadAllBytes(net472Copy);
        bytes[100] ^= 0xFF;
        File.WriteAllBytes(net472Copy, bytes);

        var tampered = _package.Build(app);
        Assert.NotEqual(0, tampered.ExitCode);
        var error = Assert.Single(tampered.WithId("OTL0201").Distinct());
        Assert.Contains($"The copy of 'iris-species.onnx' in the output folder ({net472Copy})", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.Combine(app, "models", "iris-species.onnx"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_solution_builds_each_inner_build_once_ships_what_references_bring_publishes_checked_and_cleans()
    {
        string root = Folder("Solution-" + Guid.NewGuid().ToString("N")[..8]);

        // A multi-targeted library with the package (its net10.0 build is also asked for by the app's reference).
        string multi = Path.Combine(root, "MultiLib");
        Write(multi, "MultiLib.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFrameworks>net10.0;net8.0</TargetFrameworks></PropertyGroup>
              <ItemGroup><PackageReference Include="OpenTrainAnalyzers" Version="{PackageFixture.Version}" PrivateAssets="all" /></ItemGroup>
            </Project>
            """);
        Write(multi, "Multi.cs", "namespace MultiLib { public static class M { } }\n");

        // A plain library without the package that copies an undeclared model to its output (and so to the app's).
        string plain = Path.Combine(root, "PlainLib");
        Write(plain, "PlainLib.csproj", """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
              <ItemGroup><None Include="plain.onnx" CopyToOutputDirectory="PreserveNewest" /></ItemGroup>
            </Project>
            """);
        Write(plain, "Plain.cs", "namespace PlainLib { public static class P { } }\n");
        File.Copy(Path.Combine(_package.RepoRoot, "samples", "IrisDemo", "models", "vendor-flowers.onnx"), Path.Combine(plain, "plain.onnx"));

        // The app: a declared model copied to the output, and an undeclared one copied only at publish.
        string app = Path.Combine(root, "App");
        Directory.CreateDirectory(Path.Combine(app, "models"));
        foreach (var file in new[] { "iris-species.onnx", "iris-species.lineage.json" })
        {
            File.Copy(Path.Combine(_package.RepoRoot, "samples", "IrisDemo", "models", file), Path.Combine(app, "models", file));
        }

        File.Copy(Path.Combine(_package.RepoRoot, "samples", "IrisDemo", "models", "vendor-flowers.onnx"), Path.Combine(app, "publish-only.onnx"));
        Write(app, "App.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup>
              <ItemGroup>
                <PackageReference Include="OpenTrainAnalyzers" Version="{PackageFixture.Version}" />
                <ProjectReference Include="..\MultiLib\MultiLib.csproj" />
                <ProjectReference Include="..\PlainLib\PlainLib.csproj" />
                <None Include="models\iris-species.onnx" CopyToOutputDirectory="PreserveNewest" />
                <None Include="publish-only.onnx" CopyToPublishDirectory="PreserveNewest" />
              </ItemGroup>
            </Project>
            """);
        Write(app, "Program.cs", "public static class Program { public static void Main() { } }\n");
        Assert.Equal(0, DotNet.Run(root, _package.Environment, "new", "sln", "-n", "Contract", "--format", "sln").ExitCode);
        Assert.Equal(0, DotNet.Run(root, _package.Environment, "sln", "Contract.sln", "add", Path.Combine("App", "App.csproj"), Path.Combine("MultiLib", "MultiLib.csproj"), Path.Combine("PlainLib", "PlainLib.csproj")).ExitCode);

        var build = DotNet.Run(root, _package.Environment, "build", "Contract.sln", "-m", "-nologo", "-clp:NoSummary");
        Assert.True(build.ExitCode == 0, build.Output);
        // Each inner build of the library once: the solution's and the app's requests are the same build.
        Assert.Equal(1, RawOccurrences(build.Output, "MultiLib -> " + Path.Combine(multi, "bin", "Debug", "net10.0", "MultiLib.dll")));
        Assert.Equal(1, RawOccurrences(build.Output, "MultiLib -> " + Path.Combine(multi, "bin", "Debug", "net8.0", "MultiLib.dll")));
        // The app ships both undeclared models; the plain library, without the package, gets nothing of ours.
        var shipped = build.WithId("OTL0207").Distinct().ToList();
        Assert.All(shipped, d => Assert.Equal(Path.Combine(app, "App.csproj"), d.File));
        Assert.Contains(shipped, d => d.Message.Contains(Path.Combine(plain, "plain.onnx").Replace('\\', '/'), StringComparison.Ordinal) && d.Message.Contains("project reference", StringComparison.Ordinal));
        Assert.Contains(shipped, d => d.Message.Contains("'publish-only.onnx' (None item)", StringComparison.Ordinal));
        Assert.DoesNotContain(shipped, d => d.Message.Contains("iris-species.onnx", StringComparison.Ordinal));

        // Publish without building: the final list is checked (the two undeclared models land there), nothing rebuilt.
        var publish = DotNet.Run(app, _package.Environment, "publish", "--no-build", "-c", "Debug", "-nologo", "-clp:NoSummary");
        Assert.True(publish.ExitCode == 0, publish.Output);
        var published = publish.WithId("OTL0207").Distinct().ToList();
        Assert.Contains(published, d => d.Message.Contains("'plain.onnx' is published", StringComparison.Ordinal));
        Assert.Contains(published, d => d.Message.Contains("'publish-only.onnx' is published", StringComparison.Ordinal));
        Assert.DoesNotContain(published, d => d.Message.Contains("iris-species", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(app, "bin", "Debug", "net10.0", "publish", "publish-only.onnx")));

        // A declared model changed after the build: publish verifies what it publishes against the manifest.
        string weights = Path.Combine(app, "models", "iris-species.onnx");
        File.AppendAllText(weights, "!");
        var tampered = DotNet.Run(app, _package.Environment, "publish", "--no-build", "-c", "Debug", "-nologo", "-clp:NoSummary");
        Assert.NotEqual(0, tampered.ExitCode);
        Assert.Contains(tampered.Diagnostics, d => d.Id == "OTL0202" && d.File.EndsWith("iris-species.lineage.json", StringComparison.Ordinal));

        // Clean leaves nothing of ours in obj/, single- and multi-targeted.
        var clean = DotNet.Run(root, _package.Environment, "clean", "Contract.sln", "-nologo");
        Assert.True(clean.ExitCode == 0, clean.Output);
        foreach (var project in new[] { app, multi })
        {
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(project, "obj"), "opentrain", SearchOption.AllDirectories));
        }
    }

    private string Folder(string name)
    {
        string folder = Path.Combine(_package.Projects, name);
        Directory.CreateDirectory(folder);
        File.Copy(_package.NuGetConfig, Path.Combine(folder, "nuget.config"));
        return folder;
    }

    private static void Write(string folder, string name, string text)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name), text);
    }

    /// <summary>Every output line containing <paramref name="value"/>, repeated lines included (a build done twice prints twice).</summary>
    private static int RawOccurrences(string text, string value) =>
        text.Split('\n').Count(l => l.Contains(value, StringComparison.Ordinal));
}
