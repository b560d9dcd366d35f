namespace Tandem;

/// <summary>
/// A clock that moves only when told: give it to a scheduler so that timed code runs instantly
/// and deterministically in tests. <see cref="Advance"/> moves it by hand; with
/// <see cref="AutoAdvance"/>, a scheduler blocked with nothing to run jumps it to its next timer.
/// </summary>
public sealed class VirtualClock : TimeProvider
{
    private readonly DateTimeOffset _epoch;
    private long _ticks;
    private Action? _advanced;

    /// <summary>Creates a clock at zero elapsed time.</summary>
    /// <param name="epoch">The wall-clock time at zero (default: 2000-01-01 UTC).</param>
    public VirtualClock(DateTimeOffset? epoch = null) =>
        _epoch = epoch ?? new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>When true (the default), a scheduler blocked with only timers pending advances the clock to the next one.</summary>
    public bool AutoAdvance { get; set; } = true;

    /// <summary>How much virtual time has passed.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Volatile.Read(ref _ticks));

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() => Volatile.Read(ref _ticks);

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _epoch + Elapsed;

    /// <summary>Moves the clock forward; timers that come due run at the scheduler's next turn.</summary>
    /// <param name="by">How far; zero or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="by"/> is negative.</exception>
    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(by), by, "A virtual clock only moves forward.");
        Interlocked.Add(ref _ticks, by.Ticks);
        Volatile.Read(ref _advanced)?.Invoke();
    }

    /// <summary>Moves the clock to <paramref name="timestamp"/> if it is later than now.</summary>
    internal void AdvanceTo(long timestamp)
    {
        long now;
        do
        {
            now = Volatile.Read(ref _ticks);
            if (timestamp <= now) return;
        } while (Interlocked.CompareExchange(ref _ticks, timestamp, now) != now);
        Volatile.Read(ref _advanced)?.Invoke();
    }

    /// <summary>Subscribes a scheduler to hear the clock move (to unpark its loop).</summary>
    internal void Subscribe(Action onAdvanced)
    {
        Action? current, updated;
        do
        {
            current = Volatile.Read(ref _advanced);
            updated = (Action?)Delegate.Combine(current, onAdvanced);
        } while (Interlocked.CompareExchange(ref _advanced, updated, current) != current);
    }

    /// <summary>Removes a subscription.</summary>
    internal void Unsubscribe(Action onAdvanced)
    {
        Action? current, updated;
        do
        {
            current = Volatile.Read(ref _advanced);
            updated = (Action?)Delegate.Remove(current, onAdvanced);
        } while (Interlocked.CompareExchange(ref _advanced, updated, current) != current);
    }
}
