using System.Text;

namespace OpenTrain.Lineage.Json;

/// <summary>Strict UTF-8 decoding that says where the first invalid byte is, instead of inventing U+FFFD.</summary>
public static class Utf8Text
{
    private static readonly UTF8Encoding Decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>Decodes <paramref name="bytes"/>; returns false with the offset of the first invalid byte.</summary>
    public static bool TryDecode(byte[] bytes, int count, out string text, out int invalidOffset)
    {
        invalidOffset = FindInvalidByte(bytes, count);
        if (invalidOffset >= 0)
        {
            text = string.Empty;
            return false;
        }

        text = Decoder.GetString(bytes, 0, count);
        return true;
    }

    /// <summary>1-based line and column of a byte offset, counting lines by '\n'.</summary>
    public static SourcePosition PositionOf(byte[] bytes, int offset)
    {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset && i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return new SourcePosition(line, offset - lineStart + 1);
    }

    private static int FindInvalidByte(byte[] bytes, int count)
    {
        int i = 0;
        while (i < count)
        {
            byte b = bytes[i];
            if (b < 0x80)
            {
                i++;
                continue;
            }

            int need;
            int min;
            if ((b & 0xE0) == 0xC0)
            {
                need = 1;
                min = 0x80;
            }
            else if ((b & 0xF0) == 0xE0)
            {
                need = 2;
                min = 0x800;
            }
            else if ((b & 0xF8) == 0xF0)
            {
                need = 3;
                min = 0x10000;
            }
            else
            {
                return i;
            }

            if (i + need >= count)
            {
                return i;
            }

            int codePoint = b & (0x3F >> need);
            for (int k = 1; k <= need; k++)
            {
                byte next = bytes[i + k];
                if ((next & 0xC0) != 0x80)
                {
                    return i;
                }

                codePoint = (codePoint << 6) | (next & 0x3F);
            }

            if (codePoint < min || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF))
            {
                return i;
            }

            i += need + 1;
        }

        return -1;
    }
}
