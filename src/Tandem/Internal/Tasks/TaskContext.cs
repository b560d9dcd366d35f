namespace Tandem.Internal.Tasks;

/// <summary>
/// The kind of synchronization context installed while a Tandem task is polled (see <see cref="TaskCore.Context"/>):
/// each subclass queues a post on the one task it serves, or on the thread pool once that task has finished. A thread
/// whose current context is one is inside a Tandem poll loop.
/// </summary>
internal abstract class TaskContext : SynchronizationContext
{
    /// <inheritdoc />
    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("A Tandem task cannot be entered synchronously from another thread; use Post.");

    /// <inheritdoc />
    public override SynchronizationContext CreateCopy() => this;
}
