namespace Tandem.Internal.Host;

/// <summary>
/// The blocking pool's monitor: a lock with wait and pulse. In the library it is <see cref="Monitor"/> on one object. In
/// the model build (<c>TANDEM_MODEL</c>) it is a lock the model checker schedules — a contender yields to the holder
/// instead of blocking outside the checker's sight — whose wait lets other threads run before it times out or is
/// pulsed, so that the checker explores the pool's thread lifecycle.
/// </summary>
internal sealed class PoolMonitor
{
#if TANDEM_MODEL
    private int _held;
    private int _waiters;
    private int _pulses; // pulses granted to waiters and not yet taken

    internal Scope Enter()
    {
        var spinner = new SpinWait();
        while (Atomic.CompareExchange(ref _held, 1, 0) != 0) Atomic.SpinOnce(ref spinner);
        return new Scope(this);
    }

    private void Exit() => Atomic.Write(ref _held, 0);

    /// <summary>Releases the lock, waits for a pulse (or, with a timeout, lets the checker decide when it elapses), and
    /// takes the lock back; true when pulsed.</summary>
    internal bool Wait(int timeoutMs)
    {
        _waiters++;
        Exit();
        if (timeoutMs < 0) Tandem.Model.ModelChecker.Block(() => Volatile.Read(ref _pulses) > 0);
        else Atomic.Racy(); // the timeout may elapse at any step: the checker runs others first, or not
        Enter();
        _waiters--;
        if (_pulses == 0) return false;
        _pulses--;
        return true;
    }

    internal void Pulse()
    {
        if (_pulses < _waiters) _pulses++;
    }

    internal void PulseAll() => _pulses = _waiters;
#else
    private readonly object _gate = new();

    /// <summary>Takes the lock until the returned scope is disposed.</summary>
    internal Scope Enter()
    {
        Monitor.Enter(_gate);
        return new Scope(this);
    }

    private void Exit() => Monitor.Exit(_gate);

    /// <summary>Releases the lock until pulsed or <paramref name="timeoutMs"/> elapsed (−1: no timeout), then takes it
    /// back (lock held); true when pulsed.</summary>
    internal bool Wait(int timeoutMs) => Monitor.Wait(_gate, timeoutMs);

    /// <summary>Wakes one waiting thread, if any (lock held).</summary>
    internal void Pulse() => Monitor.Pulse(_gate);

    /// <summary>Wakes every waiting thread (lock held).</summary>
    internal void PulseAll() => Monitor.PulseAll(_gate);
#endif

    /// <summary>Holds the lock; disposing it releases the lock.</summary>
    internal readonly ref struct Scope(PoolMonitor monitor)
    {
        public void Dispose() => monitor.Exit();
    }
}
