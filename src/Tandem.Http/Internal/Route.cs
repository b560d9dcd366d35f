namespace Tandem.Http.Internal;

/// <summary>One route: its method and path as the bytes a request carries, its handler, priority and timeout.</summary>
internal sealed class Route(byte[] method, byte[] path, Func<HttpContext, TandemTask> handler, Priority priority, TimeSpan? timeout)
{
    public byte[] Method { get; } = method;

    public byte[] Path { get; } = path;

    public Func<HttpContext, TandemTask> Handler { get; } = handler;

    public Priority Priority { get; } = priority;

    public TimeSpan? Timeout { get; } = timeout;
}
