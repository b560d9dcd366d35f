using System.Diagnostics;

namespace Tandem.Internal.Host;

/// <summary>
/// Drives a scheduler's <see cref="TimerWheel"/> from one thread: it sleeps until the earliest
/// deadline (or until a timer earlier than that is added), then fires every due timer, which queues
/// the waiting tasks on the workers. One thread for all timers: no OS timer and no thread per timer.
/// </summary>
internal sealed class TimerDriver
{
    private readonly object _lock = new(); // a monitor: Wait and Pulse need one
    private readonly TimerWheel _wheel = new();
    private List<ClaimableWait> _due = [];
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private long _plannedWake = long.MaxValue;
    private bool _stopping;

    internal TimerDriver(string namePrefix)
    {
        Thread = new Thread(Loop) { IsBackground = true, Name = $"{namePrefix} timer" };
        Thread.Start();
    }

    internal Thread Thread { get; }

    /// <summary>How many entries the wheel holds (tests: withdrawn ones leave in bounded time).</summary>
    internal int Count
    {
        get
        {
            lock (_lock) return _wheel.Count;
        }
    }

    /// <summary>Fires <paramref name="resumption"/> after <paramref name="delay"/> (rounded up to the next millisecond).</summary>
    internal void Add(TimeSpan delay, ClaimableWait resumption)
    {
        // Rounded up from the exact time, so a timer never fires early: the wheel fires deadline d once the
        // whole-millisecond clock reads d, which is no sooner than the exact deadline.
        long deadline = (long)Math.Ceiling(ExactNowMs() + Math.Max(0, delay.TotalMilliseconds));
        bool added;
        lock (_lock)
        {
            added = _wheel.Add(deadline, resumption);
            if (added && deadline < _plannedWake) Monitor.Pulse(_lock);
        }
        if (!added) resumption.Fire();
    }

    internal void Stop(DateTime deadline)
    {
        lock (_lock)
        {
            _stopping = true;
            Monitor.Pulse(_lock);
        }
        var left = deadline - DateTime.UtcNow;
        Thread.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero);
    }

    private long NowMs() => (long)ExactNowMs();

    private double ExactNowMs() => Stopwatch.GetElapsedTime(_startTimestamp).TotalMilliseconds;

    private void Loop()
    {
        // Two lists swapped under the lock: the wheel fills one while the other is fired outside the lock.
        var firing = new List<ClaimableWait>();
        while (true)
        {
            lock (_lock)
            {
                while (true)
                {
                    if (_stopping) return;
                    long now = NowMs();
                    _wheel.Advance(now, _due);
                    if (_due.Count > 0) break;
                    long next = _wheel.NextExpiration();
                    _plannedWake = next;
                    if (next == long.MaxValue) Monitor.Wait(_lock);
                    else Monitor.Wait(_lock, (int)Math.Clamp(next - now, 1, int.MaxValue));
                }
                _plannedWake = long.MinValue; // firing now: an add need not wake us, we look again after
                (firing, _due) = (_due, firing);
            }
            foreach (var resumption in firing) resumption.Fire();
            firing.Clear();
        }
    }
}
