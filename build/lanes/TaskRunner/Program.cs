using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace OpenTrain.TaskRunner;

/// <summary>
/// Usage: OpenTrain.TaskRunner &lt;task assembly&gt; &lt;project file&gt; &lt;required level&gt; &lt;manifest&gt;...
/// Loads ValidateTrainingLineage from the given (packed) assembly, runs it, and prints one line per finding
/// (severity, code, file, line, column, end line, end column, message; tab-separated), then "result\t&lt;bool&gt;".
/// With OPENTRAIN_LANE_OBJ set, the hash cache and the SARIF and JSON reports are written in that folder.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length < 4)
        {
            Console.Error.WriteLine("usage: OpenTrain.TaskRunner <task assembly> <project file> <required level> <manifest>...");
            return 2;
        }

        Thread.CurrentThread.CurrentCulture = CultureInfo.InvariantCulture;
        Thread.CurrentThread.CurrentUICulture = CultureInfo.InvariantCulture;
        var assembly = Assembly.LoadFrom(Path.GetFullPath(args[0]));
        // "scaffold <path>" in place of the level runs the scaffold command's task (it loads YamlDotNet from beside the task).
        bool scaffold = args[2] == "scaffold";
        var type = assembly.GetType(scaffold ? "OpenTrainAnalyzers.Build.ScaffoldLineage" : "OpenTrainAnalyzers.Build.ValidateTrainingLineage", throwOnError: true)!;
        var task = (ITask)Activator.CreateInstance(type)!;
        var engine = new Engine();
        task.BuildEngine = engine;
        Set(task, "ProjectFile", args[1]);
        if (scaffold)
        {
            Set(task, "ProjectDirectory", Path.GetDirectoryName(Path.GetFullPath(args[1]))!);
            Set(task, "ScaffoldPath", args[3]);
        }
        else
        {
            Set(task, "RequiredLevel", args[2]);
            Set(task, "Manifests", args.Skip(3).Select(m => (ITaskItem)new TaskItem(m)).ToArray());
        }

        // With OPENTRAIN_LANE_SOURCES, that folder is a lineage source (OpenTrainLineageSource) where parents are found by identity.
        if (!scaffold && Environment.GetEnvironmentVariable("OPENTRAIN_LANE_SOURCES") is { Length: > 0 } sources)
        {
            Set(task, "Sources", new ITaskItem[] { new TaskItem(sources) });
        }

        // With OPENTRAIN_LANE_OBJ, the hash cache and both reports are written there (atomic writes, File.Replace on Mono).
        if (!scaffold && Environment.GetEnvironmentVariable("OPENTRAIN_LANE_OBJ") is { Length: > 0 } obj)
        {
            Set(task, "HashCacheFile", Path.Combine(obj, "weights.sha256.cache"));
            Set(task, "SarifReport", Path.Combine(obj, "lineage.sarif"));
            Set(task, "JsonReport", Path.Combine(obj, "lineage.json"));
        }

        bool result = task.Execute();
        foreach (var line in engine.Lines)
        {
            Console.Out.WriteLine(line);
        }

        Console.Out.WriteLine("runtime\t" + (Type.GetType("Mono.Runtime") is null ? "dotnet " + Environment.Version : "mono"));
        Console.Out.WriteLine("result\t" + (result ? "true" : "false"));
        return 0;
    }

    private static void Set(object task, string property, object value) =>
        task.GetType().GetProperty(property)!.SetValue(task, value);

    private sealed class Engine : IBuildEngine
    {
        public List<string> Lines { get; } = new();

        public bool ContinueOnError => false;

        public int LineNumberOfTaskNode => 0;

        public int ColumnNumberOfTaskNode => 0;

        public string ProjectFileOfTaskNode => "runner.proj";

        public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) => throw new NotSupportedException();

        public void LogCustomEvent(CustomBuildEventArgs e)
        {
        }

        public void LogErrorEvent(BuildErrorEventArgs e) =>
            Lines.Add(Format("error", e.Code, e.File, e.LineNumber, e.ColumnNumber, e.EndLineNumber, e.EndColumnNumber, e.Message));

        public void LogWarningEvent(BuildWarningEventArgs e) =>
            Lines.Add(Format("warning", e.Code, e.File, e.LineNumber, e.ColumnNumber, e.EndLineNumber, e.EndColumnNumber, e.Message));

        public void LogMessageEvent(BuildMessageEventArgs e)
        {
            if (!string.IsNullOrEmpty(e.Code) || (e.Message ?? string.Empty).StartsWith("OpenTrain:", StringComparison.Ordinal))
            {
                Lines.Add(Format("message", e.Code, e.File, e.LineNumber, e.ColumnNumber, e.EndLineNumber, e.EndColumnNumber, e.Message));
            }
        }

        private static string Format(string severity, string? code, string? file, int line, int column, int endLine, int endColumn, string? message) =>
            string.Join("\t", severity, code ?? string.Empty, file ?? string.Empty, line.ToString(CultureInfo.InvariantCulture), column.ToString(CultureInfo.InvariantCulture),
                endLine.ToString(CultureInfo.InvariantCulture), endColumn.ToString(CultureInfo.InvariantCulture), message ?? string.Empty);
    }
}
