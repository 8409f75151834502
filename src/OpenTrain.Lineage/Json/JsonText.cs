using System.Globalization;
using System.Text;

namespace OpenTrain.Lineage.Json;

/// <summary>How every writer of this project quotes a JSON string (manifests, reports, exports): one set of rules.</summary>
public static class JsonText
{
    /// <summary>
    /// Appends <paramref name="value"/> as a JSON string. Quotes, backslashes and control characters are escaped;
    /// surrogates and U+2028/U+2029 are escaped too, so that a lone surrogate cannot produce invalid UTF-8 and every
    /// reader (JavaScript included) accepts the text.
    /// </summary>
    public static StringBuilder AppendQuoted(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                default:
                    if (c < 0x20 || char.IsSurrogate(c) || c == '\u2028' || c == '\u2029')
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return text.Append('"');
    }
}
