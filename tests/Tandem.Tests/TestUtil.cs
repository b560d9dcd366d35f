namespace Tandem.Tests;

/// <summary>Shared helpers: bounded waits and a scope without a synchronization context.</summary>
internal static class TestUtil
{
    /// <summary>Generous bound for anything that should finish promptly; only hit when something is broken.</summary>
    internal static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>Runs <paramref name="body"/> on a dedicated background thread and fails if it does not end within <see cref="Bound"/>.</summary>
    internal static void RunOnThread(Action body, TimeSpan? timeout = null) => Bounded.Run(body, timeout ?? Bound);

    /// <summary>Starts a dedicated background thread; join it with <see cref="JoinOrFail"/>.</summary>
    internal static Thread StartThread(Action body, Action<Exception> onError)
    {
        var t = new Thread(() =>
        {
            try { body(); }
            catch (Exception e) { onError(e); }
        }) { IsBackground = true };
        t.Start();
        return t;
    }

    internal static void JoinOrFail(Thread t) =>
        Assert.True(t.Join(Bound), "the thread did not finish in time (lost wake-up or hang)");

    /// <summary>Spins (bounded) until <paramref name="t"/> is blocked in a wait: the scheduler has parked.</summary>
    internal static void WaitUntilBlocked(Thread t) =>
        Assert.True(SpinWait.SpinUntil(() => (t.ThreadState & ThreadState.WaitSleepJoin) != 0, Bound),
            "the thread never blocked");

    /// <summary>Removes the ambient synchronization context (the test runner's) for the scope.</summary>
    internal static NoContextScope NoSyncContext() => new(SynchronizationContext.Current);

    internal readonly struct NoContextScope : IDisposable
    {
        private readonly SynchronizationContext? _previous;

        internal NoContextScope(SynchronizationContext? previous)
        {
            _previous = previous;
            SynchronizationContext.SetSynchronizationContext(null);
        }

        public void Dispose() => SynchronizationContext.SetSynchronizationContext(_previous);
    }
}
