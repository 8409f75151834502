using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace OpenTrain.Lineage.Json;

/// <summary>Problems the parser found; the first syntax error ends parsing, duplicate keys do not.</summary>
public enum JsonProblemKind
{
    Syntax,
    DuplicateKey,
    TooDeep,
}

public sealed class JsonProblem
{
    internal JsonProblem(JsonProblemKind kind, string message, string path, SourceRange range)
    {
        Kind = kind;
        Message = message;
        Path = path;
        Range = range;
    }

    public JsonProblemKind Kind { get; }

    public string Message { get; }

    public string Path { get; }

    public SourceRange Range { get; }
}

public sealed class JsonParseResult
{
    internal JsonParseResult(JsonValue? root, IReadOnlyList<JsonProblem> problems)
    {
        Root = root;
        Problems = problems;
    }

    /// <summary>The document, or null when a syntax error or a limit stopped the parser.</summary>
    public JsonValue? Root { get; }

    public IReadOnlyList<JsonProblem> Problems { get; }
}

/// <summary>
/// A strict RFC 8259 parser that keeps the line and column of every value.
/// Hand-written on purpose: analyzers and MSBuild tasks run inside hosts (Visual Studio, MSBuild.exe) that ship their
/// own System.Text.Json, and a second copy is a classic load failure. It never throws on bad input: every problem
/// becomes a <see cref="JsonProblem"/> with a location. Recursion is bounded by <see cref="MaxDepth"/>.
/// </summary>
public sealed class JsonParser
{
    public const int MaxDepth = 64;

    private readonly string _text;
    private readonly List<JsonProblem> _problems = new List<JsonProblem>();
    private readonly StringBuilder _buffer = new StringBuilder();
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    private JsonParser(string text)
    {
        _text = text;
    }

    public static JsonParseResult Parse(string text)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        var parser = new JsonParser(text);
        JsonValue? root = null;
        try
        {
            if (parser._pos < text.Length && text[parser._pos] == '\uFEFF')
            {
                parser._pos++;
                parser._lineStart = parser._pos;
            }

            parser.SkipWhitespace();
            root = parser.ParseValue(LazyPath.Root, depth: 0);
            parser.SkipWhitespace();
            if (parser._pos < text.Length)
            {
                parser.Fail("Unexpected text after the end of the JSON document.");
            }
        }
        catch (StopParsingException)
        {
            root = null;
        }

        return new JsonParseResult(root, parser._problems);
    }

    private SourcePosition Position => new SourcePosition(_line, _pos - _lineStart + 1);

    private JsonValue ParseValue(LazyPath path, int depth)
    {
        if (_pos >= _text.Length)
        {
            Fail("Unexpected end of file: a value was expected.");
        }

        char c = _text[_pos];
        switch (c)
        {
            case '{':
                return ParseObject(path, depth + 1);
            case '[':
                return ParseArray(path, depth + 1);
            case '"':
                {
                    int start = _pos;
                    var startPosition = Position;
                    string s = ParseString();
                    return new JsonValue(JsonValueKind.String, path, RangeFrom(start, startPosition)) { Text = s };
                }

            case 't':
                return ParseLiteral("true", JsonValueKind.Boolean, path, value: true);
            case 'f':
                return ParseLiteral("false", JsonValueKind.Boolean, path, value: false);
            case 'n':
                return ParseLiteral("null", JsonValueKind.Null, path, value: false);
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return ParseNumber(path);
                }

                Fail(c == '/'
                    ? "Comments are not allowed in a lineage manifest (strict JSON)."
                    : $"Unexpected character '{Printable(c)}': a value was expected.");
                throw new StopParsingException();
        }
    }

    private JsonValue ParseObject(LazyPath path, int depth)
    {
        int start = _pos;
        var startPosition = Position;
        CheckDepth(depth, path);
        _pos++; // {
        var properties = new List<JsonProperty>();
        HashSet<string>? seen = null;
        SkipWhitespace();
        if (Peek() == '}')
        {
            _pos++;
            return new JsonValue(JsonValueKind.Object, path, RangeFrom(start, startPosition)) { Properties = properties };
        }

        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"')
            {
                Fail(Peek() == '}' ? "Trailing comma before '}' is not allowed." : "A property name in double quotes was expected.");
            }

            int nameStart = _pos;
            var namePosition = Position;
            string name = ParseString();
            var nameRange = RangeFrom(nameStart, namePosition);
            SkipWhitespace();
            Expect(':', "':' was expected after the property name.");
            SkipWhitespace();
            var childPath = path.Property(name);
            var value = ParseValue(childPath, depth);
            if (IsDuplicate(properties, name, ref seen))
            {
                _problems.Add(new JsonProblem(
                    JsonProblemKind.DuplicateKey,
                    $"Duplicate key '{name}': JSON readers disagree on which value wins; keep exactly one.",
                    childPath.ToString(),
                    nameRange));
            }

            properties.Add(new JsonProperty(name, nameRange, value));
            SkipWhitespace();
            char c = Peek();
            if (c == ',')
            {
                _pos++;
                continue;
            }

            if (c == '}')
            {
                _pos++;
                break;
            }

            Fail("',' or '}' was expected after a property value.");
        }

        return new JsonValue(JsonValueKind.Object, path, RangeFrom(start, startPosition)) { Properties = properties };
    }

    /// <summary>
    /// Whether an object already has a property of this name. Manifests hold many small objects: a linear scan is
    /// cheaper than a set for them, so the set is only built once an object has more than eight properties.
    /// </summary>
    private static bool IsDuplicate(List<JsonProperty> properties, string name, ref HashSet<string>? seen)
    {
        if (seen is null && properties.Count < 8)
        {
            foreach (var property in properties)
            {
                if (string.Equals(property.Name, name, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        if (seen is null)
        {
            seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in properties)
            {
                seen.Add(property.Name);
            }
        }

        return !seen.Add(name);
    }

    private JsonValue ParseArray(LazyPath path, int depth)
    {
        int start = _pos;
        var startPosition = Position;
        CheckDepth(depth, path);
        _pos++; // [
        var items = new List<JsonValue>();
        SkipWhitespace();
        if (Peek() == ']')
        {
            _pos++;
            return new JsonValue(JsonValueKind.Array, path, RangeFrom(start, startPosition)) { Items = items };
        }

        while (true)
        {
            SkipWhitespace();
            if (Peek() == ']')
            {
                Fail("Trailing comma before ']' is not allowed.");
            }

            items.Add(ParseValue(path.Item(items.Count), depth));
            SkipWhitespace();
            char c = Peek();
            if (c == ',')
            {
                _pos++;
                continue;
            }

            if (c == ']')
            {
                _pos++;
                break;
            }

            Fail("',' or ']' was expected after an array item.");
        }

        return new JsonValue(JsonValueKind.Array, path, RangeFrom(start, startPosition)) { Items = items };
    }

    private string ParseString()
    {
        _pos++; // opening quote

        // Most strings have no escapes and no control characters: take them in one piece.
        for (int end = _pos; end < _text.Length; end++)
        {
            char plain = _text[end];
            if (plain == '"')
            {
                string text = _text.Substring(_pos, end - _pos);
                _pos = end + 1;
                return text;
            }

            if (plain == '\\' || plain < 0x20)
            {
                break;
            }
        }

        _buffer.Clear();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                Fail("Unterminated string: a closing '\"' is missing.");
            }

            char c = _text[_pos];
            if (c == '"')
            {
                _pos++;
                return _buffer.ToString();
            }

            if (c == '\\')
            {
                _pos++;
                if (_pos >= _text.Length)
                {
                    Fail("Unterminated escape sequence.");
                }

                char e = _text[_pos];
                switch (e)
                {
                    case '"': _buffer.Append('"'); break;
                    case '\\': _buffer.Append('\\'); break;
                    case '/': _buffer.Append('/'); break;
                    case 'b': _buffer.Append('\b'); break;
                    case 'f': _buffer.Append('\f'); break;
                    case 'n': _buffer.Append('\n'); break;
                    case 'r': _buffer.Append('\r'); break;
                    case 't': _buffer.Append('\t'); break;
                    case 'u':
                        if (_pos + 4 >= _text.Length || !TryParseHex(_text, _pos + 1, out int code))
                        {
                            Fail("Invalid \\u escape: four hexadecimal digits were expected.");
                            throw new StopParsingException();
                        }

                        _pos += 4;
                        if (code >= 0xD800 && code <= 0xDFFF)
                        {
                            // I-JSON (RFC 7493 2.1): a surrogate escape must be half of a pair, high then low.
                            if (code >= 0xDC00 || _pos + 6 >= _text.Length || _text[_pos + 1] != '\\' || _text[_pos + 2] != 'u'
                                || !TryParseHex(_text, _pos + 3, out int low) || low < 0xDC00 || low > 0xDFFF)
                            {
                                _pos -= 5; // point at the backslash of the lone escape
                                Fail($"Lone UTF-16 surrogate escape '\\u{code:X4}': I-JSON (RFC 7493) forbids unpaired surrogates; write the character itself, or a high and low surrogate pair.");
                                throw new StopParsingException();
                            }

                            _buffer.Append((char)code).Append((char)low);
                            _pos += 6;
                            break;
                        }

                        _buffer.Append((char)code);
                        break;
                    default:
                        Fail($"Invalid escape sequence '\\{Printable(e)}'.");
                        break;
                }

                _pos++;
                continue;
            }

            if (c < 0x20)
            {
                Fail(c == '\n' || c == '\r'
                    ? "Unterminated string: line breaks must be written as \\n inside strings."
                    : "Control characters must be escaped inside strings.");
            }

            _buffer.Append(c);
            _pos++;
        }
    }

    private JsonValue ParseNumber(LazyPath path)
    {
        int start = _pos;
        var startPosition = Position;
        if (Peek() == '-')
        {
            _pos++;
        }

        if (Peek() == '0')
        {
            _pos++;
        }
        else if (IsDigit(Peek()))
        {
            while (IsDigit(Peek()))
            {
                _pos++;
            }
        }
        else
        {
            Fail("Invalid number: a digit was expected.");
        }

        if (Peek() == '.')
        {
            _pos++;
            if (!IsDigit(Peek()))
            {
                Fail("Invalid number: a digit was expected after '.'.");
            }

            while (IsDigit(Peek()))
            {
                _pos++;
            }
        }

        if (Peek() == 'e' || Peek() == 'E')
        {
            _pos++;
            if (Peek() == '+' || Peek() == '-')
            {
                _pos++;
            }

            if (!IsDigit(Peek()))
            {
                Fail("Invalid number: a digit was expected in the exponent.");
            }

            while (IsDigit(Peek()))
            {
                _pos++;
            }
        }

        if (IsDigit(Peek()))
        {
            Fail("Invalid number: leading zeros are not allowed.");
        }

        return new JsonValue(JsonValueKind.Number, path, RangeFrom(start, startPosition)) { Text = _text.Substring(start, _pos - start) };
    }

    private JsonValue ParseLiteral(string literal, JsonValueKind kind, LazyPath path, bool value)
    {
        int start = _pos;
        var startPosition = Position;
        if (string.CompareOrdinal(_text, _pos, literal, 0, literal.Length) != 0)
        {
            Fail($"Unexpected token: '{literal}' or another value was expected.");
        }

        _pos += literal.Length;
        return new JsonValue(kind, path, RangeFrom(start, startPosition)) { Boolean = value };
    }

    private void CheckDepth(int depth, LazyPath path)
    {
        if (depth > MaxDepth)
        {
            var position = Position;
            _problems.Add(new JsonProblem(
                JsonProblemKind.TooDeep,
                $"Nesting is deeper than {MaxDepth} levels; a lineage manifest never needs this.",
                path.ToString(),
                new SourceRange(_pos, _pos + 1, position, new SourcePosition(position.Line, position.Column + 1))));
            throw new StopParsingException();
        }
    }

    private void SkipWhitespace()
    {
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (c == '\n')
            {
                _pos++;
                _line++;
                _lineStart = _pos;
            }
            else if (c == ' ' || c == '\t' || c == '\r')
            {
                _pos++;
            }
            else
            {
                return;
            }
        }
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private void Expect(char c, string message)
    {
        if (Peek() != c)
        {
            Fail(message);
        }

        _pos++;
    }

    private SourceRange RangeFrom(int start, SourcePosition startPosition) =>
        new SourceRange(start, _pos, startPosition, Position);

    private void Fail(string message)
    {
        var position = Position;
        var end = new SourcePosition(position.Line, position.Column + 1);
        string where = _pos >= _text.Length ? "end of file" : $"line {position.Line}, column {position.Column}";
        _problems.Add(new JsonProblem(JsonProblemKind.Syntax, message + " (at " + where + ")", "$", new SourceRange(_pos, Math.Min(_pos + 1, _text.Length), position, end)));
        throw new StopParsingException();
    }

    internal static string PathSegment(string name)
    {
        foreach (char c in name)
        {
            if (!(char.IsLetterOrDigit(c) || c == '_' || c == '$'))
            {
                return "['" + name.Replace("\\", "\\\\").Replace("'", "\\'") + "']";
            }
        }

        return name.Length == 0 ? "['']" : "." + name;
    }

    private static bool IsDigit(char c) => c >= '0' && c <= '9';

    private static bool TryParseHex(string text, int start, out int value)
    {
        value = 0;
        for (int i = start; i < start + 4; i++)
        {
            char c = text[i];
            int digit = c >= '0' && c <= '9' ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                : -1;
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | digit;
        }

        return true;
    }

    private static string Printable(char c) => c < 0x20 || c == 0x7F ? "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) : c.ToString();

    private sealed class StopParsingException : Exception
    {
    }
}
