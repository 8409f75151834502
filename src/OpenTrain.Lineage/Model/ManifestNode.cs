using System.Collections.Generic;
using OpenTrain.Lineage.Json;

namespace OpenTrain.Lineage.Model;

/// <summary>
/// An object of a manifest, typed. Like a Roslyn syntax node it keeps where it came from (<see cref="Json"/>: its JSON
/// path and source range), so a finding about it points at what a person has to edit. The typed classes are generated
/// from the structure table (<c>ManifestSchema</c>); see ManifestModel.g.cs.
/// </summary>
public abstract class ManifestNode
{
    private protected ManifestNode(JsonValue json)
    {
        Json = json;
    }

    /// <summary>The JSON object this node was read from: path, range, and every property as written.</summary>
    public JsonValue Json { get; }

    public string JsonPath => Json.Path;

    public SourceRange Range => Json.Range;

    /// <summary>Properties the format does not define (reported as OTL0104; kept for round-tripping).</summary>
    public IEnumerable<JsonProperty> UnknownFields
    {
        get
        {
            foreach (var property in Json.Properties)
            {
                if (!IsKnown(property.Name))
                {
                    yield return property;
                }
            }
        }
    }

    /// <summary>True when the format defines a field of this name on this node.</summary>
    public abstract bool IsKnown(string name);

    private protected static IReadOnlyList<T> Nodes<T>(JsonValue? array, System.Func<JsonValue, T> create)
    {
        if (array is null || array.Kind != JsonValueKind.Array || array.Items.Count == 0)
        {
            return System.Array.Empty<T>();
        }

        var nodes = new List<T>(array.Items.Count);
        foreach (var item in array.Items)
        {
            if (item.Kind == JsonValueKind.Object)
            {
                nodes.Add(create(item));
            }
        }

        return nodes;
    }
}

/// <summary>
/// One field of a manifest object, present or not. Absent fields still know their owner and name, so a "missing"
/// finding is located at the object that should contain the field, with the field's own JSON path.
/// </summary>
public readonly struct ManifestField
{
    private static readonly IReadOnlyList<JsonValue> NoItems = new JsonValue[0];

    internal ManifestField(JsonValue owner, string name, JsonValue? value)
    {
        Owner = owner;
        Name = name;
        Value = value;
    }

    /// <summary>A field that is not there, for locating "missing" findings at <paramref name="owner"/>.</summary>
    internal static ManifestField Absent(JsonValue owner, string name) => new ManifestField(owner, name, null);

    /// <summary>The object that holds (or should hold) this field.</summary>
    public JsonValue Owner { get; }

    /// <summary>The field's name in the manifest format.</summary>
    public string Name { get; }

    /// <summary>The value as written (any kind, including a wrong one or null), or null when the field is absent.</summary>
    public JsonValue? Value { get; }

    /// <summary>Present with a value other than null.</summary>
    public bool IsPresent => Value is not null && Value.Kind != JsonValueKind.Null;

    /// <summary>The decoded text of a string, or the literal text of a number; null otherwise.</summary>
    public string? Text => Value?.Text;

    /// <summary>The string value, or null when absent or not a string.</summary>
    public string? AsString() => Value?.AsString();

    /// <summary>The whole-number value, or null when absent or not a whole number.</summary>
    public long? Int64 => Value is not null && Value.TryGetInt64(out long number) ? number : null;

    /// <summary>True only for a literal true.</summary>
    public bool IsTrue => Value is { Kind: JsonValueKind.Boolean, Boolean: true };

    /// <summary>The items of an array value (empty when absent or not an array).</summary>
    public IReadOnlyList<JsonValue> Items => Value?.Items ?? NoItems;

    /// <summary>The JSON path of the field, also when it is absent.</summary>
    public string JsonPath => Value?.Path ?? Owner.Path + JsonParser.PathSegment(Name);

    public override string ToString() => JsonPath;
}

/// <summary>A field whose value is an object of a known shape: the field, and its typed node when it is an object.</summary>
public readonly struct ObjectField<T>
    where T : ManifestNode
{
    internal ObjectField(ManifestField field, T? node)
    {
        Field = field;
        Node = node;
    }

    public ManifestField Field { get; }

    /// <summary>The typed node, or null when the field is absent or not an object.</summary>
    public T? Node { get; }

    public JsonValue? Value => Field.Value;

    public bool IsPresent => Field.IsPresent;
}

/// <summary>A field whose value is an array of objects of a known shape: the field, and its object items typed.</summary>
public readonly struct ArrayField<T>
    where T : ManifestNode
{
    internal ArrayField(ManifestField field, IReadOnlyList<T> nodes)
    {
        Field = field;
        Nodes = nodes;
    }

    public ManifestField Field { get; }

    /// <summary>The items that are objects, typed, in order (other items are reported by the reader).</summary>
    public IReadOnlyList<T> Nodes { get; }

    public JsonValue? Value => Field.Value;

    public bool IsPresent => Field.IsPresent;

    /// <summary>Every item as written, objects or not.</summary>
    public IReadOnlyList<JsonValue> Items => Field.Items;
}
