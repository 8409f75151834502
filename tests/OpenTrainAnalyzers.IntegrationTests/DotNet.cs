using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenTrainAnalyzers.IntegrationTests;

/// <summary>A diagnostic as MSBuild prints it: file(line,col[,endLine,endCol]): warning|error ID: message.</summary>
public sealed record BuildDiagnostic(string File, int Line, int Column, string Severity, string Id, string Message);

public sealed record BuildResult(int ExitCode, string Output, IReadOnlyList<BuildDiagnostic> Diagnostics)
{
    public IEnumerable<BuildDiagnostic> WithId(string id) => Diagnostics.Where(d => d.Id == id);

    public override string ToString() => Output;
}

/// <summary>Runs the real `dotnet` CLI with an environment free of the test host's MSBuild settings.</summary>
public static partial class DotNet
{
    // "file(line,col[,endLine,endCol]): warning ID: message [project]", or "file : warning ..." for findings about a
    // file as a whole (project configuration, undeclared items); those get line and column 0.
    [GeneratedRegex(@"^\s*(?<file>[^\s(][^(\r\n]*?)(?:\((?<line>\d+),(?<col>\d+)(?:,\d+,\d+)?\))? ?: (?<sev>warning|error) (?<id>[A-Z]+\d+): (?<msg>.*?)( \[[^\]]*\])?\r?$", RegexOptions.Multiline)]
    private static partial Regex DiagnosticLine();

    public static BuildResult Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // `dotnet test` leaks MSBuild variables into child processes; a user's shell has none of them.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "DOTNET_HOST_PATH", "VSTEST_HOST_DEBUG" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish in 10 minutes:\n{output}");
        }

        process.WaitForExit();
        string text = output.ToString();
        var diagnostics = DiagnosticLine().Matches(text)
            .Select(m => new BuildDiagnostic(
                m.Groups["file"].Value.Trim(),
                m.Groups["line"].Success ? int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0,
                m.Groups["col"].Success ? int.Parse(m.Groups["col"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0,
                m.Groups["sev"].Value,
                m.Groups["id"].Value,
                m.Groups["msg"].Value))
            .Distinct()
            .ToList();
        return new BuildResult(process.ExitCode, text, diagnostics);
    }
}
