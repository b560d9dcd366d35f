using Tandem.Core;

namespace Tandem.Host;

/// <summary>A host task that produces a <typeparamref name="T"/> into its join cell.</summary>
internal abstract class HostTask<T> : HostTask
{
    /// <summary>Where the outcome goes; null while pooled.</summary>
    private HostJoinCell<T>? _cell;

    /// <summary>Rents a <typeparamref name="TTask"/>, starts it as a new task and gives it a fresh join cell.</summary>
    protected static TTask Rent<TTask>(HostScheduler scheduler, long id, Priority priority, out HostJoinCell<T> cell)
        where TTask : HostTask<T>, new()
    {
        var run = SharedPool<TTask>.Rent();
        run.Begin(scheduler, id, priority);
        cell = new HostJoinCell<T>(run);
        run._cell = cell;
        run.Context = cell; // the cell outlives the run object: a context captured in the task knows its task
        return run;
    }

    /// <summary>Records the result (aborted when an abort was requested); returns true.</summary>
    protected bool Succeed(T result)
    {
        Scheduler.OnFinished(this); // before the joiner can see the outcome: then TaskCount no longer counts it
        _cell!.Complete(result, Id, AbortRequested, Scheduler);
        return true;
    }

    /// <summary>Records that the task ended by abort without running further; returns true.</summary>
    protected bool EndAborted()
    {
        Scheduler.OnFinished(this);
        _cell!.Complete(default!, Id, aborted: true, Scheduler);
        return true;
    }

    protected override bool FailBody(Exception exception)
    {
        Scheduler.OnFinished(this);
        _cell!.Fail(exception, Id, AbortRequested, Scheduler);
        return true;
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
