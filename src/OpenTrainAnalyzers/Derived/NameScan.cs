using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace OpenTrainAnalyzers.Derived;

/// <summary>
/// One pass over the compilation's text that finds where the names that matter are written: the loads, the members
/// that could be wrappers, and constructor calls without a name (<c>new(</c>, <c>base(</c>, <c>this(</c>). A text
/// prefilter: a hit may sit in a comment or string and is checked against the syntax (and bound) before it counts; no
/// hit means the name is not written in code. Words are matched by hash without allocating, so the pass costs about as
/// much as reading the text once; nothing but the positions of hits is kept.
/// </summary>
internal sealed class NameScan
{
    private static readonly List<(SyntaxTree Tree, int Position)> None = new();

    private readonly Dictionary<int, List<string>> _byHash = new();
    private readonly Dictionary<string, List<(SyntaxTree Tree, int Position)>> _hits = new(StringComparer.Ordinal);

    public NameScan(Compilation compilation, IEnumerable<string> words, CancellationToken cancellationToken)
    {
        foreach (string word in words)
        {
            int hash = Hash(word, 0, word.Length);
            if (!_byHash.TryGetValue(hash, out var list))
            {
                _byHash[hash] = list = new List<string>(1);
            }

            if (!list.Contains(word))
            {
                list.Add(word);
            }
        }

        char[] buffer = Array.Empty<char>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var text = tree.GetText(cancellationToken);
            if (buffer.Length < text.Length)
            {
                buffer = new char[Math.Max(text.Length, buffer.Length * 2)];
            }

            text.CopyTo(0, buffer, 0, text.Length);
            Scan(tree, buffer, text.Length);
        }
    }

    /// <summary>Where a name is written (as a word of the text), in the order of the trees.</summary>
    public IReadOnlyList<(SyntaxTree Tree, int Position)> Hits(string word) => _hits.TryGetValue(word, out var list) ? list : None;

    /// <summary>Where <c>new(</c>, <c>base(</c> and <c>this(</c> are written: constructor calls that name no type.</summary>
    public List<(SyntaxTree Tree, int Position)> Nameless { get; } = new();

    private void Scan(SyntaxTree tree, char[] text, int length)
    {
        int i = 0;
        while (i < length)
        {
            char c = text[i];
            if (!IsWordStart(c))
            {
                i++;
                continue;
            }

            int start = i;
            int hash = unchecked((int)2166136261);
            while (i < length && IsWordPart(text[i]))
            {
                hash = unchecked((hash ^ text[i]) * 16777619);
                i++;
            }

            int wordLength = i - start;
            if (IsNamelessCall(text, start, wordLength, i, length))
            {
                Nameless.Add((tree, start));
            }

            if (_byHash.TryGetValue(hash, out var candidates))
            {
                foreach (string candidate in candidates)
                {
                    if (candidate.Length == wordLength && Same(candidate, text, start))
                    {
                        if (!_hits.TryGetValue(candidate, out var list))
                        {
                            _hits[candidate] = list = new List<(SyntaxTree, int)>();
                        }

                        list.Add((tree, start));
                        break;
                    }
                }
            }
        }
    }

    // ASCII first: the Unicode tables only for the rare other letters.
    private static bool IsWordStart(char c) => c < 128 ? (uint)((c | 0x20) - 'a') < 26 || c == '_' : char.IsLetter(c);

    private static bool IsWordPart(char c) => c < 128 ? (uint)((c | 0x20) - 'a') < 26 || (uint)(c - '0') < 10 || c == '_' : char.IsLetterOrDigit(c);

    private static bool IsNamelessCall(char[] text, int start, int length, int end, int textLength)
    {
        bool keyword = (length == 3 && text[start] == 'n' && text[start + 1] == 'e' && text[start + 2] == 'w')
            || (length == 4 && text[start] == 'b' && text[start + 1] == 'a' && text[start + 2] == 's' && text[start + 3] == 'e')
            || (length == 4 && text[start] == 't' && text[start + 1] == 'h' && text[start + 2] == 'i' && text[start + 3] == 's');
        if (!keyword || (start > 0 && text[start - 1] == '@'))
        {
            return false;
        }

        while (end < textLength && char.IsWhiteSpace(text[end]))
        {
            end++;
        }

        return end < textLength && text[end] == '(';
    }

    private static bool Same(string word, char[] text, int start)
    {
        for (int k = 0; k < word.Length; k++)
        {
            if (word[k] != text[start + k])
            {
                return false;
            }
        }

        return true;
    }

    private static int Hash(string word, int start, int length)
    {
        int hash = unchecked((int)2166136261);
        for (int k = start; k < start + length; k++)
        {
            hash = unchecked((hash ^ word[k]) * 16777619);
        }

        return hash;
    }
}
