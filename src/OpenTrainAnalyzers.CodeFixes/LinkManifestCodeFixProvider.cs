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
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace OpenTrainAnalyzers.CodeFixes;

/// <summary>
/// Links an unlinked model load to a lineage manifest of the project: adds [ModelLineage("...")] to the enclosing
/// member, or to the assembly when the load is in top-level statements. One action per manifest in the project.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LinkManifestCodeFixProvider))]
[Shared]
public sealed class LinkManifestCodeFixProvider : CodeFixProvider
{
    private const string AnnotationsNamespace = "OpenTrain.Annotations";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticIds.UnlinkedModelLoad, DiagnosticIds.LocationNotStatic);

    private const string KeyPrefix = "LinkManifest:";

    /// <summary>
    /// Document-level Fix All. The batch fixer merges each diagnostic's own text changes, and two of them always
    /// collide: every fix adds the same using directive at the same place, and two loads in one member add the same
    /// attribute to it. The merger drops colliding changes, so one Fix All left loads unlinked (a second run was
    /// needed). This one links each distinct member (or the assembly) once and adds the using once.
    /// </summary>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(FixAllInDocumentAsync);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        var node = root.FindNode(context.Span, getInnermostNodeForTie: true);
        string? projectDirectory = context.Document.Project.FilePath is { } projectFile ? Path.GetDirectoryName(projectFile) : null;
        var manifests = context.Document.Project.AdditionalDocuments
            .Where(d => d.FilePath is not null && ManifestIndex.IsManifestPath(d.FilePath))
            .Select(d => RelativePath(d.FilePath!, projectDirectory))
            .OrderBy(p => p, System.StringComparer.Ordinal);

        foreach (string manifest in manifests)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Link to lineage manifest '{manifest}'",
                        cancellationToken =>
                        {
                            cancellationToken.ThrowIfCancellationRequested();
                            return Task.FromResult(context.Document.WithSyntaxRoot(Link((CompilationUnitSyntax)root, new[] { node }, manifest)));
                        },
                        equivalenceKey: KeyPrefix + manifest),
                    diagnostic);
            }
        }
    }

    private static async Task<Document?> FixAllInDocumentAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics)
    {
        if (context.CodeActionEquivalenceKey is not { } key || !key.StartsWith(KeyPrefix, System.StringComparison.Ordinal) || diagnostics.IsEmpty)
        {
            return null;
        }

        if (await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false) is not CompilationUnitSyntax root)
        {
            return null;
        }

        var nodes = diagnostics
            .Where(d => d.Location.IsInSource && root.FullSpan.Contains(d.Location.SourceSpan))
            .Select(d => root.FindNode(d.Location.SourceSpan, getInnermostNodeForTie: true));
        return document.WithSyntaxRoot(Link(root, nodes, key.Substring(KeyPrefix.Length)));
    }

    /// <summary>
    /// Adds [ModelLineage("manifest")] once to each member that holds one of <paramref name="loads"/>, once to the
    /// assembly for loads in top-level statements, and the using directive once.
    /// </summary>
    private static CompilationUnitSyntax Link(CompilationUnitSyntax root, IEnumerable<SyntaxNode> loads, string manifestPath)
    {
        var attribute = SyntaxFactory.Attribute(
            SyntaxFactory.IdentifierName("ModelLineage"),
            SyntaxFactory.AttributeArgumentList(SyntaxFactory.SingletonSeparatedList(
                SyntaxFactory.AttributeArgument(SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(manifestPath))))));

        var members = new HashSet<MemberDeclarationSyntax>();
        bool assembly = false;
        foreach (var node in loads)
        {
            var member = node.AncestorsAndSelf().OfType<MemberDeclarationSyntax>()
                .FirstOrDefault(m => m is BaseMethodDeclarationSyntax or BasePropertyDeclarationSyntax or BaseFieldDeclarationSyntax or BaseTypeDeclarationSyntax);
            if (member is null)
            {
                assembly = true; // top-level statements: only the assembly can carry the link
            }
            else
            {
                members.Add(member);
            }
        }

        var newRoot = root.ReplaceNodes(members, (_, member) =>
        {
            // The member's leading trivia (blank lines, comments) stays in front of it: it moves to the new attribute.
            var list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute))
                .WithLeadingTrivia(member.AttributeLists.Count == 0 ? member.GetLeadingTrivia() : default)
                .WithAdditionalAnnotations(Formatter.Annotation);
            var annotated = member.AttributeLists.Count == 0 ? member.WithoutLeadingTrivia() : member;
            return annotated.AddAttributeLists(list).WithAdditionalAnnotations(Formatter.Annotation);
        });

        if (assembly)
        {
            var list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute))
                .WithTarget(SyntaxFactory.AttributeTargetSpecifier(SyntaxFactory.Token(SyntaxKind.AssemblyKeyword)))
                .WithAdditionalAnnotations(Formatter.Annotation);
            newRoot = newRoot.AddAttributeLists(list);
        }

        return AddUsing(newRoot);
    }

    private static CompilationUnitSyntax AddUsing(CompilationUnitSyntax root)
    {
        if (root.Usings.Any(u => u.Name?.ToString() == AnnotationsNamespace)
            || root.DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax).OfType<UsingDirectiveSyntax>().Any(u => u.Name?.ToString() == AnnotationsNamespace))
        {
            return root;
        }

        var directive = SyntaxFactory.UsingDirective(SyntaxFactory.ParseName(AnnotationsNamespace)).WithAdditionalAnnotations(Formatter.Annotation);
        return root.AddUsings(directive);
    }

    private static string RelativePath(string path, string? projectDirectory)
    {
        string normalized = path.Replace('\\', '/');
        if (projectDirectory is not null)
        {
            string directory = projectDirectory.Replace('\\', '/').TrimEnd('/') + "/";
            if (normalized.StartsWith(directory, System.StringComparison.OrdinalIgnoreCase))
            {
                return normalized.Substring(directory.Length);
            }
        }

        return normalized.TrimStart('/');
    }
}
