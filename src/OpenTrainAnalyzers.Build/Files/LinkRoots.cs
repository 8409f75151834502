using System;
using System.Collections.Generic;
using System.IO;
using OpenTrainAnalyzers.Build.Weights;

namespace OpenTrainAnalyzers.Build.Files;

/// <summary>
/// Where a weight or parent path may lead once its symbolic links are followed: the manifest's own folder tree, plus
/// the folders the project opts into (<c>OpenTrainAllowedLinkRoots</c> / <c>OpenTrainAllowedLinkRoot</c> items, e.g.
/// a Hugging Face cache, whose snapshot files are links into its blobs folder). Roots are compared by their real
/// paths (links resolved), so a project reached through a linked folder works like any other.
/// </summary>
internal sealed class LinkRoots
{
    private readonly List<string> _optIn = new();
    private readonly Dictionary<string, IReadOnlyList<string>> _byManifestDirectory = new(WeightVerifier.PathComparer);

    /// <param name="optIn">';'-separated folders, relative to <paramref name="baseDirectory"/> or absolute.</param>
    public LinkRoots(string? optIn, string baseDirectory)
    {
        foreach (var raw in (optIn ?? string.Empty).Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries))
        {
            string root = raw.Trim();
            if (root.Length == 0)
            {
                continue;
            }

            try
            {
                string full = Path.GetFullPath(Path.Combine(baseDirectory, root));
                string real = SafeFiles.RealPath(full).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
                if (real.Length == 0 || string.Equals(real, Path.GetPathRoot(full)?.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar), StringComparison.Ordinal))
                {
                    Rejected.Add(root); // the whole file system is not a root
                    continue;
                }

                _optIn.Add(real);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException or System.Security.SecurityException)
            {
                Rejected.Add(root);
            }
        }
    }

    /// <summary>The opt-in roots, resolved.</summary>
    public IReadOnlyList<string> OptIn => _optIn;

    /// <summary>Entries that are not usable folders (unparsable, or a file-system root such as '/').</summary>
    public List<string> Rejected { get; } = new();

    /// <summary>The allowed roots for the files of a manifest in <paramref name="manifestDirectory"/>.</summary>
    public IReadOnlyList<string> For(string manifestDirectory)
    {
        if (!_byManifestDirectory.TryGetValue(manifestDirectory, out var roots))
        {
            var list = new List<string> { SafeFiles.RealPath(manifestDirectory) };
            list.AddRange(_optIn);
            roots = list;
            _byManifestDirectory[manifestDirectory] = roots;
        }

        return roots;
    }
}
