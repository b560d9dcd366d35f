using System.Buffers;

namespace Tandem.Http.Tests.Support;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, as a pipe hands them out after several reads.</summary>
internal static class Segments
{
    /// <summary>A sequence of one segment per part, in order (empty parts make empty segments).</summary>
    internal static ReadOnlySequence<byte> Of(params byte[][] parts)
    {
        if (parts.Length == 0) return ReadOnlySequence<byte>.Empty;
        if (parts.Length == 1) return new ReadOnlySequence<byte>(parts[0]);
        var first = new Segment(parts[0], 0);
        var last = first;
        for (int i = 1; i < parts.Length; i++) last = last.Append(parts[i]);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary><paramref name="bytes"/> cut at <paramref name="offsets"/> (ascending; equal offsets make empty parts).</summary>
    internal static byte[][] Split(byte[] bytes, params int[] offsets)
    {
        var parts = new byte[offsets.Length + 1][];
        int start = 0;
        for (int i = 0; i < offsets.Length; i++)
        {
            parts[i] = bytes[start..offsets[i]];
            start = offsets[i];
        }
        parts[^1] = bytes[start..];
        return parts;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        internal Segment(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        internal Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
