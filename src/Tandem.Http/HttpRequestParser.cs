using System.Buffers;
using System.Diagnostics;
using static Tandem.Http.Internal.HttpChars;

namespace Tandem.Http;

/// <summary>
/// Parses HTTP/1.1 request heads (RFC 9112) incrementally, in the manner of System.IO.Pipelines: the caller passes the
/// bytes it has, and the parser takes them all — copying what it keeps into the <see cref="Head"/> — until a head is
/// complete, so a head split across reads at any byte parses exactly as if it had come whole. One parser serves one
/// connection, request after request, and allocates nothing once its buffers have grown to the connection's heads.
/// </summary>
/// <remarks>
/// <para>A loop that reads a connection:</para>
/// <code>
/// var status = parser.ParseHead(buffer, out var consumed);
/// reader.AdvanceTo(consumed);            // NeedMoreData: everything was taken
/// if (status == HeadParseStatus.Complete) { /* read parser.Head, then its body from the rest */ }
/// else if (status == HeadParseStatus.Error) { /* answer parser.Error.StatusCode, close */ }
/// </code>
/// <para>Pipelined requests are parsed one after another from the same buffer: after a complete head (and its body), call
/// again from the consumed position. Malformed input never throws: it ends in <see cref="HeadParseStatus.Error"/> with a
/// status code and a reason, and the parser stays failed until <see cref="Reset"/>.</para>
/// <para>The state machine reads the request line (method, target, version), then header lines, one byte class at a
/// time: runs of ordinary bytes are found with vectorised searches and copied at once, and each state's transition is
/// decided by the one byte that ends the run, which is why any split gives the same result. The limits count every
/// byte taken, so a limit is crossed at the same byte however the input was split.</para>
/// </remarks>
public sealed class HttpRequestParser
{
    private const int VersionLength = 8; // "HTTP/1.1"

    private enum State : byte
    {
        RequestLineStart, // before the method; an empty line here is skipped (RFC 9112 §2.2)
        EmptyLineEnd,     // the LF of such an empty line
        Method,
        Target,
        Version,
        RequestLineEnd,   // the LF after the version's CR
        LineStart,        // a header line, or the empty line that ends the head
        Name,
        BeforeValue,      // the optional whitespace after the colon
        Value,
        HeaderLineEnd,    // the LF after the value's CR
        HeadEnd,          // the LF of the empty line
        Complete,         // a head was parsed; the next call starts the next request
        Failed,           // an error was reported; only Reset leaves it
    }

    private readonly HttpLimits _limits;
    private State _state;
    private int _lineBytes;    // bytes of the request line taken so far, empty lines before it included
    private int _headerBytes;  // bytes of the header block taken so far
    private int _start;        // where the part being read (method, target, version, name) starts in the head's buffer
    private int _valueStart;   // where the value being read starts
    private int _valueEnd;     // the end of its last byte that is not whitespace: the trim
    private RequestMethod _method;
    private RequestVersion _version;
    private ByteRange _target;
    private ByteRange _name;
    private KnownHeader _known;
    private RequestFraming _framing;
    private HttpRequestError _error;

    /// <summary>A parser for one connection.</summary>
    /// <param name="limits">The limits requests must stay within; <see cref="HttpLimits.Default"/> when null.</param>
    public HttpRequestParser(HttpLimits? limits = null) => _limits = limits ?? HttpLimits.Default;

    /// <summary>The limits this parser applies.</summary>
    public HttpLimits Limits => _limits;

    /// <summary>The head last parsed, valid after <see cref="HeadParseStatus.Complete"/> until the next call.</summary>
    public HttpRequestHead Head { get; } = new();

    /// <summary>Why the last request was refused, after <see cref="HeadParseStatus.Error"/>; the default value otherwise.</summary>
    public HttpRequestError Error => _error;

    /// <summary>
    /// Parses as much of a request head as <paramref name="buffer"/> holds. After a complete head, the next call starts the
    /// next request (the previous head is forgotten).
    /// </summary>
    /// <param name="buffer">The connection's unread bytes, from where the last call's consumed position was.</param>
    /// <param name="consumed">
    /// Where the caller's next read starts: the end of <paramref name="buffer"/> when more data is needed (all of it was
    /// taken), the byte after the head when it is complete, the offending byte on an error.
    /// </param>
    /// <returns>Whether the head is complete, needs more data, or is refused.</returns>
    public HeadParseStatus ParseHead(in ReadOnlySequence<byte> buffer, out SequencePosition consumed)
    {
        if (_state == State.Complete) StartRequest();
        if (_state == State.Failed)
        {
            consumed = buffer.Start;
            return HeadParseStatus.Error;
        }
        if (buffer.IsSingleSegment)
        {
            consumed = buffer.GetPosition(Step(buffer.FirstSpan));
        }
        else
        {
            var reader = new SequenceReader<byte>(buffer);
            while (!reader.End && _state < State.Complete) reader.Advance(Step(reader.UnreadSpan));
            consumed = reader.Position;
        }
        return _state switch
        {
            State.Complete => HeadParseStatus.Complete,
            State.Failed => HeadParseStatus.Error,
            _ => HeadParseStatus.NeedMoreData,
        };
    }

    /// <summary>Forgets any partial head and any error: the parser is as new, for a new connection.</summary>
    public void Reset() => StartRequest();

    private void StartRequest()
    {
        Head.Clear();
        _framing.Clear();
        _state = State.RequestLineStart;
        _lineBytes = _headerBytes = 0;
        _error = default;
    }

    /// <summary>
    /// Runs the state machine over <paramref name="span"/> until it is used up, the head is complete or an error is found.
    /// Each state's reader takes what it can from position <c>i</c> and returns where it stopped; a reader that only
    /// looks at its byte to pick the next state returns <c>i</c> unchanged, with the state changed.
    /// </summary>
    /// <returns>How many bytes were taken: all, or up to the end of the head, or up to the offending byte.</returns>
    private int Step(ReadOnlySpan<byte> span)
    {
        int i = 0;
        while (i < span.Length && _state < State.Complete)
        {
            i = _state switch
            {
                State.RequestLineStart => ReadRequestLineStart(span, i),
                State.EmptyLineEnd => ReadEmptyLineEnd(span, i),
                State.Method => ReadMethod(span, i),
                State.Target => ReadTarget(span, i),
                State.Version => ReadVersion(span, i),
                State.RequestLineEnd => ReadRequestLineEnd(span, i),
                State.LineStart => ReadLineStart(span, i),
                State.Name => ReadName(span, i),
                State.BeforeValue => ReadBeforeValue(span, i),
                State.Value => ReadValue(span, i),
                State.HeaderLineEnd => ReadHeaderLineEnd(span, i),
                State.HeadEnd => ReadHeadEnd(span, i),
                _ => throw new UnreachableException($"the parser stepped in state {_state}"),
            };
        }
        return i;
    }

    // ---- The request line ----

    /// <summary>A method's first byte, or the CR of an empty line before the request line.</summary>
    private int ReadRequestLineStart(ReadOnlySpan<byte> span, int i)
    {
        if (IsToken(span[i]))
        {
            StartPart(State.Method);
            return i;
        }
        if (!TakeLineBytes(1, ref i)) return i;
        if (span[i] != CR) return Fail(RequestErrors.InvalidMethod, i);
        _state = State.EmptyLineEnd;
        return i + 1;
    }

    /// <summary>The LF of an empty line before the request line (RFC 9112 §2.2 asks servers to skip such lines).</summary>
    private int ReadEmptyLineEnd(ReadOnlySpan<byte> span, int i)
    {
        if (!TakeLineBytes(1, ref i)) return i;
        if (span[i] != LF) return Fail(RequestErrors.BareCarriageReturn, i);
        _state = State.RequestLineStart;
        return i + 1;
    }

    /// <summary>The method's token bytes, up to the space after it.</summary>
    private int ReadMethod(ReadOnlySpan<byte> span, int i)
    {
        var run = RunOf(span[i..], span[i..].IndexOfAnyExcept(Token));
        if (!TakeLineBytes(run.Length, ref i)) return i;
        Head.Bytes.Append(run);
        i += run.Length;
        if (i == span.Length) return i;
        if (!TakeLineBytes(1, ref i)) return i;
        if (span[i] != SP) return Fail(RequestErrors.InvalidMethod, i);
        EndMethod();
        return i + 1;
    }

    private void EndMethod()
    {
        var method = ByteRange.FromTo(_start, Head.Bytes.Length);
        _method = KnownMethods.Recognise(Head.Bytes[method]);
        Head.SetMethod(_method, method);
        StartPart(State.Target);
    }

    /// <summary>The target's bytes, up to the space after it; its shape is judged at the end of the line.</summary>
    private int ReadTarget(ReadOnlySpan<byte> span, int i)
    {
        var run = RunOf(span[i..], span[i..].IndexOfAny(NotInTarget));
        if (!TakeLineBytes(run.Length, ref i)) return i;
        Head.Bytes.Append(run);
        i += run.Length;
        if (i == span.Length) return i;
        if (!TakeLineBytes(1, ref i)) return i;
        if (span[i] != SP || Head.Bytes.Length == _start) return Fail(RequestErrors.InvalidTarget, i);
        _target = ByteRange.FromTo(_start, Head.Bytes.Length);
        StartPart(State.Version);
        return i + 1;
    }

    /// <summary>The version's bytes, up to the CR; it is judged there.</summary>
    private int ReadVersion(ReadOnlySpan<byte> span, int i)
    {
        var bytes = Head.Bytes;
        if (bytes.Length == _start && span.Length - i >= VersionLength + 2)
        {
            // The usual case, the whole version and its CRLF in view, in one step: the bytes are counted as the byte-wise
            // path counts them, so the limit is crossed at the same byte.
            var line = span.Slice(i, VersionLength + 2);
            if (line.SequenceEqual("HTTP/1.1\r\n"u8) || line.SequenceEqual("HTTP/1.0\r\n"u8))
            {
                if (!TakeLineBytes(line.Length, ref i)) return i;
                _version = line[7] == '1' ? RequestVersion.Http11 : RequestVersion.Http10;
                return EndRequestLine(i + VersionLength + 1);
            }
        }
        if (!TakeLineBytes(1, ref i)) return i;
        byte b = span[i];
        if (b == CR)
        {
            var error = ParseVersion(bytes[ByteRange.FromTo(_start, bytes.Length)], out _version);
            if (!error.IsNone) return Fail(error, i);
            bytes.Truncate(_start); // the version is kept as an enum
            _state = State.RequestLineEnd;
            return i + 1;
        }
        if (b <= SP || b >= 0x7F || bytes.Length - _start == VersionLength) return Fail(RequestErrors.InvalidVersion, i);
        bytes.Append(b);
        return i + 1;
    }

    /// <summary>The LF that ends the request line.</summary>
    private int ReadRequestLineEnd(ReadOnlySpan<byte> span, int i)
    {
        if (!TakeLineBytes(1, ref i)) return i;
        if (span[i] != LF) return Fail(RequestErrors.BareCarriageReturn, i);
        return EndRequestLine(i);
    }

    /// <summary>The request line is read, up to its LF at <paramref name="lineFeed"/>: the target is judged with the method known.</summary>
    private int EndRequestLine(int lineFeed)
    {
        if (!RequestTarget.TryParse(Head.Bytes.Span, _target, _method, out var target)) return Fail(RequestErrors.InvalidTarget, lineFeed);
        Head.SetTarget(target);
        Head.SetVersion(_version);
        _state = State.LineStart;
        return lineFeed + 1;
    }

    // ---- The headers ----

    /// <summary>A header name's first byte, or the CR of the empty line that ends the head.</summary>
    private int ReadLineStart(ReadOnlySpan<byte> span, int i)
    {
        byte b = span[i];
        if (IsToken(b))
        {
            if (Head.HeadersSoFar == _limits.MaxRequestHeaderCount) return Fail(RequestErrors.TooManyHeaders, i);
            StartPart(State.Name);
            return i;
        }
        if (!TakeHeaderBytes(1, ref i)) return i;
        if (b == CR)
        {
            _state = State.HeadEnd;
            return i + 1;
        }
        // A line that starts with whitespace continues the previous one (obs-fold, RFC 9112 §5.2), or hides a header
        // after the request line (§2.2): both are refused.
        if (IsWhitespace(b)) return Fail(RequestErrors.ObsoleteLineFolding, i);
        return Fail(b == ':' ? RequestErrors.EmptyHeaderName : RequestErrors.InvalidHeaderName, i);
    }

    /// <summary>The name's token bytes, up to the colon (no whitespace before it: RFC 9112 §5.1).</summary>
    private int ReadName(ReadOnlySpan<byte> span, int i)
    {
        var run = RunOf(span[i..], span[i..].IndexOfAnyExcept(Token));
        if (!TakeHeaderBytes(run.Length, ref i)) return i;
        Head.Bytes.Append(run);
        i += run.Length;
        if (i == span.Length) return i;
        if (!TakeHeaderBytes(1, ref i)) return i;
        byte b = span[i];
        if (b != ':') return Fail(IsWhitespace(b) ? RequestErrors.WhitespaceBeforeColon : RequestErrors.InvalidHeaderName, i);
        EndName();
        return i + 1;
    }

    private void EndName()
    {
        _name = ByteRange.FromTo(_start, Head.Bytes.Length);
        _known = KnownHeaders.Recognise(Head.Bytes[_name]);
        _valueStart = _valueEnd = Head.Bytes.Length;
        _state = State.BeforeValue;
    }

    /// <summary>The optional whitespace before the value, skipped.</summary>
    private int ReadBeforeValue(ReadOnlySpan<byte> span, int i)
    {
        var run = RunOf(span[i..], span[i..].IndexOfAnyExcept(Whitespace));
        if (!TakeHeaderBytes(run.Length, ref i)) return i;
        i += run.Length;
        if (i < span.Length) _state = State.Value; // the byte is read there
        return i;
    }

    /// <summary>The value's bytes up to the CR, remembering where its last non-whitespace byte ends.</summary>
    private int ReadValue(ReadOnlySpan<byte> span, int i)
    {
        var bytes = Head.Bytes;
        var run = RunOf(span[i..], span[i..].IndexOfAny(NotInValue));
        if (!TakeHeaderBytes(run.Length, ref i)) return i;
        int lastText = run.LastIndexOfAnyExcept(Whitespace);
        if (lastText >= 0) _valueEnd = bytes.Length + lastText + 1;
        bytes.Append(run);
        i += run.Length;
        if (i == span.Length) return i;
        if (!TakeHeaderBytes(1, ref i)) return i;
        if (span[i] != CR) return Fail(RequestErrors.InvalidHeaderValue, i); // LF or NUL
        bytes.Truncate(_valueEnd); // the trailing whitespace
        _state = State.HeaderLineEnd;
        return i + 1;
    }

    /// <summary>The LF that ends a header line: the header is complete, and its framing meaning is noted.</summary>
    private int ReadHeaderLineEnd(ReadOnlySpan<byte> span, int i)
    {
        if (!TakeHeaderBytes(1, ref i)) return i;
        if (span[i] != LF) return Fail(RequestErrors.BareCarriageReturn, i);
        var value = ByteRange.FromTo(_valueStart, _valueEnd);
        var error = _framing.Add(_known, Head.Bytes[value]);
        if (!error.IsNone) return Fail(error, i);
        Head.AddHeader(new HeaderEntry(_name, value, _known));
        _state = State.LineStart;
        return i + 1;
    }

    /// <summary>The LF of the empty line: the head is complete, and judged as a whole.</summary>
    private int ReadHeadEnd(ReadOnlySpan<byte> span, int i)
    {
        if (!TakeHeaderBytes(1, ref i)) return i;
        if (span[i] != LF) return Fail(RequestErrors.BareCarriageReturn, i);
        var error = _framing.Conclude(_version, _limits, out var outcome);
        if (!error.IsNone) return Fail(error, i);
        Head.MarkComplete(outcome);
        _state = State.Complete;
        return i + 1;
    }

    // ---- Helpers ----

    /// <summary>Enters <paramref name="state"/>, which reads a part (method, target, version, name) starting at the buffer's end.</summary>
    private void StartPart(State state)
    {
        _start = Head.Bytes.Length;
        _state = state;
    }

    /// <summary>The start of <paramref name="rest"/> up to <paramref name="stop"/>, or all of it when the search found nothing (-1).</summary>
    private static ReadOnlySpan<byte> RunOf(ReadOnlySpan<byte> rest, int stop) => stop < 0 ? rest : rest[..stop];

    /// <summary>Counts <paramref name="count"/> bytes of the request line, those from <paramref name="at"/> on.</summary>
    /// <returns>True when they fit; false when they cross the limit: failed with 414, and <paramref name="at"/> moved to the first byte over it.</returns>
    private bool TakeLineBytes(int count, ref int at) =>
        Take(ref _lineBytes, count, _limits.MaxRequestLineSize, RequestErrors.RequestLineTooLong, ref at);

    /// <summary>Counts <paramref name="count"/> bytes of the header block, those from <paramref name="at"/> on.</summary>
    /// <returns>True when they fit; false when they cross the limit: failed with 431, and <paramref name="at"/> moved to the first byte over it.</returns>
    private bool TakeHeaderBytes(int count, ref int at) =>
        Take(ref _headerBytes, count, _limits.MaxRequestHeadersTotalSize, RequestErrors.HeadersTooLarge, ref at);

    private bool Take(ref int counted, int count, int limit, HttpRequestError overLimit, ref int at)
    {
        if (ByteBudget.TryTake(ref counted, count, limit, ref at)) return true;
        Fail(overLimit, at);
        return false;
    }

    /// <summary>Enters the failed state with <paramref name="error"/>; returns <paramref name="at"/>, the bytes taken.</summary>
    private int Fail(HttpRequestError error, int at)
    {
        _error = error;
        _state = State.Failed;
        return at;
    }

    /// <summary><c>HTTP/1.1</c> or <c>HTTP/1.0</c>; another well-formed version is 505, anything else 400.</summary>
    private static HttpRequestError ParseVersion(ReadOnlySpan<byte> version, out RequestVersion value)
    {
        value = RequestVersion.Http11;
        if (version.Length != VersionLength || !version.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)version[5])
            || version[6] != '.' || !char.IsAsciiDigit((char)version[7]))
            return RequestErrors.InvalidVersion;
        if (version[5] != '1' || version[7] is not ((byte)'0' or (byte)'1')) return RequestErrors.VersionNotSupported;
        value = version[7] == '1' ? RequestVersion.Http11 : RequestVersion.Http10;
        return default;
    }
}
