namespace Tandem.Internal.Tasks;

/// <summary>What a scheduler offers the awaitables of its tasks: its clock and timers.</summary>
internal interface ITaskTimers
{
    /// <summary>The scheduler's clock.</summary>
    TimeProvider Clock { get; }

    /// <summary>Arranges for <paramref name="resumption"/> to fire after <paramref name="delay"/> of the scheduler's clock.</summary>
    void AddTimer(TimeSpan delay, ClaimableWait resumption);
}
