using System.Collections.Generic;
using System.Linq;
using System.Text;
using OpenTrain.Lineage.Json;

namespace OpenTrain.Lineage.Model;

/// <summary>
/// Writes a manifest as JSON the way people keep it: the fields of each object in the order of the structure table
/// (unknown fields after them, as written), two-space indentation, an object or array on one line when it holds no
/// non-empty object or array and fits in <see cref="Width"/> columns, and the <c>$schema</c> line first. The same
/// document always gives the same bytes. Used by everything that creates manifests (the code fix's skeleton, the
/// scaffold), so no component builds manifest text by hand.
/// </summary>
public static class ManifestWriter
{
    public const int Width = 120;

    public static string Write(LineageDocument document) => Write(document.Json);

    /// <summary>Writes <paramref name="root"/> (read or built with JsonValue.From*); adds the $schema line when absent.</summary>
    public static string Write(JsonValue root)
    {
        if (root.Kind == JsonValueKind.Object && root[FieldNames.Schema] is null)
        {
            var properties = new List<(string, JsonValue)> { (FieldNames.Schema, JsonValue.FromString(ManifestSchema.Id)) };
            properties.AddRange(root.Properties.Select(p => (p.Name, p.Value)));
            root = JsonValue.FromObject(properties.ToArray());
        }

        var text = new StringBuilder();
        Append(text, root, ManifestSchema.Root, indent: 0, prefixLength: 0);
        return text.Append('\n').ToString();
    }

    private static void Append(StringBuilder text, JsonValue value, Shape? shape, int indent, int prefixLength)
    {
        if (value.Kind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            AppendScalar(text, value);
            return;
        }

        var children = Children(value, shape);
        if (children.Count == 0)
        {
            text.Append(value.Kind == JsonValueKind.Object ? "{}" : "[]");
            return;
        }

        if (children.All(c => IsFlat(c.Value)))
        {
            string inline = Inline(value, children);
            if (indent * 2 + prefixLength + inline.Length + 1 <= Width)
            {
                text.Append(inline);
                return;
            }
        }

        text.Append(value.Kind == JsonValueKind.Object ? '{' : '[').Append('\n');
        for (int i = 0; i < children.Count; i++)
        {
            var (name, child, childShape) = children[i];
            text.Append(' ', (indent + 1) * 2);
            int start = text.Length;
            if (name is not null)
            {
                AppendString(text, name);
                text.Append(": ");
            }

            Append(text, child, childShape, indent + 1, text.Length - start);
            if (i < children.Count - 1)
            {
                text.Append(',');
            }

            text.Append('\n');
        }

        text.Append(' ', indent * 2).Append(value.Kind == JsonValueKind.Object ? '}' : ']');
    }

    /// <summary>An object's members in table order (unknown ones after, as written), or an array's items.</summary>
    private static List<(string? Name, JsonValue Value, Shape? Shape)> Children(JsonValue value, Shape? shape)
    {
        var children = new List<(string?, JsonValue, Shape?)>();
        if (value.Kind == JsonValueKind.Array)
        {
            foreach (var item in value.Items)
            {
                children.Add((null, item, shape?.Item));
            }

            return children;
        }

        var fields = shape?.Fields;
        if (fields is not null)
        {
            foreach (var field in fields)
            {
                if (value.GetProperty(field.Name) is { } property)
                {
                    children.Add((property.Name, property.Value, field.Shape));
                }
            }
        }

        foreach (var property in value.Properties)
        {
            bool known = shape?.FieldShapes?.ContainsKey(property.Name) == true;
            bool first = ReferenceEquals(value.GetProperty(property.Name), property);
            if (!known || !first)
            {
                children.Add((property.Name, property.Value, null)); // unknown, or a duplicate key: kept as written
            }
        }

        return children;
    }

    private static bool IsFlat(JsonValue value) =>
        value.Kind switch
        {
            JsonValueKind.Object => value.Properties.Count == 0,
            JsonValueKind.Array => value.Items.Count == 0,
            _ => true,
        };

    private static string Inline(JsonValue value, List<(string? Name, JsonValue Value, Shape? Shape)> children)
    {
        var text = new StringBuilder();
        bool isObject = value.Kind == JsonValueKind.Object;
        text.Append(isObject ? "{ " : "[");
        for (int i = 0; i < children.Count; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }

            if (children[i].Name is { } name)
            {
                AppendString(text, name);
                text.Append(": ");
            }

            Append(text, children[i].Value, children[i].Shape, 0, 0);
        }

        return text.Append(isObject ? " }" : "]").ToString();
    }

    private static void AppendScalar(StringBuilder text, JsonValue value)
    {
        switch (value.Kind)
        {
            case JsonValueKind.String:
                AppendString(text, value.Text!);
                break;
            case JsonValueKind.Number:
                text.Append(value.Text);
                break;
            case JsonValueKind.Boolean:
                text.Append(value.Boolean ? "true" : "false");
                break;
            default:
                text.Append("null");
                break;
        }
    }

    private static void AppendString(StringBuilder text, string value) => JsonText.AppendQuoted(text, value);
}
