using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Tandem.Net;

/// <summary>
/// A TCP server on a Tandem runtime: its accept loop is a Tandem task at <see cref="TcpServerOptions.AcceptPriority"/>,
/// and each connection runs your handler as a Tandem task at its own priority. Start one with <see cref="Start"/>; stop
/// it with <see cref="StopAsync"/>, which stops accepting, lets connections finish until a deadline, and then aborts
/// what is left.
/// </summary>
/// <remarks>
/// <para>A handler that throws closes its connection and nothing else: the exception goes to <see cref="Faulted"/>,
/// or, when nobody handles that event, to the runtime's <see cref="Runtime.UnobservedTaskException"/>.</para>
/// <para>At <see cref="TcpServerOptions.MaxConnections"/> the accept loop waits for a connection to end before it
/// accepts the next client; clients wait in the system's backlog meanwhile.</para>
/// <para>An abort of a connection's task (a stop's deadline, a shutdown of the runtime) resets its socket, so that a
/// receive or send in flight fails and the handler unwinds; a shutdown of the runtime likewise ends the accept loop,
/// which closes the listening socket. <see cref="StopAsync"/> is the graceful way.</para>
/// </remarks>
public sealed class TcpServer : IAsyncDisposable
{
    private readonly Runtime _runtime;
    private readonly Func<TcpConnection, TandemTask> _handler;
    private readonly Socket _listener;
    private readonly Priority _connectionPriority;
    private readonly Func<IPEndPoint, Priority>? _selectPriority;
    private readonly bool _noDelay;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly ConcurrentDictionary<long, Connection> _connections = new();
    private readonly TaskCompletionSource _acceptLoopEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;
    private long _accepted;
    private int _stopping;
    private int _aborting;
    private Task<bool>? _stop;

    private TcpServer(Runtime runtime, Func<TcpConnection, TandemTask> handler, TcpServerOptions options, Socket listener)
    {
        _runtime = runtime;
        _handler = handler;
        _listener = listener;
        _connectionPriority = options.ConnectionPriority;
        _selectPriority = options.SelectPriority;
        _noDelay = options.NoDelay;
        _slots = new SemaphoreSlim(options.MaxConnections, options.MaxConnections);
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
    }

    /// <summary>
    /// Listens on <see cref="TcpServerOptions.EndPoint"/> and starts the accept loop on <paramref name="runtime"/>; each
    /// accepted connection runs <paramref name="handler"/> as a task, and is closed when the handler returns.
    /// </summary>
    /// <param name="runtime">The runtime whose tasks run the accept loop and the connections.</param>
    /// <param name="handler">Serves one connection.</param>
    /// <param name="options">Address, limits and priorities (default: loopback, a free port).</param>
    /// <exception cref="SocketException">The address could not be bound (in use, not available).</exception>
    /// <exception cref="ObjectDisposedException">The runtime was shut down.</exception>
    public static TcpServer Start(Runtime runtime, Func<TcpConnection, TandemTask> handler, TcpServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(handler);
        options ??= new TcpServerOptions();
        options.Validate();
        var listener = new Socket(options.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (options.EndPoint.AddressFamily == AddressFamily.InterNetworkV6) listener.DualMode = options.EndPoint.Address.Equals(IPAddress.IPv6Any);
            listener.Bind(options.EndPoint);
            listener.Listen(options.Backlog);
            var server = new TcpServer(runtime, handler, options, listener);
            runtime.Spawn(options.AcceptPriority, server, static s => s.AcceptLoop()).Detach();
            return server;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>The address and port the server listens on (the port the system picked, when 0 was asked).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Connections being served now.</summary>
    public int ConnectionCount => Volatile.Read(ref _count);

    /// <summary>Connections accepted since the start.</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);

    /// <summary>A handler threw (its connection is closed), or an accept failed. Raised on the thread that saw it.</summary>
    public event EventHandler<TcpServerFaultEventArgs>? Faulted;

    private async TandemTask AcceptLoop()
    {
        Async.NameTask($"tcp accept {LocalEndPoint}"); // for task snapshots
        // An abort of this task (a runtime shutdown) must end a pending accept, which is not a Tandem await.
        using var stopOrAbort = CancellationTokenSource.CreateLinkedTokenSource(_stopAccepting.Token, Async.AbortToken);
        var stop = stopOrAbort.Token;
        try
        {
            while (true)
            {
                try
                {
                    await _slots.WaitAsync(stop); // completes at once below the connection limit
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                Socket socket;
                try
                {
                    socket = await _listener.AcceptAsync(stop);
                }
                catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    _slots.Release();
                    return;
                }
                catch (SocketException e)
                {
                    // A client that reset before it was accepted, or the process out of descriptors: report, breathe, go on.
                    _slots.Release();
                    if (!Report(e, null)) throw;
                    await Async.Delay(TimeSpan.FromMilliseconds(10));
                    continue;
                }
                StartConnection(socket);
            }
        }
        finally
        {
            _listener.Dispose();
            _acceptLoopEnded.TrySetResult();
        }
    }

    private void StartConnection(Socket socket)
    {
        TcpConnection connection;
        try
        {
            socket.NoDelay = _noDelay;
            var remote = (IPEndPoint)socket.RemoteEndPoint!;
            connection = new TcpConnection(socket, _selectPriority?.Invoke(remote) ?? _connectionPriority, _closing.Token);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            socket.Dispose(); // the client left between the accept and now
            _slots.Release();
            return;
        }
        var entry = new Connection(connection);
        Interlocked.Increment(ref _count);
        Interlocked.Increment(ref _accepted);
        _connections[connection.Id] = entry;
        if (_runtime.TrySpawn(connection.Priority, () => RunConnection(entry), out var handle))
        {
            handle.Detach();
            entry.SetTask(handle);
            if (Volatile.Read(ref _aborting) != 0) handle.Abort(); // a stop's abort ran between our spawn and here
            return;
        }
        // The runtime is at its task capacity: refuse this client, keep serving the others.
        connection.Abort();
        Ended(entry);
        Report(new CapacityExceededException("The runtime is at its task capacity: a connection was refused."), connection);
    }

    private async TandemTask RunConnection(Connection entry)
    {
        var connection = entry.Socket;
        Async.NameTask($"tcp connection {connection.RemoteEndPoint}"); // for task snapshots: one string per connection
        // An abort of this task (a stop's deadline, a runtime shutdown) resets the socket, so that a receive or send in
        // flight — not a Tandem await — fails and the handler unwinds.
        using var abort = Async.AbortToken.Register(static c => ((TcpConnection)c!).Abort(), connection);
        try
        {
            await _handler(connection);
        }
        catch (Exception e) when (e is not TaskAbortedException && !Async.IsAbortRequested && !IsStopAbort(connection) && Report(e, connection))
        {
            // reported to Faulted; an exception nobody handles leaves the task, which the runtime reports
        }
        finally
        {
            connection.Dispose();
            Ended(entry);
        }
    }

    /// <summary>An error that is only the stop's abort of the connection reaching its handler.</summary>
    private bool IsStopAbort(TcpConnection connection) => Volatile.Read(ref _aborting) != 0 && connection.IsClosed;

    private void Ended(Connection entry)
    {
        _connections.TryRemove(entry.Socket.Id, out _);
        _slots.Release();
        if (Interlocked.Decrement(ref _count) == 0 && Volatile.Read(ref _stopping) != 0) _drained.TrySetResult();
    }

    /// <summary>Raises <see cref="Faulted"/>; false when nobody handles it (the caller lets the exception go on).</summary>
    private bool Report(Exception exception, TcpConnection? connection)
    {
        var handlers = Faulted;
        if (handlers is null) return false;
        handlers(this, new TcpServerFaultEventArgs(exception, connection));
        return true;
    }

    /// <summary>
    /// Stops the server: closes the listening socket (new clients are refused), cancels every connection's
    /// <see cref="TcpConnection.Closing"/>, waits up to <paramref name="drainTimeout"/> for the connections to end, and
    /// then aborts those left (their sockets reset, their tasks aborted) and waits for them to unwind. A second call
    /// returns the first one's result.
    /// </summary>
    /// <param name="drainTimeout">How long connections may take to finish (zero or more).</param>
    /// <returns>True when every connection ended within <paramref name="drainTimeout"/>; false when some were aborted.</returns>
    public Task<bool> StopAsync(TimeSpan drainTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(drainTimeout, TimeSpan.Zero);
        if (Interlocked.Exchange(ref _stopping, 1) != 0) return Volatile.Read(ref _stop) ?? WaitForStop();
        var stop = StopCore(drainTimeout);
        Volatile.Write(ref _stop, stop);
        return stop;
    }

    private async Task<bool> WaitForStop()
    {
        var spinner = new SpinWait();
        while (Volatile.Read(ref _stop) is null) spinner.SpinOnce(); // the first call is between its two statements
        return await _stop!.ConfigureAwait(false);
    }

    private async Task<bool> StopCore(TimeSpan drainTimeout)
    {
        _stopAccepting.Cancel();
        _closing.Cancel();
        // New connections are spawned only by the accept loop: once it ended, the count only falls.
        await _acceptLoopEnded.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        if (Volatile.Read(ref _count) == 0) _drained.TrySetResult();
        if (await Finished(drainTimeout).ConfigureAwait(false)) return true;
        Volatile.Write(ref _aborting, 1);
        foreach (var entry in _connections.Values)
        {
            entry.Socket.Abort();
            entry.AbortTask();
        }
        await Finished(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return false;
    }

    private async Task<bool> Finished(TimeSpan timeout)
    {
        if (_drained.Task.IsCompleted) return true;
        try
        {
            await _drained.Task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Stops the server with a five-second drain (see <see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);

    /// <summary>A connection and its task (set once spawned, by the accept loop; aborted by a stop, on another thread:
    /// the handle is a struct of several words, so both go through the entry's lock).</summary>
    private sealed class Connection(TcpConnection socket)
    {
        private JoinHandle _task;
        private bool _hasTask;

        public TcpConnection Socket { get; } = socket;

        public void SetTask(JoinHandle task)
        {
            lock (this)
            {
                _task = task;
                _hasTask = true;
            }
        }

        public void AbortTask()
        {
            JoinHandle task;
            lock (this)
            {
                if (!_hasTask) return;
                task = _task;
            }
            task.Abort();
        }
    }
}
