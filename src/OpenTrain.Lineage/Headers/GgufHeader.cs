using System;
using System.Collections.Generic;
using System.IO;

namespace OpenTrain.Lineage.Headers;

/// <summary>
/// GGUF v2/v3 metadata (llama.cpp's format): magic, version, tensor and key counts, then typed key/value pairs. Only
/// the metadata is read; tensor infos and tensor data never are. Arrays keep their first items and are read past
/// (a tokenizer vocabulary is read, not kept).
/// </summary>
public static class GgufHeader
{
    private const int TypeUInt8 = 0, TypeInt8 = 1, TypeUInt16 = 2, TypeInt16 = 3, TypeUInt32 = 4, TypeInt32 = 5, TypeFloat32 = 6;
    private const int TypeBool = 7, TypeString = 8, TypeArray = 9, TypeUInt64 = 10, TypeInt64 = 11, TypeFloat64 = 12;

    public static WeightHeader Read(Stream stream, long length, HeaderLimits? limits = null)
    {
        limits ??= HeaderLimits.Default;
        var reader = new HeaderStream(stream, length, limits);
        var metadata = new List<KeyValuePair<string, HeaderValue>>();
        int? version = null;
        long? tensors = null;
        var magic = new byte[4];
        if (reader.Read(magic, 4, "the magic number"))
        {
            if (magic[0] != 'G' || magic[1] != 'G' || magic[2] != 'U' || magic[3] != 'F')
            {
                reader.Fail(HeaderProblemKind.WrongMagic, "the file does not start with 'GGUF'; it is not a GGUF file");
            }
            else if (reader.UInt32(out uint v, "the version"))
            {
                version = (int)Math.Min(v, int.MaxValue);
                if (v is not (2 or 3))
                {
                    reader.Fail(HeaderProblemKind.Unsupported, $"GGUF version {v} is not read (versions 2 and 3 are; version 1 predates 64-bit counts)");
                }
                else if (reader.UInt64(out ulong tensorCount, "the tensor count") && reader.UInt64(out ulong entries, "the metadata count"))
                {
                    tensors = tensorCount > long.MaxValue ? long.MaxValue : (long)tensorCount;
                    if (entries > (ulong)limits.MaxEntries)
                    {
                        reader.Fail(HeaderProblemKind.TooLarge, $"the header declares {entries:N0} metadata entries; the limit is {limits.MaxEntries:N0}");
                    }
                    else
                    {
                        for (ulong i = 0; i < entries; i++)
                        {
                            if (!ReadString(reader, limits, "a metadata key", out string key)
                                || !reader.UInt32(out uint type, $"the type of '{key}'")
                                || !ReadValue(reader, limits, (int)Math.Min(type, int.MaxValue), key, depth: 0, keep: true, out var value))
                            {
                                break;
                            }

                            metadata.Add(new KeyValuePair<string, HeaderValue>(key, value!));
                        }
                    }
                }
            }
        }

        return new WeightHeader("gguf", version, metadata, reader.BytesRead, reader.Position, reader.Problem, tensors);
    }

    private static bool ReadString(HeaderStream reader, HeaderLimits limits, string what, out string text)
    {
        text = string.Empty;
        if (!reader.UInt64(out ulong length, "the length of " + what))
        {
            return false;
        }

        if (length > (ulong)limits.MaxStringBytes)
        {
            return reader.Fail(HeaderProblemKind.TooLarge, $"{what} declares {length:N0} bytes; the limit is {limits.MaxStringBytes:N0}");
        }

        return reader.Text((long)length, what, out text);
    }

    private static int FixedSize(int type) => type switch
    {
        TypeUInt8 or TypeInt8 or TypeBool => 1,
        TypeUInt16 or TypeInt16 => 2,
        TypeUInt32 or TypeInt32 or TypeFloat32 => 4,
        TypeUInt64 or TypeInt64 or TypeFloat64 => 8,
        _ => 0,
    };

    private static bool ReadValue(HeaderStream reader, HeaderLimits limits, int type, string key, int depth, bool keep, out HeaderValue? value)
    {
        value = null;
        string what = $"the value of '{key}'";
        switch (type)
        {
            case TypeUInt8:
                if (!reader.UInt8(out byte u8, what)) return false;
                value = HeaderValue.Of((long)u8);
                return true;
            case TypeInt8:
                if (!reader.UInt8(out byte i8, what)) return false;
                value = HeaderValue.Of((long)(sbyte)i8);
                return true;
            case TypeUInt16:
                if (!reader.UInt16(out ushort u16, what)) return false;
                value = HeaderValue.Of((long)u16);
                return true;
            case TypeInt16:
                if (!reader.UInt16(out ushort i16, what)) return false;
                value = HeaderValue.Of((long)(short)i16);
                return true;
            case TypeUInt32:
                if (!reader.UInt32(out uint u32, what)) return false;
                value = HeaderValue.Of((long)u32);
                return true;
            case TypeInt32:
                if (!reader.UInt32(out uint i32, what)) return false;
                value = HeaderValue.Of((long)(int)i32);
                return true;
            case TypeFloat32:
                if (!reader.UInt32(out uint f32, what)) return false;
                value = HeaderValue.Of((double)BitConverter.ToSingle(BitConverter.GetBytes(f32), 0));
                return true;
            case TypeBool:
                if (!reader.UInt8(out byte b, what)) return false;
                if (b > 1)
                {
                    return reader.Fail(HeaderProblemKind.Malformed, $"{what} is a boolean of value {b}, not 0 or 1");
                }

                value = HeaderValue.Of(b == 1);
                return true;
            case TypeString:
                if (!ReadString(reader, limits, what, out string text)) return false;
                value = HeaderValue.Of(text);
                return true;
            case TypeUInt64:
                if (!reader.UInt64(out ulong u64, what)) return false;
                value = HeaderValue.Of(u64);
                return true;
            case TypeInt64:
                if (!reader.UInt64(out ulong i64, what)) return false;
                value = HeaderValue.Of(unchecked((long)i64));
                return true;
            case TypeFloat64:
                if (!reader.UInt64(out ulong f64, what)) return false;
                value = HeaderValue.Of(BitConverter.Int64BitsToDouble(unchecked((long)f64)));
                return true;
            case TypeArray:
                return ReadArray(reader, limits, key, depth, out value);
            default:
                return reader.Fail(HeaderProblemKind.Unsupported, $"'{key}' has value type {type}, which GGUF does not define");
        }
    }

    private static bool ReadArray(HeaderStream reader, HeaderLimits limits, string key, int depth, out HeaderValue? value)
    {
        value = null;
        if (depth >= limits.MaxNesting)
        {
            return reader.Fail(HeaderProblemKind.TooLarge, $"'{key}' nests arrays deeper than {limits.MaxNesting}");
        }

        if (!reader.UInt32(out uint elementType, $"the item type of '{key}'") || !reader.UInt64(out ulong count, $"the length of '{key}'"))
        {
            return false;
        }

        int size = FixedSize((int)Math.Min(elementType, int.MaxValue));
        long minimum = size > 0 ? size : 8; // a string or an array takes at least its 8-byte length
        if (count > (ulong)(reader.Remaining / minimum))
        {
            return reader.Fail(HeaderProblemKind.Truncated, $"'{key}' declares {count:N0} items, more than the rest of the file can hold");
        }

        var items = new List<HeaderValue>((int)Math.Min(count, (ulong)limits.ArrayItemsKept));
        ulong kept = Math.Min(count, (ulong)limits.ArrayItemsKept);
        for (ulong i = 0; i < kept; i++)
        {
            if (!ReadValue(reader, limits, (int)Math.Min(elementType, int.MaxValue), key, depth + 1, keep: true, out var item))
            {
                return false;
            }

            items.Add(item!);
        }

        ulong rest = count - kept;
        if (rest > 0)
        {
            if (size > 0)
            {
                if (!reader.Skip((long)rest * size, $"the rest of '{key}'", countsAgainstLimit: true))
                {
                    return false;
                }
            }
            else
            {
                for (ulong i = 0; i < rest; i++)
                {
                    if (!SkipValue(reader, limits, (int)Math.Min(elementType, int.MaxValue), key, depth + 1))
                    {
                        return false;
                    }
                }
            }
        }

        value = HeaderValue.Array(items, (long)count);
        return true;
    }

    /// <summary>Reads past a string or array item without keeping it (its length is still checked).</summary>
    private static bool SkipValue(HeaderStream reader, HeaderLimits limits, int type, string key, int depth)
    {
        if (type == TypeString)
        {
            if (!reader.UInt64(out ulong length, $"an item of '{key}'"))
            {
                return false;
            }

            if (length > (ulong)limits.MaxStringBytes)
            {
                return reader.Fail(HeaderProblemKind.TooLarge, $"an item of '{key}' declares {length:N0} bytes; the limit is {limits.MaxStringBytes:N0}");
            }

            return reader.Skip((long)length, $"an item of '{key}'", countsAgainstLimit: true);
        }

        return ReadValue(reader, limits, type, key, depth, keep: false, out _);
    }
}
