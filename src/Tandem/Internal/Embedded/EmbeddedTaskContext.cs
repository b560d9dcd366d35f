namespace Tandem.Internal.Embedded;

/// <summary>
/// The synchronization context of one embedded task's polls: foreign awaits inside the task (an <c>async Task</c>
/// method, a <see cref="Progress{T}"/>, a <c>Task</c> continuation) post back to it, and it queues the callback on
/// the task of <see cref="Generation"/> — or, once that task has finished, on the thread pool.
/// </summary>
/// <remarks>
/// <para>A context belongs to one task, not to the slot: code that captured it may outlive the task. To keep spawning
/// allocation-free, a slot serves as its own tasks' context at first (<see cref="EmbeddedTask.Post"/>), and hands its
/// context on to its next task only when the context provably was not captured:
/// nothing was posted to it, and the loop's thread allocated nothing while the task lived (every way .NET captures a
/// context — an await's continuation object, a <c>Progress</c>, a <c>TaskScheduler</c> — allocates on the capturing
/// thread; <see cref="AllocationWindows"/> tells which polls allocated). Otherwise the next task gets a new context object,
/// one of these, which is handed on by the same rule.</para>
/// <para>The one capture this cannot see is code that stores <see cref="SynchronizationContext.Current"/> by hand into
/// memory it already had, allocating nothing; a post through such a reference after its task finished may run in a
/// later task of the same slot.</para>
/// </remarks>
internal sealed class EmbeddedTaskContext(EmbeddedTask slot) : TaskContext
{
    /// <summary>The generation of the slot's task this context serves; set before the task's first poll and fixed
    /// for as long as anything may have captured the context.</summary>
    internal int Generation;

    /// <inheritdoc />
    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        slot.NoteContextPosted(); // it was captured: it is never handed to another task
        slot.PostToGeneration(Generation, d, state);
    }
}
