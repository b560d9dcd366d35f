using System.Globalization;

namespace Tandem.Testing;

/// <summary>
/// In-memory connections for a simulation, in place of sockets: <see cref="Listen"/> an address, <see cref="ConnectAsync"/>
/// to it, and read and write the two ends as <see cref="Stream"/>s. Each write reaches the peer after a latency the seed
/// picks between <see cref="MinLatency"/> and <see cref="MaxLatency"/> — in order within a connection, as TCP delivers,
/// but in any order across connections — and with <see cref="DropProbability"/> a write drops its connection instead:
/// both ends then fail with <see cref="IOException"/>. Everything happens on virtual time and is written to the trace.
/// </summary>
public sealed class SimulatedNetwork
{
    private readonly Simulation _sim;
    private readonly Dictionary<string, SimulatedListener> _listeners = new(StringComparer.Ordinal);
    private int _connections;

    internal SimulatedNetwork(Simulation sim) => _sim = sim;

    /// <summary>The shortest time a write takes to reach the peer; default 1 ms.</summary>
    public TimeSpan MinLatency { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>The longest time a write takes to reach the peer; default 5 ms.</summary>
    public TimeSpan MaxLatency { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The chance that a write drops its connection (both ends fail) instead of being delivered; default 0.</summary>
    public double DropProbability { get; set; }

    /// <summary>Reads and accepts waiting now (the simulation's own waits, for its deadlock report).</summary>
    internal int PendingWaits;

    /// <summary>How many connections were made.</summary>
    public int ConnectionCount => _connections;

    /// <summary>Starts accepting connections to <paramref name="address"/>.</summary>
    /// <param name="address">Any name, such as <c>"db:5432"</c>.</param>
    /// <returns>The listener; dispose it to stop listening.</returns>
    /// <exception cref="InvalidOperationException">Something already listens there.</exception>
    public SimulatedListener Listen(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_listeners.ContainsKey(address)) throw new InvalidOperationException($"Something already listens on {address}.");
        var listener = new SimulatedListener(this, address);
        _listeners.Add(address, listener);
        return listener;
    }

    /// <summary>Connects to a listener, after one latency.</summary>
    /// <param name="address">Where a listener listens.</param>
    /// <returns>The client's end of the connection.</returns>
    /// <exception cref="IOException">Nothing listens there (connection refused).</exception>
    public async TandemTask<Stream> ConnectAsync(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        await Async.Delay(PickLatency());
        if (!_listeners.TryGetValue(address, out var listener))
        {
            _sim.Log($"net: connect to {address} refused");
            throw new IOException($"Connection refused: nothing listens on {address} (simulated).");
        }
        int id = ++_connections;
        var a = new SimulatedStream(this, $"c{id}", "client");
        var b = new SimulatedStream(this, $"c{id}", "server");
        a.Peer = b;
        b.Peer = a;
        _sim.Log($"net: c{id} connected to {address}");
        listener.Enqueue(b);
        return a;
    }

    internal void Unlisten(string address) => _listeners.Remove(address);

    internal Simulation Simulation => _sim;

    internal TimeSpan PickLatency()
    {
        var min = MinLatency < TimeSpan.Zero ? TimeSpan.Zero : MinLatency;
        var max = MaxLatency < min ? min : MaxLatency;
        return min + TimeSpan.FromTicks(_sim.Chooser.NextInclusive((max - min).Ticks));
    }

    internal bool PickDrop() => DropProbability > 0 && _sim.Chooser.NextDouble() < DropProbability;

    internal static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + " ms";
}

/// <summary>Accepts the connections made to one address of a <see cref="SimulatedNetwork"/>.</summary>
public sealed class SimulatedListener : IDisposable
{
    private readonly SimulatedNetwork _network;
    private readonly Queue<SimulatedStream> _pending = new();
    private readonly Queue<TaskCompletionSource<Stream>> _accepting = new();
    private bool _disposed;

    internal SimulatedListener(SimulatedNetwork network, string address)
    {
        _network = network;
        Address = address;
    }

    /// <summary>The address it listens on.</summary>
    public string Address { get; }

    /// <summary>Waits for the next connection.</summary>
    /// <returns>The server's end of it.</returns>
    /// <exception cref="ObjectDisposedException">The listener was disposed.</exception>
    public async TandemTask<Stream> AcceptAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pending.TryDequeue(out var ready)) return ready;
        var waiting = new TaskCompletionSource<Stream>(TaskCreationOptions.RunContinuationsAsynchronously);
        _accepting.Enqueue(waiting);
        _network.PendingWaits++;
        try { return await waiting.Task; }
        finally { _network.PendingWaits--; }
    }

    internal void Enqueue(SimulatedStream server)
    {
        if (_accepting.TryDequeue(out var waiting)) waiting.SetResult(server);
        else _pending.Enqueue(server);
    }

    /// <summary>Stops listening: later connects are refused, waiting accepts fail.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _network.Unlisten(Address);
        while (_accepting.TryDequeue(out var waiting)) waiting.TrySetException(new ObjectDisposedException(nameof(SimulatedListener)));
    }
}

/// <summary>One end of a simulated connection. Reads wait (on virtual time) for what the peer wrote; use the async
/// members — a synchronous read or write that would have to wait throws, since it would block the simulation.</summary>
internal sealed class SimulatedStream(SimulatedNetwork network, string connection, string side) : Stream
{
    private readonly Queue<byte[]> _arrived = new();
    private int _offset; // into the first arrived segment
    private TaskCompletionSource<bool>? _reader;
    private bool _peerClosed;
    private bool _closed;
    private bool _reset;
    private long _lastDelivery;

    internal SimulatedStream? Peer;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_reset) throw Reset();
            if (_arrived.Count > 0) return Take(buffer.Span);
            if (_peerClosed || _closed) return 0;
            cancellationToken.ThrowIfCancellationRequested();
            var reader = _reader = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            network.PendingWaits++;
            try
            {
                using (cancellationToken.Register(static r => ((TaskCompletionSource<bool>)r!).TrySetCanceled(), reader))
                    await reader.Task;
            }
            finally
            {
                network.PendingWaits--;
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_reset) throw Reset();
        if (_arrived.Count > 0) return Take(buffer.AsSpan(offset, count));
        if (_peerClosed || _closed) return 0;
        throw new InvalidOperationException("A synchronous read that would wait blocks the simulation: use ReadAsync.");
    }

    private int Take(Span<byte> into)
    {
        int n = 0;
        while (n < into.Length && _arrived.TryPeek(out var segment))
        {
            int k = Math.Min(into.Length - n, segment.Length - _offset);
            segment.AsSpan(_offset, k).CopyTo(into[n..]);
            n += k;
            _offset += k;
            if (_offset == segment.Length)
            {
                _arrived.Dequeue();
                _offset = 0;
            }
        }
        return n;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Send(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Send(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Write(byte[] buffer, int offset, int count) => Send(buffer.AsSpan(offset, count));

    private void Send(ReadOnlySpan<byte> data)
    {
        if (_reset) throw Reset();
        ObjectDisposedException.ThrowIf(_closed, this);
        if (data.IsEmpty) return;
        var peer = Peer!;
        var sim = network.Simulation;
        if (network.PickDrop())
        {
            sim.Log($"net: {connection} dropped as the {side} wrote {data.Length} bytes");
            ResetBoth();
            throw Reset();
        }
        // In order within the connection: never before what this side sent earlier.
        long now = sim.Clock.GetTimestamp();
        long at = Math.Max(now + network.PickLatency().Ticks, _lastDelivery + 1); // a tick after the last: the same instant would be shuffled
        _lastDelivery = at;
        byte[] segment = data.ToArray();
        sim.Log($"net: {connection} {side} sends {segment.Length} bytes, arriving in {SimulatedNetwork.Ms(TimeSpan.FromTicks(at - now))}");
        ScheduleAt(at, () => peer.Arrive(segment));
    }

    private void ScheduleAt(long at, Action action)
    {
        var clock = network.Simulation.Clock;
        ITimer? timer = null;
        timer = clock.CreateTimer(_ =>
        {
            timer?.Dispose();
            action();
        }, null, TimeSpan.FromTicks(Math.Max(0, at - clock.GetTimestamp())), Timeout.InfiniteTimeSpan);
    }

    private void Arrive(byte[] segment)
    {
        if (_reset || _closed) return;
        _arrived.Enqueue(segment);
        WakeReader();
    }

    private void PeerClosed()
    {
        _peerClosed = true;
        WakeReader();
    }

    private void WakeReader()
    {
        var reader = _reader;
        _reader = null;
        reader?.TrySetResult(true);
    }

    private void ResetBoth()
    {
        foreach (var end in new[] { this, Peer! })
        {
            end._reset = true;
            end.WakeReader();
        }
    }

    private IOException Reset() => new($"Connection {connection} was reset (a simulated drop).");

    public override void Flush() { }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            WakeReader();
            if (!_reset && Peer is { } peer)
            {
                // The close travels like data: after what this side sent.
                long now = network.Simulation.Clock.GetTimestamp();
                long at = Math.Max(now + network.PickLatency().Ticks, _lastDelivery + 1); // a tick after the last: the same instant would be shuffled
                _lastDelivery = at;
                ScheduleAt(at, peer.PeerClosed);
            }
        }
        base.Dispose(disposing);
    }
}
