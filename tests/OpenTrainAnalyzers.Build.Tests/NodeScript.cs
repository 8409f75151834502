using System.Diagnostics;

namespace OpenTrainAnalyzers.Build.Tests;

/// <summary>Runs one of build/validate's Node scripts (its packages installed by .ci/run): exit code and all output.</summary>
internal static class NodeScript
{
    /// <returns>(-1, why) when Node cannot be started or the script runs past two minutes.</returns>
    public static (int ExitCode, string Output) Run(string workingDirectory, string script, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(120_000))
            {
                process.Kill(entireProcessTree: true);
                return (-1, "timed out\n" + stdout);
            }

            return (process.ExitCode, stdout + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
