using System.Runtime.CompilerServices;

namespace Tandem.Internal.Host;

/// <summary>A host task that produces a <typeparamref name="T"/> into its join cell.</summary>
internal abstract class HostTask<T> : HostTask
{
    /// <summary>Where the outcome goes; null while pooled.</summary>
    private HostJoinCell<T>? _cell;

    /// <summary>Rents a <typeparamref name="TTask"/>, starts it as a new task and gives it a fresh join cell.</summary>
    /// <param name="scheduler">The scheduler it runs on.</param>
    /// <param name="id">The task's id.</param>
    /// <param name="priority">Its level.</param>
    /// <param name="spawningThread">The spawning worker's thread, when known and its fields are reachable (see
    /// <see cref="TaskCore.ResetCore"/>).</param>
    /// <param name="cell">The task's join cell.</param>
    protected static TTask Rent<TTask>(HostScheduler scheduler, long id, Priority priority, Thread? spawningThread, out HostJoinCell<T> cell)
        where TTask : HostTask<T>, new()
    {
        var run = SharedPool<TTask>.Rent();
        run.Begin(scheduler, id, priority, spawningThread);
        cell = new HostJoinCell<T>(run);
        run._cell = cell;
        run.Context = cell; // the cell outlives the run object: a context captured in the task knows its task
        return run;
    }

    /// <summary>Records what a poll of the task's work came to (owner thread): this tier keeps the outcome in the join cell.</summary>
    /// <returns>True when the task finished.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected bool Conclude(PollStep step, T result, Exception? error) => step switch
    {
        PollStep.Pending => false,
        PollStep.Completed => Succeed(result),
        PollStep.Faulted => FailBody(error!),
        _ => EndAborted(),
    };

    /// <summary>Records the result (aborted when an abort was requested); returns true.</summary>
    private bool Succeed(T result)
    {
        bool aborted = AbortRequested;
        End(aborted ? TaskState.Aborted : TaskState.Completed);
        _cell!.Complete(result, Id, aborted, Scheduler);
        return true;
    }

    /// <summary>Records that the task ended by abort without running further; returns true.</summary>
    private bool EndAborted()
    {
        End(TaskState.Aborted);
        _cell!.Complete(default!, Id, aborted: true, Scheduler);
        return true;
    }

    protected override bool FailBody(Exception exception)
    {
        bool aborted = AbortRequested;
        End(TaskOutcome.IsAbort(exception, aborted, Id) ? TaskState.Aborted : TaskState.Faulted);
        _cell!.Fail(exception, Id, aborted, Scheduler);
        return true;
    }

    /// <summary>
    /// Ends the task before its outcome is published: it leaves the live list first (a shutdown aborting every live
    /// task reads the generation of each under the list's lock, so it never marks the next task of this object), and
    /// then its generation ends; the cell's outcome CAS that follows is the full fence between that and
    /// <see cref="TaskCore.Retire"/>'s look at the ready list (see <see cref="TaskCore.EnqueueReady"/>).
    /// </summary>
    private void End(TaskState outcome)
    {
        Scheduler.OnFinished(this, outcome); // before the joiner can see the outcome: then TaskCount no longer counts it
        EndGeneration();
    }

    /// <summary>Clears the subclass's fields and returns the object to its pool.</summary>
    protected abstract void ClearAndReturn();

    protected sealed override void Recycle()
    {
        _cell = null;
        Context = null;
        ClearAndReturn();
    }
}
