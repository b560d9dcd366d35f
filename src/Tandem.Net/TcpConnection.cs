using System.Net;
using System.Net.Sockets;

namespace Tandem.Net;

/// <summary>
/// One TCP connection: a socket with receive and send calls that Tandem tasks await. Awaited inside a Tandem task, a
/// receive or send resumes on the runtime's workers at the task's priority. Steady-state receives and sends allocate
/// nothing.
/// </summary>
/// <remarks>
/// <para>Back-pressure is the caller's: nothing is read ahead of <see cref="ReceiveAsync"/>, so a handler that stops
/// reading makes the system's buffers fill and the client's sends wait.</para>
/// <para>One receive and one send may be in flight at a time (each from one task); they may overlap each other.</para>
/// </remarks>
public sealed class TcpConnection : IDisposable
{
    private static long s_nextId;
    private readonly Socket _socket;
    private readonly Internal.SocketOperation _receive = new();
    private readonly Internal.SocketOperation _send = new();
    private int _closed;

    internal TcpConnection(Socket socket, Priority priority, CancellationToken closing)
    {
        _socket = socket;
        Priority = priority;
        Closing = closing;
        Id = Interlocked.Increment(ref s_nextId);
        RemoteEndPoint = (IPEndPoint)socket.RemoteEndPoint!;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>Opens a connection to <paramref name="endPoint"/> (a client). Safe from any thread; inside a Tandem task,
    /// the connect resumes on the runtime's workers.</summary>
    /// <param name="endPoint">The server's address and port.</param>
    /// <param name="cancellationToken">Gives up the attempt.</param>
    /// <param name="priority">The priority recorded on the connection (informational for a client).</param>
    public static async ValueTask<TcpConnection> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken = default, Priority priority = Priority.Normal)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new TcpConnection(socket, priority, CancellationToken.None);
    }

    /// <summary>A number that identifies the connection within the process.</summary>
    public long Id { get; }

    /// <summary>The priority the connection's task runs at.</summary>
    public Priority Priority { get; }

    /// <summary>The client's address (the server's, for a connection made with <see cref="ConnectAsync"/>).</summary>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>This side's address.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Cancelled when the server begins a graceful stop: finish the request in hand, then return (the
    /// connection is aborted at the stop's deadline otherwise). Never cancelled for a client connection.</summary>
    public CancellationToken Closing { get; }

    /// <summary>True once <see cref="Abort"/> or <see cref="Dispose"/> closed the connection.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Receives into <paramref name="buffer"/>; 0 when the peer has finished sending.</summary>
    /// <exception cref="ObjectDisposedException">The connection was closed.</exception>
    /// <exception cref="SocketException">The connection failed (reset by the peer, aborted).</exception>
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        // A token needs the socket's own cancellable path (which allocates); without one, the reusable operation.
        return cancellationToken.CanBeCanceled ? _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)
            : _receive.Receive(_socket, buffer);
    }

    /// <summary>Sends all of <paramref name="data"/>.</summary>
    /// <exception cref="ObjectDisposedException">The connection was closed.</exception>
    /// <exception cref="SocketException">The connection failed (reset by the peer, aborted).</exception>
    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        // A stream socket's send completes only when all of the data is taken; the returned count is the whole length.
        var send = cancellationToken.CanBeCanceled ? _socket.SendAsync(data, SocketFlags.None, cancellationToken) : _send.Send(_socket, data);
        if (send.IsCompletedSuccessfully)
        {
            _ = send.Result;
            return default;
        }
        return AwaitSend(send);
    }

    private static async ValueTask AwaitSend(ValueTask<int> send) => await send.ConfigureAwait(true);

    /// <summary>Says that this side will send no more (the peer's receive returns 0); receiving goes on.</summary>
    public void ShutdownSend()
    {
        if (!IsClosed) _socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Closes the connection at once, resetting it: a receive or send in flight fails. Safe from any thread,
    /// more than once.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        try
        {
            _socket.LingerState = new LingerOption(true, 0); // a reset, not a graceful close
        }
        catch (SocketException)
        {
        }
        _socket.Dispose();
        _receive.Dispose();
        _send.Dispose();
    }

    /// <summary>Closes the connection gracefully (what was sent is delivered). Safe more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        _socket.Dispose();
        _receive.Dispose();
        _send.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"TcpConnection {Id} ({RemoteEndPoint} → {LocalEndPoint})";
}
