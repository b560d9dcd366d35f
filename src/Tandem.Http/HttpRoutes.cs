using System.Text;
using Tandem.Http.Internal;

namespace Tandem.Http;

/// <summary>
/// The routes of an <see cref="HttpServer"/>: a method and an exact path, each with its handler, its priority and an
/// optional timeout. A request for a path no route has gets 404; for a path with routes for other methods, 405.
/// </summary>
public sealed class HttpRoutes
{
    private readonly List<Route> _routes = [];
    private bool _frozen;

    /// <summary>Adds a route.</summary>
    /// <param name="method">The request method, as sent (<c>GET</c>, <c>POST</c>, …).</param>
    /// <param name="path">The exact path, starting with '/' (the query is not part of it).</param>
    /// <param name="handler">Serves the request: reads <see cref="HttpContext.Request"/>, writes <see cref="HttpContext.Response"/>.</param>
    /// <param name="priority">The priority the handler runs at (default <see cref="Priority.Normal"/>).</param>
    /// <param name="timeout">After this long, <see cref="HttpContext.RequestAborted"/> is cancelled (null: never).</param>
    /// <returns>These routes, to chain calls.</returns>
    /// <exception cref="ArgumentException">The path does not start with '/', or the route exists already.</exception>
    /// <exception cref="InvalidOperationException">The routes are in use by a running server.</exception>
    public HttpRoutes Map(string method, string path, Func<HttpContext, TandemTask> handler, Priority priority = Priority.Normal, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(handler);
        if (!path.StartsWith('/')) throw new ArgumentException("A route's path starts with '/'.", nameof(path));
        if (!Enum.IsDefined(priority)) throw new ArgumentOutOfRangeException(nameof(priority), priority, "A priority is Critical, High, Normal, Low or Idle.");
        if (timeout is { } t && t <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), t, "A route's timeout is more than zero.");
        if (_frozen) throw new InvalidOperationException("These routes are in use by a running server: make the routes before starting it.");
        var route = new Route(Encoding.ASCII.GetBytes(method), Encoding.UTF8.GetBytes(path), handler, priority, timeout);
        if (_routes.Any(r => r.Method.AsSpan().SequenceEqual(route.Method) && r.Path.AsSpan().SequenceEqual(route.Path)))
            throw new ArgumentException($"There is a route for {method} {path} already.", nameof(path));
        _routes.Add(route);
        return this;
    }

    /// <summary>Adds a GET route (see <see cref="Map"/>).</summary>
    public HttpRoutes MapGet(string path, Func<HttpContext, TandemTask> handler, Priority priority = Priority.Normal, TimeSpan? timeout = null) =>
        Map("GET", path, handler, priority, timeout);

    /// <summary>Adds a POST route (see <see cref="Map"/>).</summary>
    public HttpRoutes MapPost(string path, Func<HttpContext, TandemTask> handler, Priority priority = Priority.Normal, TimeSpan? timeout = null) =>
        Map("POST", path, handler, priority, timeout);

    internal void Freeze() => _frozen = true;

    /// <summary>Finds the route of a request; <paramref name="pathKnown"/> says whether any route has the path.</summary>
    internal Route? Find(ReadOnlySpan<byte> method, ReadOnlySpan<byte> path, out bool pathKnown)
    {
        pathKnown = false;
        foreach (var route in _routes)
        {
            if (!path.SequenceEqual(route.Path)) continue;
            pathKnown = true;
            if (method.SequenceEqual(route.Method)) return route;
        }
        return null;
    }
}
