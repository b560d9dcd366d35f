namespace Tandem.Host;

public sealed partial class HostScheduler
{
    /// <inheritdoc />
    /// <remarks>On the host tier a spawn never fails for capacity: this returns true, or throws
    /// <see cref="ObjectDisposedException"/> after shutdown. It allocates the task's 64-byte join cell
    /// (for a result of up to 4 bytes); everything else is pooled.</remarks>
    internal bool TrySpawnAsync<TState, T>(Priority priority, TState state, Func<TState, TandemTask<T>> method, CancellationToken cancellationToken, out JoinHandle<T> handle)
    {
        ArgumentNullException.ThrowIfNull(method);
        var worker = PrepareSpawn(priority);
        var cell = HostAsyncTask<TState, T>.Start(this, NewId(worker), priority, SpawningThread(worker), state, method, out var task);
        handle = Launch(cell, task, cancellationToken, worker);
        return true;
    }

    /// <inheritdoc />
    internal bool TrySpawnFuture<T>(Priority priority, IFuture<T> future, CancellationToken cancellationToken, out JoinHandle<T> handle)
    {
        ArgumentNullException.ThrowIfNull(future);
        var worker = PrepareSpawn(priority);
        var cell = HostPollTask<IFuture<T>, T>.Start(this, NewId(worker), priority, SpawningThread(worker), future, static (f, cx) => f.Poll(cx), disposeState: true, out var task);
        handle = Launch(cell, task, cancellationToken, worker);
        return true;
    }

    /// <inheritdoc />
    internal bool TrySchedulePollFn<TState, T>(Priority priority, TState state, Func<TState, PollContext, Poll<T>> pollFn, out JoinHandle<T> handle)
    {
        ArgumentNullException.ThrowIfNull(pollFn);
        var worker = PrepareSpawn(priority);
        var cell = HostPollTask<TState, T>.Start(this, NewId(worker), priority, SpawningThread(worker), state, pollFn, disposeState: false, out var task);
        handle = Launch(cell, task, default, worker);
        return true;
    }

    /// <summary>Checks a spawn is allowed, and returns this scheduler's worker when called on one (null elsewhere).</summary>
    private Worker? PrepareSpawn(Priority priority)
    {
        ThrowIfShutdown();
        Priorities.Validate(priority, nameof(priority));
        // One thread-local read for the whole spawn: the worker's id block, live-list shard and local queue.
        var worker = Worker.Current;
        return worker is not null && worker.Scheduler == this ? worker : null;
    }

    /// <summary>The spawning worker's thread when its fields are reachable, so that the new task reads its spawner's
    /// execution context without a thread-local lookup (see <see cref="TaskCore.ResetCore"/>); else null.</summary>
    private static Thread? SpawningThread(Worker? worker) => ThreadAmbient.Available ? worker?.Thread : null;
}
