using System.Collections.Generic;

namespace OpenTrain.Lineage.Json;

public enum JsonValueKind
{
    Object,
    Array,
    String,
    Number,
    Boolean,
    Null,
}

/// <summary>
/// One JSON value with its JSON path and its place in the file, so that every finding about a manifest can
/// point at the exact element a person has to edit.
/// </summary>
public sealed class JsonValue
{
    private static readonly IReadOnlyList<JsonProperty> NoProperties = new JsonProperty[0];
    private static readonly IReadOnlyList<JsonValue> NoItems = new JsonValue[0];

    private readonly LazyPath _path;

    internal JsonValue(JsonValueKind kind, LazyPath path, SourceRange range)
    {
        Kind = kind;
        _path = path;
        Range = range;
    }

    public JsonValueKind Kind { get; }

    /// <summary>JSONPath of this value, e.g. <c>$.training.data.datasets[0].name</c>.</summary>
    public string Path => _path.ToString();

    public SourceRange Range { get; }

    /// <summary>The decoded text of a string, or the literal text of a number.</summary>
    public string? Text { get; internal set; }

    public bool Boolean { get; internal set; }

    public IReadOnlyList<JsonProperty> Properties { get; internal set; } = NoProperties;

    public IReadOnlyList<JsonValue> Items { get; internal set; } = NoItems;

    /// <summary>The value of the first property with this name, or null (also when this is not an object).</summary>
    public JsonValue? this[string name]
    {
        get
        {
            foreach (var property in Properties)
            {
                if (property.Name == name)
                {
                    return property.Value;
                }
            }

            return null;
        }
    }

    public JsonProperty? GetProperty(string name)
    {
        foreach (var property in Properties)
        {
            if (property.Name == name)
            {
                return property;
            }
        }

        return null;
    }

    /// <summary>The string value, or null when this is not a string.</summary>
    public string? AsString() => Kind == JsonValueKind.String ? Text : null;

    public bool TryGetInt64(out long value)
    {
        value = 0;
        return Kind == JsonValueKind.Number
            && Text is not null
            && long.TryParse(Text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out value);
    }

    public override string ToString() => $"{Kind} {Path} {Range}";

    // Values built in code rather than read (a manifest about to be written): JSON path "$", no source range.
    public static JsonValue FromString(string text) => new(JsonValueKind.String, LazyPath.Root, default) { Text = text };

    public static JsonValue FromNumber(long number) =>
        new(JsonValueKind.Number, LazyPath.Root, default) { Text = number.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    /// <summary>A finite number in its shortest round-trip form (metric values, e.g. 0.913).</summary>
    public static JsonValue FromNumber(double number) =>
        new(JsonValueKind.Number, LazyPath.Root, default) { Text = number.ToString("R", System.Globalization.CultureInfo.InvariantCulture) };

    public static JsonValue FromBoolean(bool value) => new(JsonValueKind.Boolean, LazyPath.Root, default) { Boolean = value };

    public static JsonValue FromArray(params JsonValue[] items) => new(JsonValueKind.Array, LazyPath.Root, default) { Items = items };

    public static JsonValue FromObject(params (string Name, JsonValue Value)[] properties)
    {
        var list = new List<JsonProperty>(properties.Length);
        foreach (var (name, value) in properties)
        {
            list.Add(new JsonProperty(name, default, value));
        }

        return new(JsonValueKind.Object, LazyPath.Root, default) { Properties = list };
    }
}

public sealed class JsonProperty
{
    internal JsonProperty(string name, SourceRange nameRange, JsonValue value)
    {
        Name = name;
        NameRange = nameRange;
        Value = value;
    }

    public string Name { get; }

    public SourceRange NameRange { get; }

    public JsonValue Value { get; }
}
