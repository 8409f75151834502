using OpenTrainAnalyzers.Build.Files;
namespace OpenTrainAnalyzers.Build.Tests;

public sealed class SafeFilesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opentrain-safe-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("plain 'text' \u00e9\U0001F600", "plain 'text' \u00e9\U0001F600")]
    [InlineData("a\0b", "a\\u0000b")]
    [InlineData("\u001b[31mred\u001b[0m", "\\u001B[31mred\\u001B[0m")]
    [InlineData("line\r\nerror FAKE0001: x", "line\\r\\nerror FAKE0001: x")]
    [InlineData("tab\there\u007f\u0085\u2028\u202e", "tab\\there\\u007F\\u0085\\u2028\\u202E")]
    public void Escape_writes_control_characters_as_escapes_and_leaves_text_alone(string text, string expected) =>
        Assert.Equal(expected, SafeFiles.Escape(text));

    [Fact]
    public void Escape_writes_a_lone_surrogate_as_an_escape_and_keeps_pairs() =>
        Assert.Equal("lone \\uD800 high, pair \U0001F600, low \\uDC00", SafeFiles.Escape("lone \ud800 high, pair \U0001F600, low \udc00"));

    [Fact]
    public void ReadCapped_stops_at_the_cap_whatever_the_file_reports()
    {
        string path = Path.Combine(_directory, "big.json");
        File.WriteAllBytes(path, new byte[1000]);

        Assert.Equal(1000, SafeFiles.ReadCapped(path, 1000, out bool exact).Length);
        Assert.False(exact);
        Assert.Empty(SafeFiles.ReadCapped(path, 999, out bool tooLarge));
        Assert.True(tooLarge);
    }

    [Fact]
    public void A_proc_file_reporting_length_0_is_read_to_its_end()
    {
        if (!File.Exists("/proc/self/status"))
        {
            return; // Linux only
        }

        Assert.Equal(0, new FileInfo("/proc/self/status").Length);
        Assert.Equal(FileCheckStatus.Regular, SafeFiles.Check("/proc/self/status", null).Status);
        byte[] bytes = SafeFiles.ReadCapped("/proc/self/status", 1 << 20, out bool tooLarge);
        Assert.False(tooLarge);
        Assert.True(bytes.Length > 0);
    }

    [Fact]
    public void Check_resolves_relative_absolute_and_folder_links_and_names_the_final_target()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "blobs"));
        File.WriteAllText(Path.Combine(_directory, "blobs", "x"), "x");
        Directory.CreateDirectory(Path.Combine(_directory, "snap"));
        File.CreateSymbolicLink(Path.Combine(_directory, "snap", "a"), "../blobs/x");
        Directory.CreateSymbolicLink(Path.Combine(_directory, "linkdir"), Path.Combine(_directory, "snap"));
        string real = SafeFiles.RealPath(_directory);

        var check = SafeFiles.Check(Path.Combine(_directory, "linkdir", "a"), new[] { real });

        Assert.Equal(FileCheckStatus.Regular, check.Status);
        Assert.True(check.ViaLink);
        Assert.Equal(Path.Combine(real, "blobs", "x"), check.Target);
        Assert.Equal(FileCheckStatus.LinkOutside, SafeFiles.Check(Path.Combine(_directory, "linkdir", "a"), new[] { Path.Combine(real, "snap") }).Status);
        Assert.False(SafeFiles.IsInside(Path.Combine(real, "blobsX", "x"), Path.Combine(real, "blobs")));
    }

    [Fact]
    public void A_root_of_the_file_system_is_not_an_allowed_link_root()
    {
        var roots = new LinkRoots("/;" + _directory + "; ", "/");

        Assert.Equal(new[] { "/" }, roots.Rejected);
        Assert.Equal(new[] { SafeFiles.RealPath(_directory) }, roots.OptIn);
    }
}
