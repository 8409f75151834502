using System.Text;
using OpenTrain.Lineage.Json;

namespace OpenTrain.Lineage.Tests;

public class JsonParserTests
{
    [Fact]
    public void Values_carry_their_path_and_line_and_column()
    {
        var result = JsonParser.Parse("{\n  \"a\": [1, {\"b\": \"x\"}],\n  \"c\": true\n}");

        Assert.Empty(result.Problems);
        var b = result.Root!["a"]!.Items[1]["b"]!;
        Assert.Equal("$.a[1].b", b.Path);
        Assert.Equal("x", b.Text);
        Assert.Equal(2, b.Range.Start.Line);
        Assert.Equal(18, b.Range.Start.Column);
        Assert.Equal(3, result.Root["c"]!.Range.Start.Line);
    }

    [Theory]
    [InlineData("{\"a\": 1,}", 1, 9, "Trailing comma")]
    [InlineData("{\"a\": 1\n\"b\": 2}", 2, 1, "',' or '}'")]
    [InlineData("{\"a\": tru}", 1, 7, "Unexpected token")]
    [InlineData("{\"a\": 01}", 1, 8, "leading zeros")]
    [InlineData("{\"a\": \"x\n\"}", 1, 9, "Unterminated string")]
    [InlineData("// c\n{}", 1, 1, "Comments")]
    [InlineData("{} {}", 1, 4, "after the end")]
    [InlineData("", 1, 1, "end of file")]
    [InlineData("{\"a\": \"\\q\"}", 1, 9, "Invalid escape")]
    public void Syntax_errors_are_located_and_never_throw(string json, int line, int column, string messagePart)
    {
        var result = JsonParser.Parse(json);

        Assert.Null(result.Root);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(JsonProblemKind.Syntax, problem.Kind);
        Assert.Contains(messagePart, problem.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(line, problem.Range.Start.Line);
        Assert.Equal(column, problem.Range.Start.Column);
    }

    [Fact]
    public void Duplicate_keys_are_reported_at_the_second_key()
    {
        var result = JsonParser.Parse("{\"a\": 1,\n \"a\": 2}");

        var problem = Assert.Single(result.Problems);
        Assert.Equal(JsonProblemKind.DuplicateKey, problem.Kind);
        Assert.Equal("$.a", problem.Path);
        Assert.Equal(2, problem.Range.Start.Line);
        Assert.NotNull(result.Root);
    }

    [Fact]
    public void A_byte_order_mark_is_accepted()
    {
        var result = JsonParser.Parse("\uFEFF{\"a\": 1}");

        Assert.Empty(result.Problems);
        Assert.Equal(1, result.Root!["a"]!.Range.Start.Line);
        Assert.Equal(7, result.Root["a"]!.Range.Start.Column);
    }

    [Fact]
    public void Deep_nesting_stops_at_the_limit_without_overflowing_the_stack()
    {
        string json = new string('[', 100_000) + new string(']', 100_000);

        var result = JsonParser.Parse(json);

        Assert.Null(result.Root);
        Assert.Equal(JsonProblemKind.TooDeep, Assert.Single(result.Problems).Kind);
    }

    [Fact]
    public void Escapes_and_surrogate_pairs_are_decoded()
    {
        var result = JsonParser.Parse("{\"a\": \"\\u00e9\\n\\ud83d\\ude00\\\"\"}");

        Assert.Equal("é\n😀\"", result.Root!["a"]!.Text);
    }

    [Theory]
    [InlineData("{\"a\": \"\\ud800\"}", "D800")] // high surrogate alone, at the end of the string
    [InlineData("{\"a\": \"x\\ud83dy\"}", "D83D")] // high surrogate followed by a plain character
    [InlineData("{\"a\": \"\\ude00\"}", "DE00")] // low surrogate alone
    [InlineData("{\"a\": \"\\ude00\\ud83d\"}", "DE00")] // a pair in the wrong order
    [InlineData("{\"a\": \"\\ud83d\\u0041\"}", "D83D")] // high surrogate followed by a non-surrogate escape
    [InlineData("{\"a\": \"\\ud83d\\ud83d\"}", "D83D")] // two high surrogates
    public void Lone_surrogate_escapes_are_refused_where_they_are(string json, string code)
    {
        var result = JsonParser.Parse(json);

        Assert.Null(result.Root);
        var problem = Assert.Single(result.Problems);
        Assert.Contains("Lone UTF-16 surrogate escape '\\u" + code + "'", problem.Message, StringComparison.Ordinal);
        Assert.Equal(json.IndexOf("\\u" + code.ToLowerInvariant(), StringComparison.Ordinal) + 1, problem.Range.Start.Column);
    }

    [Fact]
    public void A_lone_surrogate_in_a_manifest_is_a_located_OTL0100()
    {
        var manifest = LineageManifest.Read(Encoding.UTF8.GetBytes("{\n  \"manifestVersion\": \"1.0\",\n  \"model\": { \"name\": \"x\\udfff\" }\n}"));

        var finding = Assert.Single(manifest.Findings);
        Assert.Equal("OTL0100", finding.Id);
        Assert.Equal(3, finding.Range!.Value.Start.Line);
        Assert.Equal(24, finding.Range!.Value.Start.Column);
        Assert.False(manifest.IsReadable);
    }

    [Fact]
    public void Invalid_utf8_is_reported_with_its_byte_offset_and_line()
    {
        byte[] bytes = Encoding.UTF8.GetBytes("{\n \"a\": \"x\"}");
        bytes[9] = 0xC3; // a lead byte followed by '"' is not UTF-8

        var manifest = LineageManifest.Read(bytes);

        var finding = Assert.Single(manifest.Findings);
        Assert.Equal("OTL0100", finding.Id);
        Assert.Contains("offset 9", finding.Message, StringComparison.Ordinal);
        Assert.Equal(2, finding.Range!.Value.Start.Line);
        Assert.False(manifest.IsReadable);
    }

    [Theory]
    [InlineData(new byte[] { 0xC0, 0x80 })] // overlong NUL
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // UTF-16 surrogate
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })] // above U+10FFFF
    [InlineData(new byte[] { 0xE2, 0x82 })] // truncated
    public void Invalid_utf8_sequences_are_refused(byte[] sequence)
    {
        Assert.False(Utf8Text.TryDecode(sequence, sequence.Length, out _, out int offset));
        Assert.Equal(0, offset);
    }

    [Fact]
    public void A_manifest_over_the_size_limit_is_refused_before_parsing()
    {
        var manifest = LineageManifest.Read(new string(' ', LineageManifest.MaxBytes + 1));

        Assert.Equal("OTL0105", Assert.Single(manifest.Findings).Id);
    }

    [Fact]
    public void A_one_megabyte_manifest_parses()
    {
        var builder = new StringBuilder("{\"extensions\": {\"rows\": [");
        for (int i = 0; builder.Length < 1_000_000; i++)
        {
            builder.Append(i == 0 ? string.Empty : ",").Append("{\"id\": ").Append(i).Append(", \"text\": \"row number ").Append(i).Append("\"}");
        }

        builder.Append("]}}");
        var result = JsonParser.Parse(builder.ToString());

        Assert.Empty(result.Problems);
        Assert.True(result.Root!["extensions"]!["rows"]!.Items.Count > 10_000);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(30)]
    public void Duplicate_keys_are_found_in_small_and_large_objects(int distinct)
    {
        var members = Enumerable.Range(0, distinct).Select(i => $"\"k{i}\": {i}").ToList();
        members.Add("\"k1\": 99");
        members.Add($"\"k{distinct - 1}\": 98");

        var result = JsonParser.Parse("{" + string.Join(", ", members) + "}");

        Assert.Equal(new[] { "$.k1", $"$.k{distinct - 1}" }, result.Problems.Where(p => p.Kind == JsonProblemKind.DuplicateKey).Select(p => p.Path));
    }
}
