using System.Text;

namespace Tandem.Http;

/// <summary>
/// A parsed request head: the request line, the headers, and what they mean for the body and the connection. One is owned
/// by each <see cref="HttpRequestParser"/> and reused for every request of its connection, so it is read after
/// <see cref="HttpRequestParser.ParseHead"/> returned <see cref="HeadParseStatus.Complete"/> and until the parser is called
/// again; reading it at another time is a programming error (<see cref="InvalidOperationException"/>).
/// </summary>
/// <remarks>
/// The spans point into the head's own buffer, where the parser copied the head (the connection's buffer is released once
/// the head is consumed), so reading them allocates nothing; the <c>Get…String</c> methods make strings, and allocate,
/// except for names that are constants (known methods and headers).
/// </remarks>
public sealed class HttpRequestHead
{
    private const int InitialHeaderCapacity = 16;

    private HeaderEntry[] _headers = new HeaderEntry[InitialHeaderCapacity];
    private int _headerCount;
    private bool _complete;
    private RequestMethod _method;
    private RequestVersion _version;
    private RequestTargetForm _targetForm;
    private ByteRange _methodRange, _target, _path, _query, _authority;
    private RequestFraming.Outcome _outcome;

    internal HttpRequestHead() { }

    /// <summary>The method, if it is a known one.</summary>
    public RequestMethod Method => Complete()._method;

    /// <summary>The method's bytes, whatever it is (a token: ASCII).</summary>
    public ReadOnlySpan<byte> MethodBytes => Complete().Bytes[_methodRange];

    /// <summary>The protocol version.</summary>
    public RequestVersion Version => Complete()._version;

    /// <summary>The form of the request target.</summary>
    public RequestTargetForm TargetForm => Complete()._targetForm;

    /// <summary>The request target as sent, of any form (not decoded).</summary>
    public ReadOnlySpan<byte> Target => Complete().Bytes[_target];

    /// <summary>
    /// The path, not percent-decoded: the target up to <c>?</c> in origin-form, the part after the authority in
    /// absolute-form (<c>/</c> when it has none), empty in authority-form and asterisk-form.
    /// </summary>
    public ReadOnlySpan<byte> Path
    {
        get
        {
            Complete();
            return _targetForm == RequestTargetForm.Absolute && _path.Length == 0 ? "/"u8 : Bytes[_path];
        }
    }

    /// <summary>The query with its leading <c>?</c>, not decoded; empty when the target has none.</summary>
    public ReadOnlySpan<byte> Query => Complete().Bytes[_query];

    /// <summary>The authority (host and port) of an absolute-form or authority-form target; empty otherwise.</summary>
    public ReadOnlySpan<byte> Authority => Complete().Bytes[_authority];

    /// <summary>The value of the <c>Host</c> header, empty when there is none (possible only in HTTP/1.0).</summary>
    public ReadOnlySpan<byte> Host => TryGetHeader(KnownHeader.Host, out var host) ? host : default;

    /// <summary>How many header lines the head has.</summary>
    public int HeaderCount => Complete()._headerCount;

    /// <summary>How the body is delimited.</summary>
    public RequestBodyFraming BodyFraming => Complete()._outcome.Framing;

    /// <summary>The body's length when <see cref="BodyFraming"/> is <see cref="RequestBodyFraming.ContentLength"/>; null otherwise.</summary>
    public long? ContentLength => Complete()._outcome.Framing == RequestBodyFraming.ContentLength ? _outcome.ContentLength : null;

    /// <summary>True when a body follows the head: chunked, or a non-zero <c>Content-Length</c>.</summary>
    public bool HasBody => Complete()._outcome.Framing switch
    {
        RequestBodyFraming.Chunked => true,
        RequestBodyFraming.ContentLength => _outcome.ContentLength > 0,
        _ => false,
    };

    /// <summary>
    /// True when the connection may carry another request after this one: in HTTP/1.1 unless <c>Connection: close</c>, in
    /// HTTP/1.0 only with <c>Connection: keep-alive</c> (RFC 9112 §9.3).
    /// </summary>
    public bool KeepAlive => Complete()._outcome.KeepAlive;

    /// <summary>True when an HTTP/1.1 client sent <c>Expect: 100-continue</c> and waits for an interim 100 response before the body (ignored in HTTP/1.0).</summary>
    public bool ExpectContinue => Complete()._outcome.ExpectContinue;

    /// <summary>The buffer the head was copied into.</summary>
    internal HeadBuffer Bytes { get; } = new();

    /// <summary>Header line <paramref name="index"/>, in the order sent.</summary>
    /// <param name="index">From 0 to <see cref="HeaderCount"/> − 1.</param>
    /// <returns>Its name, value and recognised name.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the headers.</exception>
    public RequestHeader GetHeader(int index)
    {
        Complete();
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_headerCount, nameof(index));
        var entry = _headers[index];
        return new RequestHeader(Bytes[entry.Name], Bytes[entry.Value], entry.Known);
    }

    /// <summary>The value of the first <paramref name="header"/> line, without allocating.</summary>
    /// <param name="header">A known header (not <see cref="KnownHeader.Other"/>, which is never found).</param>
    /// <param name="value">The trimmed value, if found.</param>
    /// <returns>Whether the head has that header.</returns>
    public bool TryGetHeader(KnownHeader header, out ReadOnlySpan<byte> value)
    {
        Complete();
        if (header != KnownHeader.Other)
        {
            for (int i = 0; i < _headerCount; i++)
            {
                if (_headers[i].Known != header) continue;
                value = Bytes[_headers[i].Value];
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>The value of the first header line named <paramref name="name"/> (ASCII, case-insensitively), without allocating.</summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">The trimmed value, if found.</param>
    /// <returns>Whether the head has that header.</returns>
    public bool TryGetHeader(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        Complete();
        for (int i = 0; i < _headerCount; i++)
        {
            if (!Ascii.EqualsIgnoreCase(Bytes[_headers[i].Name], name)) continue;
            value = Bytes[_headers[i].Value];
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>The value of the first header line named <paramref name="name"/> (case-insensitively), as a string (Latin-1).</summary>
    /// <param name="name">The header name.</param>
    /// <returns>The trimmed value, or null when the head has no such header.</returns>
    public string? GetHeaderString(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Complete();
        for (int i = 0; i < _headerCount; i++)
            if (Ascii.EqualsIgnoreCase(Bytes[_headers[i].Name], name))
                return Encoding.Latin1.GetString(Bytes[_headers[i].Value]);
        return null;
    }

    /// <summary>The method as a string: a constant for the known methods.</summary>
    /// <returns>The method.</returns>
    public string GetMethodString() => KnownMethods.Name(Method) ?? Encoding.ASCII.GetString(MethodBytes);

    /// <summary>The request target as a string (UTF-8, not percent-decoded). Allocates.</summary>
    /// <returns>The target.</returns>
    public string GetTargetString() => Encoding.UTF8.GetString(Target);

    /// <summary>The <see cref="Path"/> as a string (UTF-8, not percent-decoded). Allocates.</summary>
    /// <returns>The path.</returns>
    public string GetPathString() => Encoding.UTF8.GetString(Path);

    /// <summary>The <see cref="Query"/> as a string, with its <c>?</c> (UTF-8, not decoded). Allocates, unless empty.</summary>
    /// <returns>The query.</returns>
    public string GetQueryString() => Encoding.UTF8.GetString(Query);

    // ---- Filled in by the parser ----

    internal int HeadersSoFar => _headerCount;

    /// <summary>Forgets the last request: the buffer and the header table are kept for the next.</summary>
    internal void Clear()
    {
        _complete = false;
        _headerCount = 0;
        Bytes.Clear();
        _methodRange = _target = _path = _query = _authority = default;
        _outcome = default;
    }

    internal void SetMethod(RequestMethod method, ByteRange bytes)
    {
        _method = method;
        _methodRange = bytes;
    }

    internal void SetTarget(in RequestTarget target)
    {
        _targetForm = target.Form;
        _target = target.Whole;
        _path = target.Path;
        _query = target.Query;
        _authority = target.Authority;
    }

    internal void SetVersion(RequestVersion version) => _version = version;

    internal void AddHeader(in HeaderEntry entry)
    {
        if (_headerCount == _headers.Length) Array.Resize(ref _headers, _headers.Length * 2);
        _headers[_headerCount++] = entry;
    }

    internal void MarkComplete(in RequestFraming.Outcome outcome)
    {
        _outcome = outcome;
        _complete = true;
    }

    private HttpRequestHead Complete()
    {
        if (!_complete) ThrowIncomplete();
        return this;
    }

    private static void ThrowIncomplete() => throw new InvalidOperationException(
        "The request head is read after ParseHead returned Complete, and until the parser is called again.");
}
