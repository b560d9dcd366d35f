using System.Diagnostics;

namespace Tandem;

// Shutting down.
public abstract partial class Runtime
{
    /// <summary>
    /// Shuts down: refuses new spawns (<see cref="ObjectDisposedException"/>), aborts the unfinished tasks
    /// and lets them unwind through their <c>finally</c> blocks, and releases the runtime's threads.
    /// </summary>
    /// <param name="timeout">How long to wait for tasks (and, on the host tier, threads). The embedded tier unwinds its tasks on the calling thread, waiting up to this long for those that await something foreign while they unwind.</param>
    /// <returns>True when every task finished (and every thread exited) in time.</returns>
    /// <exception cref="InvalidOperationException">Called from inside the runtime's own tasks or workers.</exception>
    public abstract bool Shutdown(TimeSpan timeout);

    /// <summary>Shuts down (see <see cref="Shutdown"/>) without blocking the caller.</summary>
    /// <param name="timeout">How long to wait for tasks and threads.</param>
    /// <returns>True when every task finished in time.</returns>
    /// <exception cref="InvalidOperationException">Called from inside the runtime's own tasks or workers.</exception>
    public Task<bool> ShutdownAsync(TimeSpan timeout) => ShutdownAsync(timeout, CancellationToken.None);

    /// <summary>Shuts down (see <see cref="Shutdown"/>) without blocking the caller; <paramref name="cancellationToken"/>
    /// stops the waiting, not the shutdown.</summary>
    /// <param name="timeout">How long to wait for tasks and threads.</param>
    /// <param name="cancellationToken">When cancelled, the returned task ends as cancelled at once (as the .NET generic
    /// host's <c>StopAsync</c> token asks); the shutdown goes on in the background: new spawns are refused and the tasks
    /// still unwind.</param>
    /// <returns>True when every task finished in time.</returns>
    /// <exception cref="InvalidOperationException">Called from inside the runtime's own tasks or workers.</exception>
    public Task<bool> ShutdownAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (TaskCore.Current?.Timers == this as ITaskTimers)
            throw new InvalidOperationException("A runtime cannot be shut down from inside one of its own tasks: it would wait for itself.");
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(Shutdown(timeout));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }) { IsBackground = true, Name = "Tandem shutdown" };
        thread.Start();
        return cancellationToken.CanBeCanceled ? done.Task.WaitAsync(cancellationToken) : done.Task;
    }
}
