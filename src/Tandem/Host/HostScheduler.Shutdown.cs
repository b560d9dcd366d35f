using System.Runtime.CompilerServices;

namespace Tandem.Host;

public sealed partial class HostScheduler
{
    /// <summary>The time <see cref="Dispose"/> gives tasks and threads to finish.</summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Shuts down: refuses new spawns (they throw <see cref="ObjectDisposedException"/>), aborts every
    /// unfinished task and lets it unwind through its <c>finally</c> blocks, then stops and joins the
    /// workers, the timer thread and the blocking pool.
    /// </summary>
    /// <param name="timeout">How long to wait for tasks and threads.</param>
    /// <returns>True when every task finished and every thread exited in time.</returns>
    /// <exception cref="InvalidOperationException">Called from one of the scheduler's own workers.</exception>
    public override bool Shutdown(TimeSpan timeout)
    {
        if (IsOwnWorkerThread)
            throw new InvalidOperationException("A host scheduler cannot be shut down from one of its own workers: it would wait for itself.");
        var deadline = DateTime.UtcNow + (timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout);
        if (Interlocked.Exchange(ref _shutdownStarted, 1) != 0)
        {
            // Already shutting down (or done): report the first call's outcome, if it comes in our time.
            return _shutdownOutcome.Task.Wait(Remaining(deadline)) && _shutdownOutcome.Task.Result;
        }
        bool outcome = false;
        try
        {
            // From here on the live count only goes down: no spawn can slip in behind us.
            if (_live.Close() == 0) _allFinished.Set();
            _live.AbortAll();
            bool tasksDone = _allFinished.Wait(Remaining(deadline));

            _stopping = true;
            foreach (var worker in Workers) worker.Parker.Unpark();
            _timers.Stop(deadline);
            bool blockingDone = _blocking.Stop(deadline);
            outcome = tasksDone & WaitThreads(deadline) & blockingDone & _live.Count == 0;
            ReportUnobservedFaults();
            return outcome;
        }
        finally
        {
            StallMonitor?.Dispose();
            Metrics?.Dispose(); // a meter is registered process-wide until disposed
            _shutdownOutcome.TrySetResult(outcome);
        }
    }

    /// <summary>Shuts down with <see cref="DefaultShutdownTimeout"/>.</summary>
    public override void Dispose() => Shutdown(DefaultShutdownTimeout);

    /// <summary>The armed guards of faulted tasks nobody joined (yet), held weakly: a guard whose handles all died is
    /// finalized and reports then; the ones still alive at shutdown report there, once each, so that a fault is never
    /// left to a garbage collection that may not come.</summary>
    private readonly ConditionalWeakTable<UnobservedGuard, object?> _unobserved = new();

    internal void TrackUnobserved(UnobservedGuard guard) => _unobserved.AddOrUpdate(guard, null);

    internal void UntrackUnobserved(UnobservedGuard guard) => _unobserved.Remove(guard);

    private void ReportUnobservedFaults()
    {
        var left = new List<UnobservedGuard>();
        foreach (var (guard, _) in _unobserved) left.Add(guard);
        foreach (var guard in left)
        {
            _unobserved.Remove(guard);
            guard.Report();
        }
    }

    private bool WaitThreads(DateTime deadline)
    {
        bool all = true;
        foreach (var worker in Workers)
            if (!worker.Thread.Join(Remaining(deadline))) all = false;
        return all && !_timers.Thread.IsAlive;
    }

    private static TimeSpan Remaining(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
