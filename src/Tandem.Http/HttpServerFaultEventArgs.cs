namespace Tandem.Http;

/// <summary>A route's handler threw: what <see cref="HttpServer.Faulted"/> reports. The client got a 500 (or, when the
/// response had started, its connection was reset).</summary>
public sealed class HttpServerFaultEventArgs(Exception exception, string method, string path) : EventArgs
{
    /// <summary>What the handler threw.</summary>
    public Exception Exception { get; } = exception;

    /// <summary>The request's method.</summary>
    public string Method { get; } = method;

    /// <summary>The request's path.</summary>
    public string Path { get; } = path;
}
