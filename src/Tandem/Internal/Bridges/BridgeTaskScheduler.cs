namespace Tandem.Internal.Bridges;

/// <summary>A <see cref="TaskScheduler"/> whose tasks run on a Tandem runtime at one priority (<see cref="Runtime.AsTaskScheduler"/>).</summary>
internal sealed class BridgeTaskScheduler(PriorityBridge bridge, int concurrency) : TaskScheduler
{
    /// <inheritdoc/>
    public override int MaximumConcurrencyLevel => concurrency;

    /// <inheritdoc/>
    protected override void QueueTask(Task task) => bridge.Enqueue(task);

    /// <summary>Runs a task inline only on a thread already running one of the runtime's tasks (a TPL task that waits
    /// for another one of this scheduler runs it there, instead of blocking the worker that would run it).</summary>
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => bridge.IsOnRuntime && TryExecuteTask(task);

    /// <inheritdoc/>
    protected override IEnumerable<Task>? GetScheduledTasks() => bridge.QueuedTasks();

    /// <summary>Runs a queued task (the bridge, inside a Tandem task's poll).</summary>
    internal void Run(Task task) => TryExecuteTask(task);
}
