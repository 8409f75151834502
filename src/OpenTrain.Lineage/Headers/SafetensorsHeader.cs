using System.Collections.Generic;
using System.IO;
using System.Linq;
using OpenTrain.Lineage.Json;

namespace OpenTrain.Lineage.Headers;

/// <summary>
/// The safetensors header: an 8-byte little-endian length, then that many bytes of JSON describing each tensor
/// (dtype, shape, data offsets) and an optional string map "__metadata__". The length is checked against the file
/// before anything is read; the JSON goes through the manifest reader's strict parser (nesting and size bounded).
/// Metadata entries keep their keys; the tensor table becomes "safetensors.dtypes", "safetensors.tensors" and the
/// parameter count.
/// </summary>
public static class SafetensorsHeader
{
    public static WeightHeader Read(Stream stream, long length, HeaderLimits? limits = null)
    {
        limits ??= HeaderLimits.Default;
        var reader = new HeaderStream(stream, length, limits);
        var metadata = new List<KeyValuePair<string, HeaderValue>>();
        long? tensors = null;
        long? parameters = null;
        if (reader.UInt64(out ulong size, "the header length"))
        {
            if (size > (ulong)reader.Remaining)
            {
                reader.Fail(HeaderProblemKind.TooLarge, $"the header declares {size:N0} bytes but the file has {reader.Remaining:N0} after the length: not a safetensors file, or a truncated one");
            }
            else if (size > (ulong)limits.MaxHeaderBytes || size > int.MaxValue)
            {
                reader.Fail(HeaderProblemKind.TooLarge, $"the header declares {size:N0} bytes; the limit is {limits.MaxHeaderBytes:N0}");
            }
            else if (size < 2)
            {
                reader.Fail(HeaderProblemKind.Malformed, "the header is empty; a safetensors header is a JSON object");
            }
            else
            {
                var bytes = new byte[size];
                if (reader.Read(bytes, (int)size, "the header"))
                {
                    if (!Utf8Text.TryDecode(bytes, bytes.Length, out string text, out int invalid))
                    {
                        reader.Fail(HeaderProblemKind.InvalidText, $"the header is not valid UTF-8 (byte {invalid} of it)");
                    }
                    else
                    {
                        Interpret(reader, text, metadata, out tensors, out parameters);
                    }
                }
            }
        }

        return new WeightHeader("safetensors", null, metadata, reader.BytesRead, reader.Position, reader.Problem, tensors, parameters);
    }

    private static void Interpret(HeaderStream reader, string text, List<KeyValuePair<string, HeaderValue>> metadata, out long? tensors, out long? parameters)
    {
        tensors = null;
        parameters = null;

        // Safetensors writers may pad the header with spaces after the JSON object.
        var parsed = JsonParser.Parse(text.TrimEnd(' '));
        if (parsed.Problems.Count > 0 || parsed.Root is not { Kind: JsonValueKind.Object } root)
        {
            reader.Fail(HeaderProblemKind.Malformed, "the header is not a JSON object: " + (parsed.Problems.FirstOrDefault()?.Message ?? "it is " + parsed.Root?.Kind));
            return;
        }

        long count = 0;
        long total = 0;
        bool overflow = false;
        var dtypes = new SortedSet<string>(System.StringComparer.Ordinal);
        foreach (var property in root.Properties)
        {
            if (property.Name == "__metadata__")
            {
                if (property.Value.Kind != JsonValueKind.Object)
                {
                    reader.Fail(HeaderProblemKind.Malformed, "__metadata__ is not an object of strings");
                    return;
                }

                foreach (var entry in property.Value.Properties)
                {
                    if (entry.Value.Kind != JsonValueKind.String)
                    {
                        reader.Fail(HeaderProblemKind.Malformed, $"__metadata__ '{entry.Name}' is not a string (the format allows only strings)");
                        return;
                    }

                    metadata.Add(new KeyValuePair<string, HeaderValue>(entry.Name, HeaderValue.Of(entry.Value.Text!)));
                }

                continue;
            }

            // A tensor: { "dtype": "F16", "shape": [..], "data_offsets": [begin, end] }.
            var tensor = property.Value;
            if (tensor.Kind != JsonValueKind.Object || tensor["dtype"]?.AsString() is not { } dtype || tensor["shape"] is not { Kind: JsonValueKind.Array } shape)
            {
                reader.Fail(HeaderProblemKind.Malformed, $"tensor '{property.Name}' has no dtype or shape");
                return;
            }

            count++;
            dtypes.Add(dtype);
            long elements = 1;
            foreach (var dimension in shape.Items)
            {
                if (!dimension.TryGetInt64(out long d) || d < 0)
                {
                    reader.Fail(HeaderProblemKind.Malformed, $"tensor '{property.Name}' has a dimension that is not a whole number");
                    return;
                }

                elements = d != 0 && elements > long.MaxValue / d ? long.MaxValue : elements * d;
            }

            overflow |= elements == long.MaxValue || total > long.MaxValue - elements;
            total = overflow ? long.MaxValue : total + elements;
        }

        metadata.Add(new KeyValuePair<string, HeaderValue>("safetensors.tensors", HeaderValue.Of(count)));
        metadata.Add(new KeyValuePair<string, HeaderValue>("safetensors.dtypes", HeaderValue.Array(dtypes.Select(HeaderValue.Of).ToList(), dtypes.Count)));
        tensors = count;
        parameters = overflow ? null : total;
    }
}
