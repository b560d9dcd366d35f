namespace Tandem.Http;

/// <summary>
/// The request headers the parser recognises by name without allocating (case-insensitively), so a caller can find them
/// with <see cref="HttpRequestHead.TryGetHeader(KnownHeader, out ReadOnlySpan{byte})"/>. The framing headers among them
/// are also interpreted by the parser.
/// </summary>
public enum KnownHeader
{
    /// <summary>A header the parser does not know by name: compare <see cref="RequestHeader.Name"/>.</summary>
    Other,

    /// <summary><c>Host</c>: the target's host and port; required in HTTP/1.1, once.</summary>
    Host,

    /// <summary><c>Content-Length</c>: the body's length in bytes.</summary>
    ContentLength,

    /// <summary><c>Transfer-Encoding</c>: the transfer codings of the body; only <c>chunked</c>, last, is supported.</summary>
    TransferEncoding,

    /// <summary><c>Connection</c>: connection options: <c>close</c>, <c>keep-alive</c>, <c>upgrade</c>.</summary>
    Connection,

    /// <summary><c>Expect</c>: <c>100-continue</c>: the client waits for an interim response before it sends the body.</summary>
    Expect,

    /// <summary><c>Accept</c>.</summary>
    Accept,

    /// <summary><c>Accept-Charset</c>.</summary>
    AcceptCharset,

    /// <summary><c>Accept-Encoding</c>.</summary>
    AcceptEncoding,

    /// <summary><c>Accept-Language</c>.</summary>
    AcceptLanguage,

    /// <summary><c>Authorization</c>.</summary>
    Authorization,

    /// <summary><c>Cache-Control</c>.</summary>
    CacheControl,

    /// <summary><c>Content-Encoding</c>.</summary>
    ContentEncoding,

    /// <summary><c>Content-Type</c>.</summary>
    ContentType,

    /// <summary><c>Cookie</c>.</summary>
    Cookie,

    /// <summary><c>Date</c>.</summary>
    Date,

    /// <summary><c>Forwarded</c>.</summary>
    Forwarded,

    /// <summary><c>If-Match</c>.</summary>
    IfMatch,

    /// <summary><c>If-Modified-Since</c>.</summary>
    IfModifiedSince,

    /// <summary><c>If-None-Match</c>.</summary>
    IfNoneMatch,

    /// <summary><c>If-Range</c>.</summary>
    IfRange,

    /// <summary><c>If-Unmodified-Since</c>.</summary>
    IfUnmodifiedSince,

    /// <summary><c>Keep-Alive</c>.</summary>
    KeepAlive,

    /// <summary><c>Origin</c>.</summary>
    Origin,

    /// <summary><c>Pragma</c>.</summary>
    Pragma,

    /// <summary><c>Range</c>.</summary>
    Range,

    /// <summary><c>Referer</c>.</summary>
    Referer,

    /// <summary><c>TE</c>.</summary>
    TE,

    /// <summary><c>Trailer</c>.</summary>
    Trailer,

    /// <summary><c>Upgrade</c>.</summary>
    Upgrade,

    /// <summary><c>Upgrade-Insecure-Requests</c>.</summary>
    UpgradeInsecureRequests,

    /// <summary><c>User-Agent</c>.</summary>
    UserAgent,

    /// <summary><c>Via</c>.</summary>
    Via,

    /// <summary><c>X-Forwarded-For</c>.</summary>
    XForwardedFor,

    /// <summary><c>X-Forwarded-Host</c>.</summary>
    XForwardedHost,

    /// <summary><c>X-Forwarded-Proto</c>.</summary>
    XForwardedProto,

    /// <summary><c>X-Requested-With</c>.</summary>
    XRequestedWith,
}
