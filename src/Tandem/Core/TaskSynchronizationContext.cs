namespace Tandem.Core;

/// <summary>
/// The synchronization context a task runs under, so that awaits of foreign awaitables
/// (<see cref="Task"/>, sockets, files) resume on the task's scheduler, at its priority,
/// instead of on the .NET thread pool.
/// </summary>
internal sealed class TaskSynchronizationContext(TaskCore task) : SynchronizationContext
{
    /// <inheritdoc />
    public override void Post(SendOrPostCallback d, object? state) =>
        task.EnqueueReady(new PostedAction(task, static s =>
        {
            var (callback, callbackState) = ((SendOrPostCallback, object?))s!;
            callback(callbackState);
        }, (d, state)));

    /// <inheritdoc />
    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("A Tandem task cannot be entered synchronously from another thread; use Post.");

    /// <inheritdoc />
    public override SynchronizationContext CreateCopy() => this;
}
