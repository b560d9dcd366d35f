namespace Tandem.Http.Internal;

/// <summary>Every error the parsers report, made once: reporting one allocates nothing.</summary>
internal static class RequestErrors
{
    // The request line.
    internal static readonly HttpRequestError InvalidMethod = new(400, "invalid character in method");
    internal static readonly HttpRequestError InvalidTarget = new(400, "invalid request target");
    internal static readonly HttpRequestError InvalidVersion = new(400, "invalid HTTP version");
    internal static readonly HttpRequestError VersionNotSupported = new(505, "HTTP version not supported");
    internal static readonly HttpRequestError RequestLineTooLong = new(414, "request line too long");
    internal static readonly HttpRequestError BareCarriageReturn = new(400, "CR not followed by LF");

    // The headers.
    internal static readonly HttpRequestError InvalidHeaderName = new(400, "invalid character in header name");
    internal static readonly HttpRequestError EmptyHeaderName = new(400, "empty header name");
    internal static readonly HttpRequestError WhitespaceBeforeColon = new(400, "whitespace between header name and colon");
    internal static readonly HttpRequestError InvalidHeaderValue = new(400, "invalid character in header value");
    internal static readonly HttpRequestError ObsoleteLineFolding = new(400, "obsolete line folding");
    internal static readonly HttpRequestError HeadersTooLarge = new(431, "request headers too large");
    internal static readonly HttpRequestError TooManyHeaders = new(431, "too many request headers");

    // The framing.
    internal static readonly HttpRequestError MissingHost = new(400, "missing Host header");
    internal static readonly HttpRequestError DuplicateHost = new(400, "more than one Host header");
    internal static readonly HttpRequestError InvalidHost = new(400, "invalid Host header");
    internal static readonly HttpRequestError InvalidContentLength = new(400, "invalid Content-Length");
    internal static readonly HttpRequestError ConflictingContentLength = new(400, "different Content-Length values");
    internal static readonly HttpRequestError ContentLengthWithTransferEncoding = new(400, "both Transfer-Encoding and Content-Length");
    internal static readonly HttpRequestError TransferEncodingInHttp10 = new(400, "Transfer-Encoding in an HTTP/1.0 request");
    internal static readonly HttpRequestError InvalidTransferEncoding = new(400, "invalid Transfer-Encoding");
    internal static readonly HttpRequestError ChunkedNotLast = new(400, "chunked is not the final transfer coding");
    internal static readonly HttpRequestError UnsupportedTransferCoding = new(501, "unsupported transfer coding");
    internal static readonly HttpRequestError BodyTooLarge = new(413, "request body too large");

    // A chunked body.
    internal static readonly HttpRequestError InvalidChunkSize = new(400, "invalid chunk size");
    internal static readonly HttpRequestError ChunkSizeOverflow = new(400, "chunk size too large to represent");
    internal static readonly HttpRequestError InvalidChunkExtension = new(400, "invalid chunk extension");
    internal static readonly HttpRequestError ChunkLineTooLong = new(400, "chunk size line too long");
    internal static readonly HttpRequestError MissingChunkTerminator = new(400, "chunk data not followed by CRLF");
    internal static readonly HttpRequestError TrailersTooLarge = new(431, "request trailers too large");
    internal static readonly HttpRequestError TooManyTrailers = new(431, "too many request trailers");
}
