using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using OpenTrain.Lineage;

namespace OpenTrainAnalyzers.CodeFixes;

/// <summary>
/// OTA0001 (a constant model path that no manifest lists): adds a new additional document next to the model,
/// models/sentiment.onnx -> models/sentiment.lineage.json, holding <see cref="ManifestSkeleton"/>. Offered only when the
/// model path is a file known at compile time and no additional document of the project already has that path (then
/// the manifest exists but does not list the file: fix that manifest, or use the link fix). The skeleton is never
/// complete: the build reports each element still to write, so nothing here pretends to know a model's lineage.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CreateManifestSkeletonCodeFixProvider))]
[Shared]
public sealed class CreateManifestSkeletonCodeFixProvider : CodeFixProvider
{
    /// <summary>One key for every skeleton, so that Fix All creates all of them.</summary>
    public const string EquivalenceKey = "CreateManifestSkeleton";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnlinkedModelLoad);

    /// <summary>
    /// The batch fixer merges text changes of existing documents only and would drop the added files; this one
    /// collects the diagnostics of the scope and adds each distinct skeleton once.
    /// </summary>
    public override FixAllProvider GetFixAllProvider() => SkeletonFixAllProvider.Instance;

    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var project = context.Document.Project;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (Target(diagnostic, project) is not { } target || Exists(project, target.FilePath))
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Create lineage manifest skeleton for '{target.ModelPath}' (to fill it from the model's files instead, run: {ManifestSkeleton.ScaffoldCommand(target.ModelPath)})",
                    cancellationToken => Task.FromResult(AddSkeletons(project.Solution, new[] { (project.Id, diagnostic) }, cancellationToken)),
                    EquivalenceKey),
                diagnostic);
        }

        return Task.CompletedTask;
    }

    /// <summary>Where the skeleton for the model a diagnostic names goes, or null when the diagnostic does not say.</summary>
    internal static SkeletonTarget? Target(Diagnostic diagnostic, Project project)
    {
        if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.ModelPath, out string? modelPath) || string.IsNullOrWhiteSpace(modelPath))
        {
            return null;
        }

        string written = PathText.Normalize(modelPath!);
        string fileName = PathText.FileName(written);
        if (fileName.Length == 0 || fileName == "..")
        {
            return null;
        }

        string? projectDirectory = diagnostic.Properties.TryGetValue(DiagnosticProperties.ProjectDirectory, out string? fromBuild) && !string.IsNullOrWhiteSpace(fromBuild)
            ? fromBuild
            : project.FilePath is { } projectFile ? Path.GetDirectoryName(projectFile) : null;
        string full;
        if (PathText.IsRooted(written))
        {
            full = written;
        }
        else if (projectDirectory is not null)
        {
            full = PathText.Combine(PathText.Normalize(projectDirectory), written);
        }
        else
        {
            return null; // nowhere to put it: relative paths start at the project directory, which this host does not say
        }

        string manifest = ManifestSkeleton.PathFor(full);

        // Keep the host's separators (a Windows project directory gives Windows paths).
        bool windows = projectDirectory?.IndexOf('\\') >= 0 || (manifest.Length >= 2 && manifest[1] == ':');
        return new SkeletonTarget(modelPath!, fileName, windows ? manifest.Replace('/', '\\') : manifest);
    }

    private static bool Exists(Project project, string filePath)
    {
        string wanted = PathText.Normalize(filePath);
        return project.AdditionalDocuments.Any(d => d.FilePath is { } path && string.Equals(PathText.Normalize(path), wanted, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Adds one skeleton per distinct manifest path, in the order given, skipping paths that already exist.</summary>
    private static Solution AddSkeletons(Solution solution, IEnumerable<(ProjectId Project, Diagnostic Diagnostic)> diagnostics, CancellationToken cancellationToken)
    {
        foreach (var (projectId, diagnostic) in diagnostics)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var project = solution.GetProject(projectId);
            if (project is null || Target(diagnostic, project) is not { } target || Exists(project, target.FilePath))
            {
                continue;
            }

            // Name and path are the full path: hosts write the file at filePath, and the analyzers see it there
            // (AdditionalText.Path) whether a host keeps the path or falls back to the name. No folders: the path says it.
            solution = solution.AddAdditionalDocument(
                DocumentId.CreateNewId(projectId, target.FilePath),
                target.FilePath,
                ManifestSkeleton.Create(target.FileName),
                folders: null,
                filePath: target.FilePath);
        }

        return solution;
    }

    internal sealed class SkeletonTarget
    {
        public SkeletonTarget(string modelPath, string fileName, string filePath)
        {
            ModelPath = modelPath;
            FileName = fileName;
            FilePath = filePath;
        }

        /// <summary>The model path as the code writes it (after resolution).</summary>
        public string ModelPath { get; }

        /// <summary>The model's file name, as weights.files[0].path (the manifest sits next to it).</summary>
        public string FileName { get; }

        /// <summary>Full path of the manifest to create.</summary>
        public string FilePath { get; }

    }

    private sealed class SkeletonFixAllProvider : FixAllProvider
    {
        public static readonly SkeletonFixAllProvider Instance = new();

        public override async Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
        {
            var diagnostics = new List<(ProjectId, Diagnostic)>();
            switch (fixAllContext.Scope)
            {
                case FixAllScope.Project:
                    await AddAsync(fixAllContext.Project).ConfigureAwait(false);
                    break;
                case FixAllScope.Solution:
                    foreach (var project in fixAllContext.Solution.Projects)
                    {
                        await AddAsync(project).ConfigureAwait(false);
                    }

                    break;
                default:
                    if (fixAllContext.Document is { } document)
                    {
                        var found = await fixAllContext.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false);
                        diagnostics.AddRange(Ordered(found).Select(d => (document.Project.Id, d)));
                    }

                    break;
            }

            if (diagnostics.Count == 0)
            {
                return null;
            }

            var solution = fixAllContext.Solution;
            return CodeAction.Create(
                "Create lineage manifest skeletons",
                cancellationToken => Task.FromResult(AddSkeletons(solution, diagnostics, cancellationToken)),
                EquivalenceKey);

            async Task AddAsync(Project project)
            {
                var found = await fixAllContext.GetAllDiagnosticsAsync(project).ConfigureAwait(false);
                diagnostics.AddRange(Ordered(found).Select(d => (project.Id, d)));
            }
        }

        private static IEnumerable<Diagnostic> Ordered(ImmutableArray<Diagnostic> diagnostics) => diagnostics
            .Where(d => d.Id == DiagnosticIds.UnlinkedModelLoad)
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start);
    }
}
