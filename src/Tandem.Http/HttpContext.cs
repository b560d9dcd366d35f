using Tandem.Http.Internal;

namespace Tandem.Http;

/// <summary>
/// One request and its response, as a route's handler sees them. The object is reused for the connection's next
/// request: keep nothing of it after the handler returns.
/// </summary>
public sealed class HttpContext
{
    internal HttpContext(HttpConnection connection)
    {
        Request = new HttpRequest(connection);
        Response = new HttpResponse(connection);
    }

    /// <summary>What the client asked.</summary>
    public HttpRequest Request { get; }

    /// <summary>What the handler answers; sent when the handler returns (or as it flushes).</summary>
    public HttpResponse Response { get; }

    /// <summary>Cancelled when the route's timeout passes; when the client goes away (closes or resets the connection)
    /// while the handler is suspended, its request's body all received; or when the connection is aborted (the server's
    /// stop reached its deadline, the runtime shuts down). Pass it to what the handler awaits.</summary>
    public CancellationToken RequestAborted { get; internal set; }
}
