using System;
using System.IO;

namespace OpenTrain.Lineage.Headers;

/// <summary>
/// Reads a weight file's header through its stream, little-endian, within bounds: never past the file's length, never
/// more than <see cref="HeaderLimits.MaxHeaderBytes"/> in total, and never allocating more than a declared length
/// that has already been checked against both. The first problem stops reading and is kept; nothing throws.
/// </summary>
internal sealed class HeaderStream
{
    private readonly Stream _stream;
    private readonly long _length;
    private readonly HeaderLimits _limits;
    private readonly byte[] _scratch = new byte[8];

    public HeaderStream(Stream stream, long length, HeaderLimits limits)
    {
        _stream = stream;
        _length = length;
        _limits = limits;
    }

    /// <summary>Where the next read starts.</summary>
    public long Position { get; private set; }

    /// <summary>Bytes actually read (skipped bytes of a seekable stream are not read).</summary>
    public long BytesRead { get; private set; }

    public HeaderProblem? Problem { get; private set; }

    public long Remaining => _length - Position;

    public bool Fail(HeaderProblemKind kind, string message)
    {
        Problem ??= new HeaderProblem(kind, Position, message);
        return false;
    }

    /// <summary>Checks that <paramref name="count"/> more bytes exist and may be read, before anything is allocated.</summary>
    public bool CanRead(long count, string what)
    {
        if (count < 0 || count > Remaining)
        {
            return Fail(HeaderProblemKind.Truncated, $"{what} needs {count:N0} bytes but the file ends after {Math.Max(0, Remaining):N0}");
        }

        if (BytesRead + count > _limits.MaxHeaderBytes)
        {
            return Fail(HeaderProblemKind.TooLarge, $"{what} would take the header past {_limits.MaxHeaderBytes:N0} bytes, more than any real header needs");
        }

        return true;
    }

    public bool Read(byte[] buffer, int count, string what)
    {
        if (!CanRead(count, what))
        {
            return false;
        }

        try
        {
            int read = 0;
            while (read < count)
            {
                int n = _stream.Read(buffer, read, count - read);
                if (n <= 0)
                {
                    return Fail(HeaderProblemKind.Truncated, $"the file ended while reading {what}");
                }

                read += n;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ObjectDisposedException)
        {
            return Fail(HeaderProblemKind.Truncated, $"the file could not be read at {what} ({e.GetType().Name})");
        }

        Position += count;
        BytesRead += count;
        return true;
    }

    /// <summary>Moves past <paramref name="count"/> bytes: by seeking when the stream allows (reading nothing), else by reading in small blocks.</summary>
    public bool Skip(long count, string what, bool countsAgainstLimit)
    {
        if (count < 0 || count > Remaining)
        {
            return Fail(HeaderProblemKind.Truncated, $"{what} needs {count:N0} bytes but the file ends after {Math.Max(0, Remaining):N0}");
        }

        try
        {
            if (_stream.CanSeek)
            {
                _stream.Seek(count, SeekOrigin.Current);
                Position += count;
                return true;
            }

            if (countsAgainstLimit && BytesRead + count > _limits.MaxHeaderBytes)
            {
                return Fail(HeaderProblemKind.TooLarge, $"{what} would take the header past {_limits.MaxHeaderBytes:N0} bytes");
            }

            var block = new byte[(int)Math.Min(count, 81920)];
            long left = count;
            while (left > 0)
            {
                int n = _stream.Read(block, 0, (int)Math.Min(left, block.Length));
                if (n <= 0)
                {
                    return Fail(HeaderProblemKind.Truncated, $"the file ended while skipping {what}");
                }

                left -= n;
                BytesRead += n;
            }

            Position += count;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ObjectDisposedException)
        {
            return Fail(HeaderProblemKind.Truncated, $"the file could not be read at {what} ({e.GetType().Name})");
        }
    }

    public bool UInt8(out byte value, string what)
    {
        value = 0;
        if (!Read(_scratch, 1, what))
        {
            return false;
        }

        value = _scratch[0];
        return true;
    }

    public bool UInt16(out ushort value, string what)
    {
        value = 0;
        if (!Read(_scratch, 2, what))
        {
            return false;
        }

        value = (ushort)(_scratch[0] | (_scratch[1] << 8));
        return true;
    }

    public bool UInt32(out uint value, string what)
    {
        value = 0;
        if (!Read(_scratch, 4, what))
        {
            return false;
        }

        value = (uint)(_scratch[0] | (_scratch[1] << 8) | (_scratch[2] << 16) | (_scratch[3] << 24));
        return true;
    }

    public bool UInt64(out ulong value, string what)
    {
        value = 0;
        if (!Read(_scratch, 8, what))
        {
            return false;
        }

        for (int i = 7; i >= 0; i--)
        {
            value = (value << 8) | _scratch[i];
        }

        return true;
    }

    /// <summary>A protobuf base-128 varint (at most ten bytes).</summary>
    public bool Varint(out ulong value, string what)
    {
        value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (!UInt8(out byte b, what))
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return Fail(HeaderProblemKind.Malformed, $"{what} is a varint longer than ten bytes");
    }

    /// <summary>UTF-8 text of a length already checked by the caller against <see cref="HeaderLimits.MaxStringBytes"/>.</summary>
    public bool Text(long length, string what, out string text)
    {
        text = string.Empty;
        if (length > _limits.MaxStringBytes)
        {
            return Fail(HeaderProblemKind.TooLarge, $"{what} declares {length:N0} bytes of text; the limit is {_limits.MaxStringBytes:N0}");
        }

        if (!CanRead(length, what))
        {
            return false;
        }

        var bytes = new byte[length];
        if (!Read(bytes, (int)length, what))
        {
            return false;
        }

        if (!Json.Utf8Text.TryDecode(bytes, bytes.Length, out text, out int invalid))
        {
            return Fail(HeaderProblemKind.InvalidText, $"{what} is not valid UTF-8 (byte {invalid} of it)");
        }

        return true;
    }
}
