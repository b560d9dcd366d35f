namespace Tandem.Internal.Embedded;

/// <summary>
/// A schedule policy for an <see cref="EmbeddedScheduler"/> (the simulation tester, <c>Tandem.Testing</c>): when one is
/// set, it decides what the scheduler otherwise decides by arrival order — which ready task of the highest non-empty
/// priority runs next, in which order the timers due at the same instant fire, in which order wakes that came through
/// the registry are delivered — and it may stretch delays and hear wakes that came from another thread. Null by
/// default: the scheduler's paths are then unchanged but for one null check per pick.
/// </summary>
/// <remarks>Called on the thread driving the scheduler, except <see cref="OnWakeFromOtherThread"/>. The spans are the
/// scheduler's own buffers, valid during the call only.</remarks>
internal interface IScheduleChooser
{
    /// <summary>Picks which of <paramref name="ready"/> (one priority level's ready tasks, front of the queue first)
    /// is polled next.</summary>
    /// <returns>An index into <paramref name="ready"/>.</returns>
    int ChooseReady(ReadOnlySpan<EmbeddedTask> ready);

    /// <summary>Orders, in place, the timers due at <paramref name="deadline"/> (in the order they were added) before
    /// they fire.</summary>
    void OrderTimers(Span<ClaimableWait> due, long deadline);

    /// <summary>Orders, in place, the slots whose registry flags one drain found set (in slot order) before they are woken.</summary>
    void OrderWakes(Span<int> slots);

    /// <summary>The delay a timer of the scheduler is actually given for a requested <paramref name="delay"/> (jitter).</summary>
    TimeSpan AdjustDelay(TimeSpan delay);

    /// <summary>A wake for slot <paramref name="index"/> is being made from a thread that is not driving the
    /// scheduler at this moment (any thread, before the wake is recorded).</summary>
    void OnWakeFromOtherThread(int index);
}
