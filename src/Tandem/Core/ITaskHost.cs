namespace Tandem.Core;

/// <summary>What a scheduler offers the awaitables of its tasks: its clock and timers.</summary>
internal interface ITaskHost
{
    /// <summary>The scheduler's clock.</summary>
    TimeProvider Clock { get; }

    /// <summary>Arranges for <paramref name="resumption"/> to fire after <paramref name="delay"/> of the scheduler's clock.</summary>
    void AddTimer(TimeSpan delay, Resumption resumption);
}
