namespace Tandem.Http.Internal;

/// <summary>
/// The bytes of one head, copied out of the connection's sequence as they are parsed (that memory is released once the
/// head is consumed). Reused for every request of a connection: it grows to the largest head seen — bounded by the
/// limits — and then allocates nothing.
/// </summary>
internal sealed class HeadBuffer
{
    private const int InitialSize = 1024; // a typical browser head; a plaintext benchmark's fits many times

    private byte[] _bytes = new byte[InitialSize];

    /// <summary>How many bytes are held.</summary>
    internal int Length { get; private set; }

    /// <summary>The bytes held.</summary>
    internal ReadOnlySpan<byte> Span => _bytes.AsSpan(0, Length);

    internal ReadOnlySpan<byte> this[ByteRange range] => _bytes.AsSpan(range.Start, range.Length);

    internal void Append(byte b)
    {
        if (Length == _bytes.Length) Grow(1);
        _bytes[Length++] = b;
    }

    internal void Append(ReadOnlySpan<byte> bytes)
    {
        if (_bytes.Length - Length < bytes.Length) Grow(bytes.Length);
        bytes.CopyTo(_bytes.AsSpan(Length));
        Length += bytes.Length;
    }

    /// <summary>Drops the bytes from <paramref name="length"/> on (a value's trailing whitespace).</summary>
    internal void Truncate(int length) => Length = length;

    internal void Clear() => Length = 0;

    private void Grow(int needed)
    {
        int size = Math.Max(_bytes.Length * 2, Length + needed);
        Array.Resize(ref _bytes, size);
    }
}
