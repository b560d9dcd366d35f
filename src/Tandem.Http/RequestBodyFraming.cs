namespace Tandem.Http;

/// <summary>How a request's body is delimited, as the head says (RFC 9112 §6.3).</summary>
public enum RequestBodyFraming
{
    /// <summary>No body: neither <c>Content-Length</c> nor <c>Transfer-Encoding</c> was sent.</summary>
    None,

    /// <summary><see cref="HttpRequestHead.ContentLength"/> bytes follow the head (possibly zero).</summary>
    ContentLength,

    /// <summary>A chunked body follows the head: read it with a <see cref="ChunkedBodyDecoder"/>.</summary>
    Chunked,
}
