namespace Tandem.Embedded;

/// <summary>
/// The signal-only view of an embedded scheduler's wake flags (<see cref="EmbeddedScheduler.Wakers"/>): any thread —
/// an interrupt-like callback, a device driver's thread — may signal the slot index of a task to wake it, without
/// holding its <see cref="Waker"/>. It cannot check, clear or reset the flags: those belong to the scheduler's loop,
/// and clearing one between a signal and the loop's next drain would lose that wake. (A <see cref="WakerRegistry"/>
/// you create yourself offers all four, for the polling style of wake-up.)
/// </summary>
/// <param name="registry">The scheduler's registry.</param>
public readonly record struct WakeSignals(WakerRegistry registry)
{
    private readonly WakerRegistry _registry = registry;

    /// <summary>How many indices there are: the scheduler's capacity.</summary>
    public int Capacity => _registry.Capacity;

    /// <summary>Wakes the task in slot <paramref name="index"/> (whichever task occupies it when the loop drains the
    /// flag; a free slot ignores it). Lock-free, allocation-free, safe from any thread.</summary>
    /// <param name="index">0 to <see cref="Capacity"/> − 1 (a task's <see cref="Waker.RegistryIndex"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public void Signal(int index) => _registry.Signal(index);

    /// <summary>Like <see cref="Signal"/>, but returns false for an index out of range instead of throwing.</summary>
    /// <param name="index">A slot index.</param>
    /// <returns>False when <paramref name="index"/> is out of range.</returns>
    public bool TrySignal(int index) => _registry.TrySignal(index);
}
