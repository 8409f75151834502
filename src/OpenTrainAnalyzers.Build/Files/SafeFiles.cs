using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using OpenTrainAnalyzers.Build.Weights;

namespace OpenTrainAnalyzers.Build.Files;

/// <summary>What a path names once links are followed (stat's file type).</summary>
internal enum FileKind
{
    Missing,
    Regular,
    Directory,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
    Other,
}

/// <summary>The outcome of checking a path before it is opened.</summary>
internal enum FileCheckStatus
{
    /// <summary>A regular file, inside an allowed root: safe to open and read to its end.</summary>
    Regular,
    Missing,
    Directory,

    /// <summary>A FIFO, socket, character or block device: opening or reading it could block forever or never end.</summary>
    NotRegular,

    /// <summary>More than <see cref="SafeFiles.MaxLinkHops"/> links, which is what a loop looks like.</summary>
    LinkLoop,

    /// <summary>The path goes through a link whose final target is outside every allowed root.</summary>
    LinkOutside,

    /// <summary>A link this host cannot resolve (.NET Framework on Windows: reparse points are refused, not followed).</summary>
    LinkUnresolvable,
}

internal sealed class FileCheck
{
    public FileCheck(FileCheckStatus status, FileKind kind, string? target, bool viaLink)
    {
        Status = status;
        Kind = kind;
        Target = target;
        ViaLink = viaLink;
    }

    public FileCheckStatus Status { get; }

    public FileKind Kind { get; }

    /// <summary>The path with every link resolved (the file actually opened), when it could be resolved.</summary>
    public string? Target { get; }

    /// <summary>Whether a symbolic link (on the file or on a folder of its path) was followed.</summary>
    public bool ViaLink { get; }
}

/// <summary>
/// File-system checks done before any file is opened: the type of the file (stat, links followed), links resolved by
/// hand (lstat/readlink per path segment, with a hop limit so that loops are our error, not the runtime's), bounded
/// reads, atomic writes, and messages that neither echo raw control characters nor the runtime's exception text.
/// </summary>
internal static class SafeFiles
{
    /// <summary>Linux's own limit on links followed while resolving one path (MAXSYMLINKS).</summary>
    internal const int MaxLinkHops = 40;

    private static readonly bool IsWindows = Path.DirectorySeparatorChar == '\\';
    private static bool s_nativeStatMissing;

    /// <summary>The type of what <paramref name="path"/> names, following links. Never opens the file.</summary>
    public static FileKind KindOf(string path)
    {
        if (!IsWindows && StatMode(path) is { } mode)
        {
            if (mode < 0)
            {
                return FileKind.Missing;
            }

            return (mode & 0xF000) switch
            {
                0x8000 => FileKind.Regular,
                0x4000 => FileKind.Directory,
                0x1000 => FileKind.Fifo,
                0x2000 => FileKind.CharacterDevice,
                0x6000 => FileKind.BlockDevice,
                0xC000 => FileKind.Socket,
                _ => FileKind.Other,
            };
        }

        // Windows has no FIFOs or devices inside a folder tree (named pipes live under \\.\pipe\, which a relative
        // path cannot reach); elsewhere this is the fallback when the runtime's native stat is not available.
        if (Directory.Exists(path))
        {
            return FileKind.Directory;
        }

        return File.Exists(path) ? FileKind.Regular : FileKind.Missing;
    }

    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "a named pipe (FIFO)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.Directory => "a directory",
        FileKind.Missing => "missing",
        _ => "not a regular file",
    };

    /// <summary>
    /// Checks <paramref name="fullPath"/> before it is opened: links resolved (loops detected), the final target inside
    /// one of <paramref name="allowedRoots"/> when given (real paths, see <see cref="RealPath"/>), and a regular file.
    /// Never throws for I/O reasons; never reads the file.
    /// </summary>
    public static FileCheck Check(string fullPath, IReadOnlyList<string>? allowedRoots)
    {
        var resolved = Resolve(fullPath);
        if (resolved.Status != FileCheckStatus.Regular)
        {
            return new FileCheck(resolved.Status, FileKind.Other, resolved.Path, viaLink: true);
        }

        string target = resolved.Path!;
        if (allowedRoots is not null)
        {
            bool inside = false;
            foreach (var root in allowedRoots)
            {
                if (IsInside(target, root))
                {
                    inside = true;
                    break;
                }
            }

            if (!inside)
            {
                return new FileCheck(FileCheckStatus.LinkOutside, FileKind.Other, target, resolved.ViaLink);
            }
        }

        var kind = KindOf(target);
        var status = kind switch
        {
            FileKind.Regular => FileCheckStatus.Regular,
            FileKind.Missing => FileCheckStatus.Missing,
            FileKind.Directory => FileCheckStatus.Directory,
            _ => FileCheckStatus.NotRegular,
        };
        return new FileCheck(status, kind, target, resolved.ViaLink);
    }

    /// <summary>The path with every link resolved, or the path itself when it cannot be resolved (used for roots).</summary>
    public static string RealPath(string path)
    {
        try
        {
            var resolved = Resolve(Path.GetFullPath(path));
            return resolved.Path ?? Path.GetFullPath(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            return path;
        }
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or below it (both real, full paths).</summary>
    public static bool IsInside(string path, string root)
    {
        string withSeparator = root.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal) ? root : root + Path.DirectorySeparatorChar;
        return WeightVerifier.PathComparer.Equals(path, root)
            || path.StartsWith(withSeparator, IsWindows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>
    /// Resolves every link on the path, segment by segment, like realpath(3), but counting hops itself: a loop is
    /// <see cref="FileCheckStatus.LinkLoop"/>. Segments that do not exist are kept as they are.
    /// </summary>
    private static (FileCheckStatus Status, string? Path, bool ViaLink) Resolve(string fullPath)
    {
        string current = Path.GetPathRoot(fullPath) ?? string.Empty;
        var pending = new Stack<string>();
        PushSegments(pending, fullPath.Substring(current.Length));
        int hops = 0;
        bool viaLink = false;
        while (pending.Count > 0)
        {
            string segment = pending.Pop();
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            string candidate = Path.Combine(current, segment);
            string? link;
            try
            {
                link = ReadLink(candidate);
            }
            catch (NotSupportedException)
            {
                return (FileCheckStatus.LinkUnresolvable, candidate, true);
            }

            if (link is null)
            {
                current = candidate;
                continue;
            }

            viaLink = true;
            if (++hops > MaxLinkHops)
            {
                return (FileCheckStatus.LinkLoop, candidate, true);
            }

            if (Path.IsPathRooted(link))
            {
                current = Path.GetPathRoot(link) ?? current;
                link = link.Substring(current.Length);
            }

            PushSegments(pending, link);
        }

        return (FileCheckStatus.Regular, current, viaLink);
    }

    private static void PushSegments(Stack<string> pending, string relative)
    {
        var segments = relative.Split(IsWindows ? new[] { '\\', '/' } : new[] { '/' });
        for (int i = segments.Length - 1; i >= 0; i--)
        {
            pending.Push(segments[i]);
        }
    }

    /// <summary>The target of the link at <paramref name="path"/> as stored, or null when it is not a link (or absent).</summary>
    private static string? ReadLink(string path)
    {
        try
        {
#if NET
            return new FileInfo(path).LinkTarget;
#else
            if (IsWindows)
            {
                var info = new FileInfo(path);
                if (info.Exists || Directory.Exists(path))
                {
                    if ((File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0)
                    {
                        throw new NotSupportedException("reparse point");
                    }
                }

                return null;
            }

            return ReadLinkUnix(path);
#endif
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or ArgumentException)
        {
            return null; // not there, or not ours to see: the open that follows reports it
        }
    }

#if !NET
    [DllImport("libc", EntryPoint = "readlink", SetLastError = true)]
    private static extern IntPtr NativeReadLink([MarshalAs(UnmanagedType.LPStr)] string path, byte[] buffer, IntPtr size);

    private static string? ReadLinkUnix(string path)
    {
        try
        {
            var buffer = new byte[4096];
            long length = NativeReadLink(path, buffer, new IntPtr(buffer.Length)).ToInt64();
            return length <= 0 ? null : Encoding.UTF8.GetString(buffer, 0, (int)length);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }
#endif

    // The runtime's own stat (System.Native, shipped with every .NET on Linux and macOS): its FileStatus starts with
    // two int32 fields, Flags and Mode, and Mode carries the S_IFMT file-type bits with their POSIX values. The
    // buffer is larger than the structure of any .NET version.
    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
    private static extern int NativeStat([MarshalAs(UnmanagedType.LPStr)] string path, byte[] status);

#if !NET
    // Mono (which runs the .NET Framework task on Linux and macOS) ships the same System.Native code as
    // libmono-native, mapped from the name "System.Native", with the entry point of its time: SystemNative_Stat2.
    [DllImport("System.Native", EntryPoint = "SystemNative_Stat2", SetLastError = true)]
    private static extern int MonoNativeStat([MarshalAs(UnmanagedType.LPStr)] string path, byte[] status);

    private static bool s_useMonoNative;
#endif

    /// <summary>st_mode of <paramref name="path"/> (links followed), -1 when stat fails, null when no native stat is available.</summary>
    private static int? StatMode(string path)
    {
        if (s_nativeStatMissing)
        {
            return null;
        }

        var status = new byte[512];
#if !NET
        if (s_useMonoNative)
        {
            return MonoNativeStat(path, status) != 0 ? -1 : BitConverter.ToInt32(status, 4);
        }
#endif
        try
        {
            return NativeStat(path, status) != 0 ? -1 : BitConverter.ToInt32(status, 4);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
#if !NET
            try
            {
                int result = MonoNativeStat(path, status);
                s_useMonoNative = true;
                return result != 0 ? -1 : BitConverter.ToInt32(status, 4);
            }
            catch (Exception mono) when (mono is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                // neither: fall through
            }
#endif
            s_nativeStatMissing = true;
            return null;
        }
    }

    /// <summary>
    /// Reads at most <paramref name="cap"/> bytes, to the end of the file whatever length it reports (files of
    /// /proc report 0); <paramref name="tooLarge"/> when there is more. Only for paths <see cref="Check"/> found regular.
    /// </summary>
    public static byte[] ReadCapped(string path, long cap, out bool tooLarge)
    {
        tooLarge = false;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096);
        using var bytes = new MemoryStream();
        var buffer = new byte[81920];
        long total = 0;
        while (true)
        {
            int wanted = (int)Math.Min(buffer.Length, cap + 1 - total);
            int n = stream.Read(buffer, 0, wanted);
            if (n <= 0)
            {
                break;
            }

            total += n;
            if (total > cap)
            {
                tooLarge = true;
                return Array.Empty<byte>();
            }

            bytes.Write(buffer, 0, n);
        }

        return bytes.ToArray();
    }

    /// <summary>
    /// Writes a file atomically: a temporary file in the same folder, then a rename over the target. Readers (another
    /// build of the same project) see the old file or the new one, never half of one; the target is never opened, so
    /// a FIFO or device put there is replaced, not written to.
    /// </summary>
    public static void WriteAtomically(string path, string content)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N").Substring(0, 12) + ".tmp");
        try
        {
            File.WriteAllText(temporary, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
#if NET
            File.Move(temporary, fullPath, overwrite: true);
#else
            if (File.Exists(fullPath))
            {
                File.Replace(temporary, fullPath, null);
            }
            else
            {
                File.Move(temporary, fullPath);
            }
#endif
        }
        finally
        {
            try
            {
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A stray temporary file in obj/ is harmless.
            }
        }
    }

    /// <summary>Why an I/O operation failed, in our words: never the runtime's exception text (it can echo raw input).</summary>
    public static string Reason(Exception e) => e switch
    {
        FileNotFoundException => "it does not exist",
        DirectoryNotFoundException => "a folder on its path does not exist",
        PathTooLongException => "its path is too long",
        UnauthorizedAccessException or System.Security.SecurityException => "access is denied; check its permissions",
        ArgumentException or NotSupportedException => "its path contains a character the file system does not accept",
        IOException => "the file system reported an I/O error (HRESULT 0x" + e.HResult.ToString("X8", CultureInfo.InvariantCulture) + ")",
        _ => e.GetType().Name,
    };

    /// <summary>
    /// Makes text safe to echo in a build message or a report: control characters (NUL, ESC, CR, LF, DEL, C1), line
    /// and paragraph separators and bidirectional overrides are written as escapes, so a manifest value can neither
    /// send terminal control sequences nor start a fake log line.
    /// </summary>
    public static string? EscapeOrNull(string? text) => text is null ? null : Escape(text);

    public static string Escape(string? text)
    {
        if (text is null)
        {
            return string.Empty;
        }

        StringBuilder? escaped = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool surrogateOk = char.IsHighSurrogate(c) ? i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])
                : !char.IsLowSurrogate(c) || (i > 0 && char.IsHighSurrogate(text[i - 1]));
            bool unsafeChar = c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || !surrogateOk;
            if (!unsafeChar)
            {
                escaped?.Append(c);
                continue;
            }

            escaped ??= new StringBuilder(text, 0, i, text.Length + 16);
            escaped.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
            });
        }

        return escaped?.ToString() ?? text;
    }
}
