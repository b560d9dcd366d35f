namespace Tandem.Testing;

/// <summary>
/// The simulation's virtual time, as a <see cref="TimeProvider"/>: the simulated runtime's own clock
/// (<see cref="Runtime.Clock"/>), and the provider to hand to code written against <see cref="TimeProvider"/> —
/// <c>Task.Delay(delay, sim.Clock)</c>, <c>new PeriodicTimer(period, sim.Clock)</c>,
/// <c>new CancellationTokenSource(delay, sim.Clock)</c> — so that it runs on virtual time inside the simulation.
/// </summary>
/// <remarks>Time moves only when nothing in the simulation can run: then it jumps to the earliest timer (of the
/// runtime or of this provider). Its timers fire on the simulation's thread, between polls, the ones due at the same
/// instant in an order the seed chooses.</remarks>
public sealed class SimulationClock : TimeProvider
{
    private readonly DateTimeOffset _epoch;
    private readonly List<SimTimer> _timers = [];
    private readonly Lock _lock = new();
    private long _ticks;
    private long _sequence;

    internal SimulationClock(DateTimeOffset epoch) => _epoch = epoch;

    /// <summary>How much virtual time has passed since the run started.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Volatile.Read(ref _ticks));

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() => Volatile.Read(ref _ticks);

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _epoch + Elapsed;

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Creates a timer on virtual time: its callback runs on the simulation's thread when the simulation
    /// reaches its due time.</summary>
    /// <param name="callback">What the timer calls.</param>
    /// <param name="state">Passed to <paramref name="callback"/>.</param>
    /// <param name="dueTime">When it first fires; <see cref="Timeout.InfiniteTimeSpan"/> for never.</param>
    /// <param name="period">Then how often; <see cref="Timeout.InfiniteTimeSpan"/> or zero for once.</param>
    /// <returns>The timer.</returns>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new SimTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    internal void AdvanceTo(long ticks)
    {
        if (ticks > Volatile.Read(ref _ticks)) Volatile.Write(ref _ticks, ticks);
    }

    /// <summary>The due time of the earliest timer, or <see cref="long.MaxValue"/>.</summary>
    internal long NextDue
    {
        get
        {
            lock (_lock)
            {
                long next = long.MaxValue;
                foreach (var t in _timers) next = Math.Min(next, t.Due);
                return next;
            }
        }
    }

    /// <summary>Takes the timers due at exactly <paramref name="due"/>, in the order they were set.</summary>
    internal List<SimTimer> TakeDueAt(long due)
    {
        var taken = new List<SimTimer>();
        lock (_lock)
        {
            foreach (var t in _timers) if (t.Due == due) taken.Add(t);
            _timers.RemoveAll(t => t.Due == due);
        }
        taken.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        return taken;
    }

    private void Schedule(SimTimer timer, long due)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
            if (due == long.MaxValue) return;
            timer.Due = due;
            timer.Sequence = _sequence++;
            _timers.Add(timer);
        }
    }

    internal sealed class SimTimer(SimulationClock clock, TimerCallback callback, object? state) : ITimer
    {
        internal long Due;
        internal long Sequence;
        private long _period = -1;
        private bool _disposed;

        /// <summary>A stable number for the trace: the order the timer was first set in.</summary>
        internal long Id { get; } = Interlocked.Increment(ref clock._created);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime < TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
                throw new ArgumentOutOfRangeException(nameof(dueTime));
            if (period < TimeSpan.Zero && period != Timeout.InfiniteTimeSpan)
                throw new ArgumentOutOfRangeException(nameof(period));
            if (_disposed) return false;
            _period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? -1 : period.Ticks;
            clock.Schedule(this, dueTime == Timeout.InfiniteTimeSpan ? long.MaxValue : clock.GetTimestamp() + dueTime.Ticks);
            return true;
        }

        /// <summary>Runs the callback (simulation thread) and sets the next period.</summary>
        internal void Fire()
        {
            if (_disposed) return;
            if (_period > 0) clock.Schedule(this, Due + _period);
            callback(state);
        }

        public void Dispose()
        {
            _disposed = true;
            clock.Schedule(this, long.MaxValue);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private long _created;
}
