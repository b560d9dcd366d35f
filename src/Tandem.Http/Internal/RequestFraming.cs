using System.Text;

namespace Tandem.Http.Internal;

/// <summary>
/// What the framing headers of one head said, gathered header by header and judged once the head ends (RFC 9112 §6 and
/// §9.3, RFC 9110 §7.2 and §10.1.1). The rules that matter against request smuggling are strict: a body is framed by
/// exactly one of <c>Content-Length</c> and chunked, or by neither.
/// </summary>
internal struct RequestFraming
{
    private int _hostCount;
    private bool _hasContentLength;
    private long _contentLength;
    private bool _transferEncoding;  // a Transfer-Encoding header was seen
    private bool _chunkedLast;       // the last coding so far is chunked
    private bool _chunkedNotLast;    // a coding came after chunked
    private bool _unsupportedCoding; // a coding other than chunked
    private bool _close, _keepAlive, _expectContinue;

    /// <summary>Forgets the last head's headers (the default value is a head with none).</summary>
    internal void Clear() => this = default;

    /// <summary>Notes one header line's trimmed <paramref name="value"/>; an error if it breaks a rule on its own.</summary>
    internal HttpRequestError Add(KnownHeader header, ReadOnlySpan<byte> value) => header switch
    {
        KnownHeader.Host => AddHost(value),
        KnownHeader.ContentLength => AddContentLength(value),
        KnownHeader.TransferEncoding => AddTransferEncoding(value),
        KnownHeader.Connection => AddConnection(value),
        KnownHeader.Expect => AddExpect(value),
        _ => default,
    };

    /// <summary>Judges the head as a whole: the error it deserves, or none and the body's framing and the connection's fate.</summary>
    internal readonly HttpRequestError Conclude(RequestVersion version, HttpLimits limits, out Outcome outcome)
    {
        outcome = default;
        if (version == RequestVersion.Http11 && _hostCount == 0) return RequestErrors.MissingHost;
        if (_transferEncoding)
        {
            // The order matters only for which of several faults is named; each is a refusal.
            if (_hasContentLength) return RequestErrors.ContentLengthWithTransferEncoding;
            if (version == RequestVersion.Http10) return RequestErrors.TransferEncodingInHttp10; // §6.1: its framing is faulty
            if (_chunkedNotLast) return RequestErrors.ChunkedNotLast;
            if (_unsupportedCoding) return RequestErrors.UnsupportedTransferCoding;
            if (!_chunkedLast) return RequestErrors.InvalidTransferEncoding; // no coding at all
            outcome.Framing = RequestBodyFraming.Chunked;
        }
        else if (_hasContentLength)
        {
            if (_contentLength > limits.MaxRequestBodySize) return RequestErrors.BodyTooLarge;
            outcome.Framing = RequestBodyFraming.ContentLength;
            outcome.ContentLength = _contentLength;
        }
        outcome.KeepAlive = version == RequestVersion.Http11 ? !_close : _keepAlive && !_close;
        outcome.ExpectContinue = version == RequestVersion.Http11 && _expectContinue; // §10.1.1: ignored in HTTP/1.0
        return default;
    }

    private HttpRequestError AddHost(ReadOnlySpan<byte> value)
    {
        if (++_hostCount > 1) return RequestErrors.DuplicateHost;
        return HttpChars.IsValidHost(value) ? default : RequestErrors.InvalidHost;
    }

    /// <summary>
    /// <c>1*DIGIT</c>, or a list of them that all agree (several header lines count as one list): RFC 9110 §8.6 lets a
    /// recipient take identical values as one, and requires refusing different ones.
    /// </summary>
    private HttpRequestError AddContentLength(ReadOnlySpan<byte> value)
    {
        var elements = new ListReader(value);
        while (elements.TryNext(out var element))
        {
            if (!TryParseDecimal(element, out long length)) return RequestErrors.InvalidContentLength;
            if (_hasContentLength && _contentLength != length) return RequestErrors.ConflictingContentLength;
            _hasContentLength = true;
            _contentLength = length;
        }
        return default;
    }

    /// <summary>
    /// The codings in order, over every header line. Only chunked is understood; whether chunked is last, and whether any
    /// other coding came, is judged when the head ends. Empty elements are skipped, as lists allow.
    /// </summary>
    private HttpRequestError AddTransferEncoding(ReadOnlySpan<byte> value)
    {
        _transferEncoding = true;
        var elements = new ListReader(value);
        while (elements.TryNext(out var element))
        {
            if (element.IsEmpty) continue;
            int semicolon = element.IndexOf((byte)';');
            var name = semicolon < 0 ? element : HttpChars.TrimWhitespace(element[..semicolon]);
            if (name.IsEmpty || name.ContainsAnyExcept(HttpChars.Token)) return RequestErrors.InvalidTransferEncoding;
            if (_chunkedLast) _chunkedNotLast = true;
            if (Ascii.EqualsIgnoreCase(name, "chunked"u8))
            {
                if (semicolon >= 0) return RequestErrors.InvalidTransferEncoding; // chunked takes no parameters
                _chunkedLast = true;
            }
            else
            {
                _chunkedLast = false;
                _unsupportedCoding = true;
            }
        }
        return default;
    }

    private HttpRequestError AddConnection(ReadOnlySpan<byte> value)
    {
        var elements = new ListReader(value);
        while (elements.TryNext(out var option))
        {
            if (Ascii.EqualsIgnoreCase(option, "close"u8)) _close = true;
            else if (Ascii.EqualsIgnoreCase(option, "keep-alive"u8)) _keepAlive = true;
        }
        return default;
    }

    private HttpRequestError AddExpect(ReadOnlySpan<byte> value)
    {
        var elements = new ListReader(value);
        while (elements.TryNext(out var expectation))
            if (Ascii.EqualsIgnoreCase(expectation, "100-continue"u8)) _expectContinue = true;
        return default; // other expectations are ignored (§10.1.1 allows 417, and does not require it)
    }

    /// <summary>A non-negative decimal without sign or whitespace that fits a <see cref="long"/>.</summary>
    private static bool TryParseDecimal(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        if (digits.IsEmpty) return false;
        foreach (byte b in digits)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9 || value > (long.MaxValue - digit) / 10) return false;
            value = value * 10 + digit;
        }
        return true;
    }

    /// <summary>What a valid head means for its body and its connection.</summary>
    internal struct Outcome
    {
        internal RequestBodyFraming Framing;
        internal long ContentLength;
        internal bool KeepAlive;
        internal bool ExpectContinue;
    }
}
