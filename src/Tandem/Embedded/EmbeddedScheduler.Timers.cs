namespace Tandem.Embedded;

// The scheduler's timers: a heap on its clock, fired at the start of each pick.
public sealed partial class EmbeddedScheduler
{
    TimeProvider ITaskTimers.Clock => _clock;

    void ITaskTimers.AddTimer(TimeSpan delay, ClaimableWait resumption)
    {
        if (_chooser is { } chooser) delay = chooser.AdjustDelay(delay);
        long deadline = _clock.GetTimestamp() + ToTimestamps(delay);
        _timers.Add(deadline, resumption);
    }

    /// <summary>
    /// Fires the due timers of the earliest deadline only — or, while they make nothing ready, of the next due deadline
    /// too: the tasks they wake run before the timers of a later deadline fire, so a clock advanced past several
    /// deadlines at once still resumes tasks in deadline order. Each pick fires one deadline that wakes something, so
    /// due timers never starve behind ready tasks.
    /// </summary>
    private void FireDueTimers()
    {
        // A deadline whose timers wake nothing (waits claimed by an abort, a finished timeout's timer) must not end the
        // loop while later ones are due: then the next deadline fires too.
        do
        {
            long deadline = _timers.NextDeadline;
            if (deadline > _clock.GetTimestamp()) return;
            if (_chooser is { } chooser) FireChosenTimers(chooser, deadline);
            else while (_timers.TryTakeAt(deadline, out var resumption)) resumption.Fire();
        }
        while (_readyLevels == 0 && _timers.Count > 0);
    }

    /// <summary>How many timer entries the scheduler holds (tests: withdrawn ones leave in bounded time).</summary>
    internal int TimerEntries => _timers.Count;

    private bool HasDueTimer() => _timers.Count > 0 && _timers.NextDeadline <= _clock.GetTimestamp();

    private long ToTimestamps(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero) return 0;
        double stamps = delay.Ticks * _timestampsPerTick;
        return stamps >= long.MaxValue / 4 ? long.MaxValue / 4 : (long)Math.Ceiling(stamps);
    }
}
