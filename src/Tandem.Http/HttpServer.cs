using System.Net;
using System.Text;
using Tandem.Http.Internal;
using Tandem.Net;

namespace Tandem.Http;

/// <summary>
/// An HTTP/1.1 server on a Tandem runtime. Each connection reads and parses its requests at
/// <see cref="HttpServerOptions.ParsePriority"/> (High by default) and runs each route's handler at the route's own
/// priority, so a Critical route (a health check) is served ahead of ordinary work even while that work saturates the
/// workers. Keep-alive and pipelining (responses in order), <c>Content-Length</c> and chunked bodies both ways,
/// <c>Expect: 100-continue</c>, strict parsing with limits (requests over them are refused with 414, 431 or 413, malformed
/// ones with 400, 501 or 505, and their connection closed).
/// </summary>
/// <remarks>
/// <para>A handler's exception never reaches the runtime: the client gets a 500 and <see cref="Faulted"/> is raised.</para>
/// <para>Steady-state requests allocate nothing on the server for a handler that writes its response without
/// suspending (the connection's buffers and the request and response objects are reused).</para>
/// </remarks>
public sealed class HttpServer : IAsyncDisposable
{
    private readonly TcpServer _tcp;

    private HttpServer(Runtime runtime, HttpRoutes routes, HttpServerOptions options)
    {
        Routes = routes;
        Options = options;
        ServerLine = Encoding.ASCII.GetBytes($"Server: {options.ServerName}\r\n");
        _tcp = TcpServer.Start(runtime, connection => new HttpConnection(this, connection).RunAsync(), new TcpServerOptions
        {
            EndPoint = options.EndPoint,
            MaxConnections = options.MaxConnections,
            AcceptPriority = Priority.High,
            ConnectionPriority = options.ParsePriority,
        });
    }

    /// <summary>Starts serving <paramref name="routes"/> on <paramref name="runtime"/>.</summary>
    /// <param name="runtime">The runtime whose tasks run the connections and handlers (the host tier, for a server).</param>
    /// <param name="routes">The routes; they cannot change once the server runs.</param>
    /// <param name="options">Address, limits, priorities and timeouts (default: loopback, a free port).</param>
    /// <exception cref="System.Net.Sockets.SocketException">The address could not be bound.</exception>
    public static HttpServer Start(Runtime runtime, HttpRoutes routes, HttpServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(routes);
        options ??= new HttpServerOptions();
        options.Validate();
        routes.Freeze();
        return new HttpServer(runtime, routes, options);
    }

    /// <summary>The address and port the server listens on.</summary>
    public IPEndPoint LocalEndPoint => _tcp.LocalEndPoint;

    /// <summary>Connections open now.</summary>
    public int ConnectionCount => _tcp.ConnectionCount;

    /// <summary>A handler threw; its client got a 500. Raised on the thread that ran the handler.</summary>
    public event EventHandler<HttpServerFaultEventArgs>? Faulted;

    internal HttpRoutes Routes { get; }

    internal HttpServerOptions Options { get; }

    internal byte[] ServerLine { get; }

    internal void Report(Exception exception, HttpRequestHead head)
    {
        var handlers = Faulted;
        if (handlers is null) return; // the 500 the client got is the report
        try
        {
            handlers(this, new HttpServerFaultEventArgs(exception, head.GetMethodString(), head.GetPathString()));
        }
        catch (Exception)
        {
            // A throwing event handler must not take the connection down with it.
        }
    }

    /// <summary>
    /// Stops the server: refuses new connections, closes idle ones, lets requests in progress finish (each answered with
    /// <c>Connection: close</c>) until <paramref name="drainTimeout"/>, then resets what is left.
    /// </summary>
    /// <returns>True when every connection ended within the timeout.</returns>
    public Task<bool> StopAsync(TimeSpan drainTimeout) => _tcp.StopAsync(drainTimeout);

    /// <summary>Stops the server with a five-second drain.</summary>
    public ValueTask DisposeAsync() => _tcp.DisposeAsync();
}
