using System.Buffers;
using System.Diagnostics;
using static Tandem.Http.Internal.HttpChars;

namespace Tandem.Http;

/// <summary>
/// Decodes a chunked request body (RFC 9112 §7.1) incrementally, in the manner of System.IO.Pipelines, without copying:
/// the body's data is handed back as slices of the bytes given. Chunk extensions are skipped, trailers are checked and
/// discarded, and the body limit is applied to each chunk size as it arrives. Like the head parser, any split of the input
/// decodes identically, and malformed input ends in <see cref="ChunkedBodyStatus.Error"/>, never in an exception.
/// </summary>
/// <remarks>
/// <para>A loop that reads a body:</para>
/// <code>
/// decoder.Reset();
/// while (true) {
///     var status = decoder.Decode(buffer, out var data, out var consumed);
///     if (status == ChunkedBodyStatus.Data) { Use(data); buffer = buffer.Slice(consumed); continue; }
///     reader.AdvanceTo(consumed);      // Complete: the next request starts there; NeedMoreData: read more
///     …
/// }
/// </code>
/// <para>One decoder serves one connection; <see cref="Reset"/> it before each chunked body. It allocates nothing.</para>
/// </remarks>
public sealed class ChunkedBodyDecoder
{
    /// <summary>
    /// The longest chunk-size line, CRLF included. Extensions are ignored, yet a line must end: this bounds what a
    /// client can make the decoder read without progress, as Kestrel bounds it.
    /// </summary>
    internal const int MaxChunkLineLength = 4096;

    private enum State : byte
    {
        SizeStart,        // the first hex digit of a chunk size
        Size,             // more digits, or the byte that ends the size
        AfterSize,        // CR, ';' or whitespace before ';'
        BeforeExtension,  // whitespace (BWS) between the size and ';'
        Extension,        // an extension, up to CR: skipped
        SizeLineEnd,      // the LF of the size line
        Data,             // chunk data, handed out by Decode itself
        DataEnd,          // the CR after the data
        DataLineEnd,      // the LF after the data
        TrailerLineStart, // a trailer line, or the empty line that ends the body
        TrailerName,
        TrailerValue,
        TrailerLineEnd,   // the LF after a trailer's CR
        BodyEnd,          // the LF of the empty line
        Complete,
        Failed,
    }

    private readonly HttpLimits _limits;
    private State _state;
    private long _chunkSize;      // the size being read, then the size of the chunk being read
    private long _chunkRemaining; // data bytes of the chunk not yet handed out
    private long _declared;       // the sizes of every chunk so far: what the body limit is checked against
    private int _lineBytes;       // bytes of the chunk-size line so far
    private int _trailerBytes;
    private int _trailerCount;
    private HttpRequestError _error;

    /// <summary>A decoder for one connection.</summary>
    /// <param name="limits">The body limit, and the header limits that trailers must keep; <see cref="HttpLimits.Default"/> when null.</param>
    public ChunkedBodyDecoder(HttpLimits? limits = null) => _limits = limits ?? HttpLimits.Default;

    /// <summary>The limits this decoder applies.</summary>
    public HttpLimits Limits => _limits;

    /// <summary>The body data handed out so far.</summary>
    public long BodyBytes => _declared - _chunkRemaining;

    /// <summary>Why the body was refused, after <see cref="ChunkedBodyStatus.Error"/>; the default value otherwise.</summary>
    public HttpRequestError Error => _error;

    /// <summary>Readies the decoder for a new body, forgetting the last one and any error.</summary>
    public void Reset()
    {
        _state = State.SizeStart;
        _chunkSize = _chunkRemaining = _declared = 0;
        _lineBytes = _trailerBytes = _trailerCount = 0;
        _error = default;
    }

    /// <summary>
    /// Reads framing from <paramref name="buffer"/> up to the next body data, the body's end, or the end of the buffer.
    /// After <see cref="ChunkedBodyStatus.Complete"/> or <see cref="ChunkedBodyStatus.Error"/> it reports the same again,
    /// taking nothing, until <see cref="Reset"/>.
    /// </summary>
    /// <param name="buffer">The connection's unread bytes, from where the last call's consumed position was.</param>
    /// <param name="data">With <see cref="ChunkedBodyStatus.Data"/>: body data, a non-empty slice of <paramref name="buffer"/>; empty otherwise.</param>
    /// <param name="consumed">
    /// Where the next call starts: after the data; the end of <paramref name="buffer"/> when more data is needed (all of it
    /// was taken); after the body when it is complete; the offending byte on an error.
    /// </param>
    /// <returns>Whether data, more input, the body's end or an error came.</returns>
    public ChunkedBodyStatus Decode(in ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> data, out SequencePosition consumed)
    {
        data = default;
        var reader = new SequenceReader<byte>(buffer);
        while (!reader.End && _state < State.Complete)
        {
            if (_state == State.Data)
            {
                long take = Math.Min(_chunkRemaining, reader.Remaining);
                data = buffer.Slice(reader.Position, take);
                reader.Advance(take);
                _chunkRemaining -= take;
                if (_chunkRemaining == 0) _state = State.DataEnd;
                consumed = reader.Position;
                return ChunkedBodyStatus.Data;
            }
            reader.Advance(Step(reader.UnreadSpan));
        }
        consumed = reader.Position;
        return _state switch
        {
            State.Complete => ChunkedBodyStatus.Complete,
            State.Failed => ChunkedBodyStatus.Error,
            _ => ChunkedBodyStatus.NeedMoreData,
        };
    }

    /// <summary>
    /// Runs the framing states over <paramref name="span"/> until it is used up, data starts, the body ends or an error is
    /// found. As in the head parser, each state's reader returns where it stopped, or its own position with the state
    /// changed when it only chose the next state.
    /// </summary>
    /// <returns>How many bytes were taken.</returns>
    private int Step(ReadOnlySpan<byte> span)
    {
        int i = 0;
        while (i < span.Length && _state is not (State.Data or State.Complete or State.Failed))
        {
            i = _state switch
            {
                State.SizeStart => ReadSizeStart(span, i),
                State.Size => ReadSize(span, i),
                State.AfterSize or State.BeforeExtension => ReadAfterSize(span, i),
                State.Extension => ReadExtension(span, i),
                State.SizeLineEnd => ReadSizeLineEnd(span, i),
                State.DataEnd => ReadDataEnd(span, i, CR, State.DataLineEnd),
                State.DataLineEnd => ReadDataEnd(span, i, LF, State.SizeStart),
                State.TrailerLineStart => ReadTrailerLineStart(span, i),
                State.TrailerName => ReadTrailerName(span, i),
                State.TrailerValue => ReadTrailerValue(span, i),
                State.TrailerLineEnd => ReadTrailerLineFeed(span, i, State.TrailerLineStart),
                State.BodyEnd => ReadTrailerLineFeed(span, i, State.Complete),
                _ => throw new UnreachableException($"the decoder stepped in state {_state}"),
            };
        }
        return i;
    }

    // ---- The chunk-size line ----

    /// <summary>The size's first hex digit.</summary>
    private int ReadSizeStart(ReadOnlySpan<byte> span, int i)
    {
        if (!TakeLineBytes(1, ref i)) return i;
        int digit = HexValue(span[i]);
        if (digit < 0) return Fail(RequestErrors.InvalidChunkSize, i);
        _chunkSize = digit;
        _state = State.Size;
        return i + 1;
    }

    /// <summary>More hex digits; the first other byte ends the size, which is then checked against the body limit.</summary>
    private int ReadSize(ReadOnlySpan<byte> span, int i)
    {
        int digit = HexValue(span[i]);
        if (digit < 0)
        {
            // The size is whole: check it against what the body may still hold before any of its data comes.
            if (_chunkSize > _limits.MaxRequestBodySize - _declared) return Fail(RequestErrors.BodyTooLarge, i);
            _state = State.AfterSize; // the byte is read there
            return i;
        }
        if (!TakeLineBytes(1, ref i)) return i;
        if (_chunkSize > (long.MaxValue - digit) >> 4) return Fail(RequestErrors.ChunkSizeOverflow, i);
        _chunkSize = (_chunkSize << 4) + digit;
        return i + 1;
    }

    /// <summary>After the size: its CR, or an extension's <c>;</c>, with optional whitespace (BWS) only before a <c>;</c>.</summary>
    private int ReadAfterSize(ReadOnlySpan<byte> span, int i)
    {
        if (!TakeLineBytes(1, ref i)) return i;
        byte b = span[i];
        if (b == ';') _state = State.Extension;
        else if (IsWhitespace(b)) _state = State.BeforeExtension;
        else if (b == CR && _state == State.AfterSize) _state = State.SizeLineEnd;
        else return Fail(_state == State.AfterSize ? RequestErrors.InvalidChunkSize : RequestErrors.InvalidChunkExtension, i);
        return i + 1;
    }

    /// <summary>Extensions, skipped up to the CR; they may not hold LF or NUL.</summary>
    private int ReadExtension(ReadOnlySpan<byte> span, int i)
    {
        var run = RunOf(span[i..], span[i..].IndexOfAny(NotInValue));
        if (!TakeLineBytes(run.Length, ref i)) return i;
        i += run.Length;
        if (i == span.Length) return i;
        if (!TakeLineBytes(1, ref i)) return i;
        if (span[i] != CR) return Fail(RequestErrors.InvalidChunkExtension, i);
        _state = State.SizeLineEnd;
        return i + 1;
    }

    /// <summary>The LF of the size line: the chunk's data follows, or, after the last chunk, the trailers.</summary>
    private int ReadSizeLineEnd(ReadOnlySpan<byte> span, int i)
    {
        if (!TakeLineBytes(1, ref i)) return i;
        if (span[i] != LF) return Fail(RequestErrors.BareCarriageReturn, i);
        _lineBytes = 0;
        if (_chunkSize == 0)
        {
            _state = State.TrailerLineStart; // the last chunk
            return i + 1;
        }
        _declared += _chunkSize;
        _chunkRemaining = _chunkSize;
        _state = State.Data; // Decode hands the data out
        return i + 1;
    }

    /// <summary>The CR, then the LF, that must follow a chunk's data.</summary>
    private int ReadDataEnd(ReadOnlySpan<byte> span, int i, byte expected, State next)
    {
        if (span[i] != expected) return Fail(RequestErrors.MissingChunkTerminator, i);
        _state = next;
        return i + 1;
    }

    // ---- The trailers ----

    /// <summary>A trailer name's first byte, or the CR of the empty line that ends the body.</summary>
    private int ReadTrailerLineStart(ReadOnlySpan<byte> span, int i)
    {
        byte b = span[i];
        if (IsToken(b))
        {
            if (_trailerCount == _limits.MaxRequestHeaderCount) return Fail(RequestErrors.TooManyTrailers, i);
            _trailerCount++;
            _state = State.TrailerName; // the byte is read there
            return i;
        }
        if (!TakeTrailerBytes(1, ref i)) return i;
        if (b == CR)
        {
            _state = State.BodyEnd;
            return i + 1;
        }
        if (IsWhitespace(b)) return Fail(RequestErrors.ObsoleteLineFolding, i);
        return Fail(b == ':' ? RequestErrors.EmptyHeaderName : RequestErrors.InvalidHeaderName, i);
    }

    /// <summary>A trailer name's token bytes, up to the colon.</summary>
    private int ReadTrailerName(ReadOnlySpan<byte> span, int i)
    {
        var run = RunOf(span[i..], span[i..].IndexOfAnyExcept(Token));
        if (!TakeTrailerBytes(run.Length, ref i)) return i;
        i += run.Length;
        if (i == span.Length) return i;
        if (!TakeTrailerBytes(1, ref i)) return i;
        byte b = span[i];
        if (b != ':') return Fail(IsWhitespace(b) ? RequestErrors.WhitespaceBeforeColon : RequestErrors.InvalidHeaderName, i);
        _state = State.TrailerValue;
        return i + 1;
    }

    /// <summary>A trailer value, whitespace and all, up to the CR: checked, not kept.</summary>
    private int ReadTrailerValue(ReadOnlySpan<byte> span, int i)
    {
        var run = RunOf(span[i..], span[i..].IndexOfAny(NotInValue));
        if (!TakeTrailerBytes(run.Length, ref i)) return i;
        i += run.Length;
        if (i == span.Length) return i;
        if (!TakeTrailerBytes(1, ref i)) return i;
        if (span[i] != CR) return Fail(RequestErrors.InvalidHeaderValue, i);
        _state = State.TrailerLineEnd;
        return i + 1;
    }

    /// <summary>The LF after a trailer line's CR, or after the empty line's (then the body is complete).</summary>
    private int ReadTrailerLineFeed(ReadOnlySpan<byte> span, int i, State next)
    {
        if (!TakeTrailerBytes(1, ref i)) return i;
        if (span[i] != LF) return Fail(RequestErrors.BareCarriageReturn, i);
        _state = next;
        return i + 1;
    }

    // ---- Helpers ----

    private static ReadOnlySpan<byte> RunOf(ReadOnlySpan<byte> rest, int stop) => stop < 0 ? rest : rest[..stop];

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>Counts <paramref name="count"/> bytes of a chunk-size line, those from <paramref name="at"/> on.</summary>
    /// <returns>True when they fit; false when they cross the limit: failed with 400, and <paramref name="at"/> moved to the first byte over it.</returns>
    private bool TakeLineBytes(int count, ref int at) =>
        Take(ref _lineBytes, count, MaxChunkLineLength, RequestErrors.ChunkLineTooLong, ref at);

    /// <summary>Counts <paramref name="count"/> bytes of the trailers, those from <paramref name="at"/> on.</summary>
    /// <returns>True when they fit; false when they cross the header block's limit: failed with 431, and <paramref name="at"/> moved to the first byte over it.</returns>
    private bool TakeTrailerBytes(int count, ref int at) =>
        Take(ref _trailerBytes, count, _limits.MaxRequestHeadersTotalSize, RequestErrors.TrailersTooLarge, ref at);

    private bool Take(ref int counted, int count, int limit, HttpRequestError overLimit, ref int at)
    {
        if (ByteBudget.TryTake(ref counted, count, limit, ref at)) return true;
        Fail(overLimit, at);
        return false;
    }

    private int Fail(HttpRequestError error, int at)
    {
        _error = error;
        _state = State.Failed;
        return at;
    }
}
