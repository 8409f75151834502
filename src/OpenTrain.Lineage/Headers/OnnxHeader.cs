using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace OpenTrain.Lineage.Headers;

/// <summary>
/// The top-level fields of an ONNX ModelProto, read by the protobuf wire format: ir_version, producer_name and
/// producer_version, domain, model_version, doc_string, opset_import and metadata_props. The graph (with its
/// initializers: the weights), training info and functions are skipped by seeking, never read.
/// Entries: onnx.ir_version, onnx.producer_name, onnx.producer_version, onnx.domain, onnx.model_version,
/// onnx.doc_string, onnx.opset.&lt;domain&gt; (ai.onnx for the default domain), and each metadata_props key as written.
/// </summary>
public static class OnnxHeader
{
    private const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5;

    public static WeightHeader Read(Stream stream, long length, HeaderLimits? limits = null)
    {
        limits ??= HeaderLimits.Default;
        var reader = new HeaderStream(stream, length, limits);
        var metadata = new List<KeyValuePair<string, HeaderValue>>();
        bool first = true;
        while (reader.Problem is null && reader.Remaining > 0 && metadata.Count < limits.MaxEntries)
        {
            if (!reader.Varint(out ulong tag, "a field tag"))
            {
                break;
            }

            int field = (int)(tag >> 3);
            int wire = (int)(tag & 7);
            if (field == 0 || wire is not (Varint or Fixed64 or LengthDelimited or Fixed32))
            {
                reader.Fail(first ? HeaderProblemKind.WrongMagic : HeaderProblemKind.Malformed,
                    first ? "the file does not start like an ONNX model (a protobuf ModelProto)" : $"field {field} has wire type {wire}, which ModelProto does not use");
                break;
            }

            first = false;
            switch (field, wire)
            {
                case (1, Varint):
                    if (reader.Varint(out ulong ir, "ir_version")) Add(metadata, "onnx.ir_version", HeaderValue.Of(unchecked((long)ir)));
                    break;
                case (5, Varint):
                    if (reader.Varint(out ulong version, "model_version")) Add(metadata, "onnx.model_version", HeaderValue.Of(unchecked((long)version)));
                    break;
                case (2 or 3 or 4 or 6, LengthDelimited):
                    string name = field switch { 2 => "onnx.producer_name", 3 => "onnx.producer_version", 4 => "onnx.domain", _ => "onnx.doc_string" };
                    if (Length(reader, limits, name, out long size) && reader.Text(size, name, out string text)) Add(metadata, name, HeaderValue.Of(text));
                    break;
                case (8, LengthDelimited):
                    if (Length(reader, limits, "opset_import", out long opsetSize)) ReadPairs(reader, limits, opsetSize, "opset_import", metadata, opset: true);
                    break;
                case (14, LengthDelimited):
                    if (Length(reader, limits, "metadata_props", out long propsSize)) ReadPairs(reader, limits, propsSize, "metadata_props", metadata, opset: false);
                    break;
                default:
                    Skip(reader, wire, field == 7 ? "the graph" : $"field {field}");
                    break;
            }
        }

        return new WeightHeader("onnx", null, metadata, reader.BytesRead, reader.Position, reader.Problem);
    }

    private static void Add(List<KeyValuePair<string, HeaderValue>> metadata, string key, HeaderValue value) => metadata.Add(new KeyValuePair<string, HeaderValue>(key, value));

    private static bool Length(HeaderStream reader, HeaderLimits limits, string what, out long size)
    {
        size = 0;
        if (!reader.Varint(out ulong length, "the length of " + what))
        {
            return false;
        }

        if (length > (ulong)reader.Remaining)
        {
            return reader.Fail(HeaderProblemKind.Truncated, $"{what} declares {length:N0} bytes but the file ends after {reader.Remaining:N0}");
        }

        if (length > (ulong)limits.MaxStringBytes)
        {
            return reader.Fail(HeaderProblemKind.TooLarge, $"{what} declares {length:N0} bytes; the limit is {limits.MaxStringBytes:N0}");
        }

        size = (long)length;
        return true;
    }

    /// <summary>An OperatorSetIdProto (1: domain, 2: version) or a StringStringEntryProto (1: key, 2: value).</summary>
    private static void ReadPairs(HeaderStream reader, HeaderLimits limits, long size, string what, List<KeyValuePair<string, HeaderValue>> metadata, bool opset)
    {
        long end = reader.Position + size;
        string first = string.Empty;
        HeaderValue? second = null;
        while (reader.Problem is null && reader.Position < end)
        {
            if (!reader.Varint(out ulong tag, "a field of " + what))
            {
                return;
            }

            int field = (int)(tag >> 3);
            int wire = (int)(tag & 7);
            if (field == 1 && wire == LengthDelimited)
            {
                if (!Length(reader, limits, what, out long length) || !reader.Text(length, what, out first))
                {
                    return;
                }
            }
            else if (field == 2 && opset && wire == Varint)
            {
                if (!reader.Varint(out ulong version, what))
                {
                    return;
                }

                second = HeaderValue.Of(unchecked((long)version));
            }
            else if (field == 2 && !opset && wire == LengthDelimited)
            {
                if (!Length(reader, limits, what, out long length) || !reader.Text(length, what, out string text))
                {
                    return;
                }

                second = HeaderValue.Of(text);
            }
            else if (wire is Varint or Fixed64 or LengthDelimited or Fixed32)
            {
                Skip(reader, wire, $"field {field} of {what}");
            }
            else
            {
                reader.Fail(HeaderProblemKind.Malformed, $"{what} has a field with wire type {wire}");
                return;
            }
        }

        if (reader.Position != end)
        {
            reader.Fail(HeaderProblemKind.Malformed, $"{what} ends inside one of its fields");
            return;
        }

        if (opset)
        {
            Add(metadata, "onnx.opset." + (first.Length == 0 ? "ai.onnx" : first), second ?? HeaderValue.Of(0L));
        }
        else
        {
            Add(metadata, first, second ?? HeaderValue.Of(string.Empty));
        }
    }

    private static void Skip(HeaderStream reader, int wire, string what)
    {
        switch (wire)
        {
            case Varint:
                reader.Varint(out _, what);
                break;
            case Fixed64:
                reader.Skip(8, what, countsAgainstLimit: true);
                break;
            case Fixed32:
                reader.Skip(4, what, countsAgainstLimit: true);
                break;
            default:
                if (reader.Varint(out ulong length, "the length of " + what))
                {
                    if (length > (ulong)reader.Remaining)
                    {
                        reader.Fail(HeaderProblemKind.Truncated, $"{what} declares {length.ToString("N0", CultureInfo.InvariantCulture)} bytes but the file ends after {reader.Remaining:N0}");
                    }
                    else
                    {
                        reader.Skip((long)length, what, countsAgainstLimit: true);
                    }
                }

                break;
        }
    }
}
