using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using OpenTrain.Lineage;
using OpenTrain.Lineage.Headers;
using OpenTrain.Lineage.Model;
using OpenTrainAnalyzers.Build.Files;
using OpenTrainAnalyzers.Build.Scaffold;

namespace OpenTrainAnalyzers.Build;

/// <summary>
/// The one command that writes a user file: <c>dotnet build -t:OpenTrainScaffold -p:OpenTrainScaffoldPath=&lt;weight
/// file or model folder&gt;</c> writes <c>&lt;name&gt;.lineage.json</c> beside it, filled with what the model's own files
/// establish (card, config.json, weight headers, sizes and digests) and placeholders for the rest. It never overwrites:
/// an existing manifest is OTL0014 and stays as it was. A normal build never runs this task.
/// </summary>
public sealed class ScaffoldLineage : Task, ICancelableTask
{
    private readonly System.Threading.CancellationTokenSource _cancel = new();

    /// <summary>The weight file or model folder, relative to the project directory (or absolute).</summary>
    public string? ScaffoldPath { get; set; }

    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    /// <summary>The project file, where problems with the command itself are located.</summary>
    public string? ProjectFile { get; set; }

    /// <summary>Lineage sources (OpenTrainLineageSource folders, lineage packages' manifests): a named base model found there is pinned.</summary>
    public ITaskItem[] Sources { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The manifest written, when one was.</summary>
    [Output]
    public string? ScaffoldedManifest { get; set; }

    public void Cancel() => _cancel.Cancel();

    public override bool Execute()
    {
        try
        {
            Run();
        }
        catch (OperationCanceledException)
        {
            Log.LogMessage(MessageImportance.High, "OpenTrain: scaffold cancelled; nothing was written.");
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Error(LineageRules.ValidationFailed, ProjectFile, $"The OpenTrain scaffold stopped unexpectedly ({e.GetType().Name}); nothing was written. Please report it; the details are in the build log at detailed verbosity (-v:d).");
            Log.LogMessage(MessageImportance.Low, "OpenTrain: " + SafeFiles.Escape(e.ToString()));
        }

        return !Log.HasLoggedErrors;
    }

    private void Run()
    {
        if (string.IsNullOrWhiteSpace(ScaffoldPath))
        {
            Error(LineageRules.ScaffoldSourceInvalid, ProjectFile, "Say which model to scaffold: dotnet build -t:OpenTrainScaffold -p:OpenTrainScaffoldPath=<weight file or model folder>, relative to the project.");
            return;
        }

        string full;
        try
        {
            full = Path.GetFullPath(Path.Combine(ProjectDirectory, ScaffoldPath!.Trim()));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException or System.Security.SecurityException)
        {
            Error(LineageRules.ScaffoldSourceInvalid, ProjectFile, $"OpenTrainScaffoldPath '{SafeFiles.Escape(ScaffoldPath)}' is not a usable path ({SafeFiles.Reason(e)}).");
            return;
        }

        var kind = SafeFiles.KindOf(full);
        if (kind is not (FileKind.Regular or FileKind.Directory))
        {
            Error(LineageRules.ScaffoldSourceInvalid, ProjectFile, kind == FileKind.Missing
                ? $"OpenTrainScaffoldPath '{SafeFiles.Escape(ScaffoldPath)}' does not exist (looked for {SafeFiles.Escape(full)}). Give a weight file or a model folder, relative to the project."
                : $"OpenTrainScaffoldPath '{SafeFiles.Escape(ScaffoldPath)}' is {SafeFiles.Describe(kind)}, not a weight file or a model folder; it was not opened.");
            return;
        }

        string manifestPath = ManifestPathFor(full, kind == FileKind.Directory);
        if (SafeFiles.KindOf(manifestPath) != FileKind.Missing)
        {
            Error(LineageRules.ScaffoldTargetExists, manifestPath, $"'{SafeFiles.Escape(Path.GetFileName(manifestPath))}' already exists and was left as it is: the scaffold never overwrites a file. Edit it, or move it away and run the command again to start over.");
            return;
        }

        var folder = ModelFolder.Read(full, _cancel.Token);
        foreach (var file in folder.ModelFiles.Where(f => f.Header is { IsComplete: false } && !(f.Format == "onnx" && f.Header.Problem!.Kind == HeaderProblemKind.WrongMagic)))
        {
            folder.Problems.Add(new SourceProblem(file.FullPath, 0, 0, $"The {file.Header!.Format} header of '{file.RelativePath}' cannot be read ({file.Header.Problem}); nothing was taken from it. Check that the file is complete."));
        }

        foreach (var problem in folder.Problems)
        {
            Log.LogWarning(null, LineageRules.ScaffoldSourceUnreadable.Id, null, LineageRules.ScaffoldSourceUnreadable.HelpLink, SafeFiles.Escape(problem.File), problem.Line, problem.Column, 0, 0, SafeFiles.Escape(problem.Message));
        }

        if (!folder.ModelFiles.Any())
        {
            Error(LineageRules.ScaffoldSourceInvalid, ProjectFile, $"'{SafeFiles.Escape(ScaffoldPath)}' holds no model weights: no file is ONNX, GGUF, safetensors, PyTorch, TFLite or ML.NET by its extension, nor GGUF, GGML or safetensors by its first bytes. Nothing was written.");
            return;
        }

        var sourceProblems = new List<LineageFinding>();
        var sources = SourceFolders.From(Sources, ProjectDirectory, sourceProblems, out _);
        var (manifest, scaffold) = LineageScaffold.Compose(folder, sources);
        foreach (var problem in sourceProblems)
        {
            // The scaffold still writes what it knows: a source it cannot search only leaves the pins to the user.
            Log.LogWarning(null, problem.Id, null, problem.Rule.HelpLink, SafeFiles.Escape(ProjectFile ?? string.Empty), 0, 0, 0, 0, SafeFiles.Escape(problem.Message));
        }

        string text = ManifestWriter.Write(manifest);
        try
        {
            // CreateNew: if the file appeared since the check above (another build), it is not overwritten either.
            using var stream = new FileStream(manifestPath, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
            stream.Write(bytes, 0, bytes.Length);
        }
        catch (IOException) when (SafeFiles.KindOf(manifestPath) != FileKind.Missing)
        {
            Error(LineageRules.ScaffoldTargetExists, manifestPath, $"'{SafeFiles.Escape(Path.GetFileName(manifestPath))}' appeared while the scaffold ran and was left as it is: the scaffold never overwrites a file.");
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            Error(LineageRules.ScaffoldSourceInvalid, manifestPath, $"The manifest cannot be written ({SafeFiles.Reason(e)}); nothing was written.");
            return;
        }

        ScaffoldedManifest = manifestPath;
        string shown = Relative(manifestPath);
        Log.LogMessage(MessageImportance.High, $"OpenTrain: wrote {SafeFiles.Escape(shown)} from {SafeFiles.Escape(ScaffoldPath)} ({folder.Files.Count} file(s), {folder.BytesHashed:N0} bytes hashed). Each value and its source:");
        foreach (var fact in scaffold.Facts)
        {
            Log.LogMessage(MessageImportance.High, "  " + SafeFiles.Escape(fact.ToString()));
        }

        Log.LogMessage(MessageImportance.High, "OpenTrain: left for you (the next build reports each unknown with its location; nothing was guessed):");
        foreach (var open in scaffold.LeftOpen)
        {
            Log.LogMessage(MessageImportance.High, "  " + SafeFiles.Escape(open));
        }

        Log.LogMessage(MessageImportance.High, $"OpenTrain: review every value above before you commit {SafeFiles.Escape(Path.GetFileName(manifestPath))}: a card or a header can be wrong, and the manifest is your statement.");
    }

    /// <summary>Beside a weight file, its stem; beside a folder, the folder's name.</summary>
    internal static string ManifestPathFor(string fullPath, bool isFolder)
    {
        string trimmed = fullPath.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        string parent = Path.GetDirectoryName(trimmed) ?? trimmed;
        string name = isFolder ? Path.GetFileName(trimmed) : Path.GetFileNameWithoutExtension(trimmed);
        return Path.Combine(parent, name + ManifestSkeleton.Suffix);
    }

    private string Relative(string path)
    {
        string root = ProjectDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return path.StartsWith(root, StringComparison.Ordinal) ? path.Substring(root.Length) : path;
    }

    private void Error(LineageRule rule, string? file, string message) =>
        Log.LogError(null, rule.Id, null, rule.HelpLink, SafeFiles.Escape(file ?? string.Empty), 0, 0, 0, 0, message);
}
