using Tandem.Internal.Bridges;

namespace Tandem;

public abstract partial class Runtime
{
    private readonly PriorityBridge?[] _bridges = new PriorityBridge?[Priorities.Count];

    /// <summary>
    /// A <see cref="TaskScheduler"/> that runs TPL tasks on this runtime's workers at <paramref name="priority"/>: pass it
    /// to TPL Dataflow blocks (<c>ExecutionDataflowBlockOptions.TaskScheduler</c>), <c>Parallel.ForEachAsync</c>
    /// (<c>ParallelOptions.TaskScheduler</c>), <see cref="TaskFactory"/> or Rx, and their work is scheduled with Tandem's
    /// priorities. Awaits inside such tasks come back to it.
    /// </summary>
    /// <param name="priority">The priority the tasks run at.</param>
    /// <returns>The scheduler (the same one on every call for a priority).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="priority"/> is not one of the five.</exception>
    /// <exception cref="ObjectDisposedException">The runtime was shut down.</exception>
    /// <remarks>On the host tier each TPL task runs as a Tandem task of its own, on any worker, so they run in parallel
    /// (<see cref="TaskScheduler.MaximumConcurrencyLevel"/> is the worker count). On the embedded tier they run one at a
    /// time in a pump task made on the first call for a priority (it takes one of the scheduler's slots for the runtime's
    /// life): make that first call on the thread that drives the scheduler, or before anything drives it; after that,
    /// any thread may queue work to it. A task queued after the runtime shut down fails to start
    /// (<see cref="TaskSchedulerException"/> wrapping <see cref="ObjectDisposedException"/>).</remarks>
    public TaskScheduler AsTaskScheduler(Priority priority = Priority.Normal) => Bridge(priority).Scheduler;

    /// <summary>
    /// A <see cref="SynchronizationContext"/> whose posted callbacks run on this runtime's workers at
    /// <paramref name="priority"/>: install it where code outside Tandem captures a context (<see cref="Progress{T}"/>,
    /// UI-style libraries, an <c>async</c> method started under it), and its continuations run as Tandem work.
    /// </summary>
    /// <param name="priority">The priority the callbacks run at.</param>
    /// <returns>The context (the same one on every call for a priority).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="priority"/> is not one of the five.</exception>
    /// <exception cref="ObjectDisposedException">The runtime was shut down.</exception>
    /// <remarks>A posted callback that throws is reported through <see cref="UnobservedTaskException"/>, as a task nobody
    /// joined. <c>Send</c> runs the callback inline from one of the runtime's tasks, and otherwise waits for a worker to
    /// run it. The embedded tier's pump is shared with <see cref="AsTaskScheduler"/> (see there).</remarks>
    public SynchronizationContext AsSynchronizationContext(Priority priority = Priority.Normal) => Bridge(priority).Context;

    /// <summary>True once the runtime began shutting down (host) or was disposed (embedded): it takes no more work.</summary>
    private protected abstract bool HasShutDown { get; }

    /// <summary>What a bridge throws when handed work after the shutdown.</summary>
    internal ObjectDisposedException RefuseBridgedWork() => UsedAfterShutdown();

    /// <summary>True once the runtime takes no more work (see <see cref="HasShutDown"/>).</summary>
    internal bool RefusesBridgedWork => HasShutDown;

    private PriorityBridge Bridge(Priority priority)
    {
        Priorities.Validate(priority, nameof(priority));
        if (HasShutDown) throw UsedAfterShutdown();
        if (Volatile.Read(ref _bridges[(int)priority]) is { } bridge) return bridge;
        lock (_bridges)
        {
            return _bridges[(int)priority] ??= new PriorityBridge(this, priority);
        }
    }
}
