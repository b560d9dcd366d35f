using System.Diagnostics;

namespace Tandem.Host;

public sealed partial class HostScheduler
{
    /// <inheritdoc />
    /// <remarks>Waits on the calling thread, which must not be one of this scheduler's workers (that could
    /// deadlock the pool): from a worker it throws <see cref="InvalidOperationException"/>; inside a task, await
    /// the handle instead. <paramref name="cancellationToken"/> gives up the wait; the task runs on.</remarks>
    [StackTraceHidden]
    internal T BlockOnHandle<T>(JoinHandle<T> handle, CancellationToken cancellationToken = default)
    {
        if (IsOwnWorkerThread)
            throw new InvalidOperationException("Cannot block on the host scheduler from one of its own workers: await the handle instead.");
        cancellationToken.ThrowIfCancellationRequested();
        // Most tasks a thread blocks on are about to finish: spin briefly before paying for an event and a
        // system call to sleep and be woken.
        var spinner = new SpinWait();
        while (!handle.IsFinished && !spinner.NextSpinWillYield) spinner.SpinOnce();
        if (!handle.IsFinished)
        {
            // During a shutdown the task is being aborted and will finish: wait for it. Only once the workers
            // have stopped can nothing finish it any more; then (or if they stop while we wait) give up.
            ThrowIfStopped();
            // A withdrawable wait instead of a listener: a wait given up leaves the handle joinable by someone else. The
            // event is not disposed: a finisher that fired the wait just before it was withdrawn may still set it.
            var finished = new ManualResetEventSlim(false);
            var waiter = ClaimableWait.ForCallback(static s => ((ManualResetEventSlim)s!).Set(), finished);
            if (handle.Source.TryWaitFor(handle.Token, waiter))
            {
                try
                {
                    while (!finished.Wait(StoppedCheckInterval, cancellationToken))
                    {
                        if (!handle.IsFinished) ThrowIfStopped();
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    waiter.TryCancel(); // given up: the handle can still be awaited or joined
                    throw;
                }
            }
        }
        return handle.GetResult();
    }

    /// <summary>
    /// Runs blocking work (synchronous IO, a long computation) on the scheduler's blocking pool, so that
    /// the workers stay free for async tasks. Await the handle from a task, or block on it from outside.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">The work.</param>
    /// <returns>The handle of the work. Aborting it before it starts skips it; once started it runs to the end.</returns>
    /// <exception cref="ObjectDisposedException">The scheduler was shut down.</exception>
    public JoinHandle<T> SpawnBlocking<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ThrowIfShutdown();
        long id = NewId();
        var cell = new HostJoinCell<T>(run: null);
        Interlocked.Increment(ref _blockingJobs);
        bool queued = _blocking.TryRun(() =>
            {
                bool aborted = cell.IsAbortRequested;
                T result = default!;
                Exception? error = null;
                if (!aborted)
                {
                    try
                    {
                        result = work();
                    }
                    catch (Exception e)
                    {
                        error = e;
                    }
                }
                // Before the joiner can see the outcome, as for async tasks: then TaskCount no longer counts it.
                Interlocked.Decrement(ref _blockingJobs);
                if (error is not null) cell.Fail(error, id, aborted: false, this);
                else cell.Complete(result, id, aborted, this);
            });
        if (!queued)
        {
            Interlocked.Decrement(ref _blockingJobs); // refused (the pool stopped after our check): never queued
            throw UsedAfterShutdown();
        }
        return new JoinHandle<T>(cell, 0, id);
    }

    /// <summary>Runs blocking work that produces no value on the blocking pool.</summary>
    /// <param name="work">The work.</param>
    /// <returns>The handle of the work.</returns>
    /// <exception cref="ObjectDisposedException">The scheduler was shut down.</exception>
    public JoinHandle SpawnBlocking(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return new JoinHandle(SpawnBlocking(() =>
        {
            work();
            return default(VoidResult);
        }));
    }

    private static readonly TimeSpan StoppedCheckInterval = TimeSpan.FromMilliseconds(100);

    private void ThrowIfStopped()
    {
        if (_stopping) throw new ObjectDisposedException(nameof(HostScheduler), UsedAfterShutdown().Message + " Nothing will finish this task.");
    }
}
