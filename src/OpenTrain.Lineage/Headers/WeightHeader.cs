using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace OpenTrain.Lineage.Headers;

public enum HeaderValueKind
{
    Integer,
    Float,
    Boolean,
    String,
    Array,
}

/// <summary>One metadata value from a weight file's header (a GGUF key, a safetensors __metadata__ entry, an ONNX field).</summary>
public sealed class HeaderValue
{
    private static readonly IReadOnlyList<HeaderValue> NoItems = new HeaderValue[0];

    private HeaderValue(HeaderValueKind kind)
    {
        Kind = kind;
    }

    public HeaderValueKind Kind { get; }

    /// <summary>Integers of every width; unsigned 64-bit values above long.MaxValue are kept as their text.</summary>
    public long Integer { get; private set; }

    public double Float { get; private set; }

    public bool Boolean { get; private set; }

    public string? Text { get; private set; }

    /// <summary>The first items of an array (at most <see cref="HeaderLimits.ArrayItemsKept"/>); the rest are skipped unread or uninterpreted.</summary>
    public IReadOnlyList<HeaderValue> Items { get; private set; } = NoItems;

    /// <summary>How many items the array declares (more than <see cref="Items"/> when it was capped).</summary>
    public long Count { get; private set; }

    public static HeaderValue Of(long value) => new(HeaderValueKind.Integer) { Integer = value, Text = value.ToString(CultureInfo.InvariantCulture) };

    public static HeaderValue Of(ulong value) => new(HeaderValueKind.Integer) { Integer = value > long.MaxValue ? long.MaxValue : (long)value, Text = value.ToString(CultureInfo.InvariantCulture) };

    public static HeaderValue Of(double value) => new(HeaderValueKind.Float) { Float = value, Text = value.ToString("R", CultureInfo.InvariantCulture) };

    public static HeaderValue Of(bool value) => new(HeaderValueKind.Boolean) { Boolean = value, Text = value ? "true" : "false" };

    public static HeaderValue Of(string value) => new(HeaderValueKind.String) { Text = value };

    public static HeaderValue Array(IReadOnlyList<HeaderValue> items, long count) => new(HeaderValueKind.Array) { Items = items, Count = count };

    /// <summary>The string, or the number's text; arrays as their first items.</summary>
    public override string ToString() => Kind == HeaderValueKind.Array
        ? "[" + string.Join(", ", Items.Select(i => i.ToString())) + (Count > Items.Count ? $", … ({Count} items)" : string.Empty) + "]"
        : Text ?? string.Empty;
}

public enum HeaderProblemKind
{
    /// <summary>The file does not start like the format says (a renamed or different file).</summary>
    WrongMagic,

    /// <summary>The file ends inside the header.</summary>
    Truncated,

    /// <summary>A declared length or count exceeds the file or the reader's limits.</summary>
    TooLarge,

    /// <summary>A version or value type this reader does not know.</summary>
    Unsupported,

    /// <summary>Text that is not valid UTF-8.</summary>
    InvalidText,

    /// <summary>Any other structural error (bad JSON in a safetensors header, a protobuf wire error).</summary>
    Malformed,
}

/// <summary>Why a header could not be read (completely): what, where, and in words a person can act on.</summary>
public sealed class HeaderProblem
{
    public HeaderProblem(HeaderProblemKind kind, long offset, string message)
    {
        Kind = kind;
        Offset = offset;
        Message = message;
    }

    public HeaderProblemKind Kind { get; }

    /// <summary>The byte offset in the file where reading stopped.</summary>
    public long Offset { get; }

    public string Message { get; }

    public override string ToString() => $"{Kind} at byte {Offset}: {Message}";
}

/// <summary>Bounds every header read: nothing a file declares makes the reader allocate or read more than these.</summary>
public sealed class HeaderLimits
{
    public static HeaderLimits Default { get; } = new();

    /// <summary>Bytes read from the file in total (a GGUF vocabulary of 150,000 tokens is about 2 MiB).</summary>
    public long MaxHeaderBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The longest string kept or skipped.</summary>
    public int MaxStringBytes { get; set; } = 1024 * 1024;

    /// <summary>Metadata entries read.</summary>
    public long MaxEntries { get; set; } = 65_536;

    /// <summary>Items of an array kept as values; the rest are read past without being kept.</summary>
    public int ArrayItemsKept { get; set; } = 64;

    /// <summary>Arrays nested in arrays.</summary>
    public int MaxNesting { get; set; } = 4;
}

/// <summary>What a weight file says about itself: its format, version, metadata and, when reading stopped, why.</summary>
public sealed class WeightHeader
{
    internal WeightHeader(string format, int? version, IReadOnlyList<KeyValuePair<string, HeaderValue>> metadata, long bytesRead, long end, HeaderProblem? problem, long? tensorCount = null, long? parameterCount = null)
    {
        End = end;
        Format = format;
        Version = version;
        Metadata = metadata;
        BytesRead = bytesRead;
        Problem = problem;
        TensorCount = tensorCount;
        ParameterCount = parameterCount;
    }

    /// <summary>A header remembered by a host (its cache), without the bytes it came from.</summary>
    public static WeightHeader Remembered(string format, IReadOnlyList<KeyValuePair<string, HeaderValue>> metadata, HeaderProblem? problem) =>
        new(format, null, metadata, 0, 0, problem);

    /// <summary>gguf, safetensors or onnx.</summary>
    public string Format { get; }

    public int? Version { get; }

    /// <summary>The entries read, in file order (all of them when <see cref="Problem"/> is null).</summary>
    public IReadOnlyList<KeyValuePair<string, HeaderValue>> Metadata { get; }

    public long BytesRead { get; }

    /// <summary>The offset where reading ended: the end of the metadata when complete.</summary>
    public long End { get; }

    public HeaderProblem? Problem { get; }

    public long? TensorCount { get; }

    /// <summary>The number of parameters, where the header says (safetensors tensor shapes).</summary>
    public long? ParameterCount { get; }

    public bool IsComplete => Problem is null;

    /// <summary>The value of the first entry with this key, or null.</summary>
    public HeaderValue? this[string key]
    {
        get
        {
            foreach (var entry in Metadata)
            {
                if (entry.Key == key)
                {
                    return entry.Value;
                }
            }

            return null;
        }
    }
}
