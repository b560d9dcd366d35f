using System.Runtime.CompilerServices;

namespace Tandem.Internal.Host;

/// <summary>
/// Reports the exception of a faulted host task that nobody joined, once its join cell is garbage:
/// a finalizable guard is attached to the cell (only on this failure path, so spawns stay cheap), and
/// the guard's finalizer raises the scheduler's event unless a join disarmed it first.
/// </summary>
internal sealed class UnobservedGuard
{
    private static readonly ConditionalWeakTable<object, UnobservedGuard> s_guards = new();

    private readonly HostScheduler _scheduler;
    private readonly long _id;
    private readonly Exception _exception;
    private int _disarmed;

    private UnobservedGuard(HostScheduler scheduler, long id, Exception exception)
    {
        _scheduler = scheduler;
        _id = id;
        _exception = exception;
    }

    ~UnobservedGuard() => Report();

    /// <summary>Raises the scheduler's unobserved-exception event, unless the guard was disarmed or already reported:
    /// exactly once, whoever comes first (the finalizer, or the scheduler's shutdown).</summary>
    internal void Report()
    {
        if (Interlocked.Exchange(ref _disarmed, 1) == 0) _scheduler.RaiseUnobserved(_id, _exception);
    }

    internal static void Arm(object cell, HostScheduler scheduler, long id, Exception exception)
    {
        var guard = new UnobservedGuard(scheduler, id, exception);
        s_guards.AddOrUpdate(cell, guard);
        scheduler.TrackUnobserved(guard);
    }

    internal static void Disarm(object cell)
    {
        if (s_guards.TryGetValue(cell, out var guard))
        {
            Interlocked.Exchange(ref guard._disarmed, 1);
            s_guards.Remove(cell);
            guard._scheduler.UntrackUnobserved(guard);
        }
    }
}
