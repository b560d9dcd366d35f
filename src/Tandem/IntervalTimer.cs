namespace Tandem;

/// <summary>
/// Ticks at a fixed period on the running task's scheduler clock: <c>await interval.TickAsync()</c>
/// resumes at start + k × period. A tick missed because the task was late is skipped, not replayed in
/// a burst. Create it with <see cref="Async.Interval"/>; awaiting a tick allocates nothing.
/// </summary>
public sealed class IntervalTimer
{
    private readonly TimeProvider _clock;
    private readonly long _start;
    private readonly double _periodStamps;
    private readonly TimeSpan _period;
    private long _ticks;

    internal IntervalTimer(TimeProvider clock, TimeSpan period)
    {
        _clock = clock;
        _period = period;
        _start = clock.GetTimestamp();
        _periodStamps = period.Ticks * (double)clock.TimestampFrequency / TimeSpan.TicksPerSecond;
    }

    /// <summary>The period.</summary>
    public TimeSpan Period => _period;

    /// <summary>How many ticks have been handed out (skipped ticks included).</summary>
    public long Ticks => _ticks;

    /// <summary>Waits for the next tick.</summary>
    /// <returns>An awaitable that resumes at the next tick (at once when it is already due).</returns>
    public DelayAwaitable TickAsync()
    {
        long now = _clock.GetTimestamp();
        long elapsedPeriods = (long)((now - _start) / _periodStamps);
        if (elapsedPeriods > _ticks)
        {
            // The next tick is already due (the task was late): take it now and skip any others missed.
            _ticks = elapsedPeriods;
            return new DelayAwaitable(TimeSpan.Zero);
        }
        _ticks++;
        double waitStamps = _start + _ticks * _periodStamps - now;
        return new DelayAwaitable(TimeSpan.FromTicks((long)Math.Ceiling(waitStamps * TimeSpan.TicksPerSecond / _clock.TimestampFrequency)));
    }
}
