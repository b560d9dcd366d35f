namespace Tandem.Net;

/// <summary>A connection's handler, or the accept loop, failed: what <see cref="TcpServer.Faulted"/> reports.</summary>
public sealed class TcpServerFaultEventArgs(Exception exception, TcpConnection? connection) : EventArgs
{
    /// <summary>What was thrown.</summary>
    public Exception Exception { get; } = exception;

    /// <summary>The connection whose handler threw (closed by now), or null for an accept that failed.</summary>
    public TcpConnection? Connection { get; } = connection;
}
