namespace Tandem.Http.Internal;

/// <summary>A run of bytes in a <see cref="HeadBuffer"/>: where a part of the head was copied to.</summary>
internal readonly record struct ByteRange(int Start, int Length)
{
    internal int End => Start + Length;

    /// <summary>The range from <paramref name="start"/> to <paramref name="end"/> (exclusive).</summary>
    internal static ByteRange FromTo(int start, int end) => new(start, end - start);
}
