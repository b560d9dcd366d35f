namespace Tandem.Http;

/// <summary>The protocol version of a request line. Any other version is refused with 505.</summary>
public enum RequestVersion
{
    /// <summary>HTTP/1.1: keep-alive unless <c>Connection: close</c>; a <c>Host</c> header is required.</summary>
    Http11,

    /// <summary>HTTP/1.0: keep-alive only with <c>Connection: keep-alive</c>; no <c>Transfer-Encoding</c>.</summary>
    Http10,
}
