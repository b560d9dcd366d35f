namespace Tandem.Http;

/// <summary>A request's body could not be read: malformed chunked framing, a body over the limit, or a client that
/// closed the connection before sending all of it.</summary>
public sealed class HttpBodyException : Exception
{
    /// <summary>The status a server answers it with (400, 413).</summary>
    public int StatusCode { get; }

    internal HttpBodyException(int statusCode, string message) : base(message) => StatusCode = statusCode;
}
