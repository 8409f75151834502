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

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

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
                        cancellationToken => AddAttributeAsync(context.Document, root, node, manifest, cancellationToken),
                        equivalenceKey: "LinkManifest:" + manifest),
                    diagnostic);
            }
        }
    }

    private static Task<Document> AddAttributeAsync(Document document, SyntaxNode root, SyntaxNode node, string manifestPath, CancellationToken cancellationToken)
    {
        var attribute = SyntaxFactory.Attribute(
            SyntaxFactory.IdentifierName("ModelLineage"),
            SyntaxFactory.AttributeArgumentList(SyntaxFactory.SingletonSeparatedList(
                SyntaxFactory.AttributeArgument(SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(manifestPath))))));

        var member = node.AncestorsAndSelf().OfType<MemberDeclarationSyntax>()
            .FirstOrDefault(m => m is BaseMethodDeclarationSyntax or BasePropertyDeclarationSyntax or BaseFieldDeclarationSyntax or BaseTypeDeclarationSyntax);
        SyntaxNode newRoot;
        if (member is null || member is GlobalStatementSyntax)
        {
            // Top-level statements: only the assembly can carry the link.
            var compilationUnit = (CompilationUnitSyntax)root;
            var list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute))
                .WithTarget(SyntaxFactory.AttributeTargetSpecifier(SyntaxFactory.Token(SyntaxKind.AssemblyKeyword)))
                .WithAdditionalAnnotations(Formatter.Annotation);
            newRoot = compilationUnit.AddAttributeLists(list);
        }
        else
        {
            var list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute)).WithAdditionalAnnotations(Formatter.Annotation);
            newRoot = root.ReplaceNode(member, member.AddAttributeLists(list).WithAdditionalAnnotations(Formatter.Annotation));
        }

        newRoot = AddUsing((CompilationUnitSyntax)newRoot);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(document.WithSyntaxRoot(newRoot));
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
