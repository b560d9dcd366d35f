using System.Runtime.CompilerServices;
using System.Diagnostics;

namespace Tandem.Internal.Embedded;

/// <summary>A task body that produces a <typeparamref name="T"/>; it is the join source of its handles.</summary>
internal abstract class TaskBody<T> : TaskBody, IJoinSource<T>
{
    /// <summary>The result of a completed task.</summary>
    internal T Result = default!;

    internal JoinHandle<T> Handle(long id) => new(this, Version, id);

    /// <summary>Records a result (or an abort, when the task was aborted meanwhile).</summary>
    private bool Complete(T result)
    {
        if (Slot is { AbortRequested: true })
        {
            Outcome = TaskState.Aborted;
            return true;
        }
        Result = result;
        Outcome = TaskState.Completed;
        return true;
    }

    /// <summary>Records what a poll of the task's work came to (owner thread): this tier keeps the outcome in the body.</summary>
    /// <returns>True when the task finished.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected bool Conclude(PollStep step, T result, Exception? error) => step switch
    {
        PollStep.Pending => false,
        PollStep.Completed => Complete(result),
        PollStep.Faulted => Fail(error!),
        _ => EndAborted(),
    };

    /// <summary>Records that the task ended by abort without running further.</summary>
    private bool EndAborted()
    {
        Outcome = TaskState.Aborted;
        return true;
    }

    protected override void ClearAndReturn(BodyPool pool)
    {
        Result = default!;
        ClearAndReturnTyped(pool);
    }

    /// <summary>Clears the subclass's fields and pushes the body on its pool.</summary>
    protected abstract void ClearAndReturnTyped(BodyPool pool);

    public TaskState GetState(int token)
    {
        if (token != Version && token == PreviousVersion) return PreviousOutcome; // joined (or detached) and recycled
        if (token != Version)
            throw new InvalidOperationException("This task was joined long ago and its pooled state reused by later tasks: its outcome is no longer known (read it when joining).");
        return !HasFinished && Slot is { IsRunning: true } ? TaskState.Running : Outcome;
    }

    public bool IsFinished(int token) => token != Version || HasFinished;

    /// <remarks>Safe from any thread (a cancellation callback, a timer). The body may be recycled and reused by the loop
    /// meanwhile, so the slot and its generation are read between two reads of the version: when both equal
    /// <paramref name="token"/>, the pair is this task's (the loop clears the slot before it advances the version, and
    /// sets the generation before the slot), and the abort is marked for that generation only.</remarks>
    public void Abort(int token)
    {
        if (Volatile.Read(ref Version) != token) return;
        var slot = Volatile.Read(ref Slot);
        int generation = Volatile.Read(ref SlotGeneration);
        if (slot is null || Volatile.Read(ref Version) != token) return;
        slot.RequestAbort(generation);
    }

    public void OnJoin(int token, AwaitContinuation continuation)
    {
        if (token != Version)
            throw continuation.Refuse(new InvalidOperationException("This task was already joined (or detached) and its slot reused: a handle is joined once."));
        if (Detached)
            throw continuation.Refuse(new InvalidOperationException(DetachedMessage));
        if (HasFinished)
        {
            continuation.Resume();
            return;
        }
        // A joiner whose own task was aborted meanwhile has given up: another may take its place.
        if (Joiner.IsPending || Listener is not null)
            throw continuation.Refuse(new InvalidOperationException("This task is already being joined; a task has one joiner."));
        Joiner = ClaimableWait.Capture(continuation);
    }

    public bool TryWaitFor(int token, ClaimableWait waiter)
    {
        if (token != Version)
            throw new InvalidOperationException("This task was already joined (or detached) and its slot reused: a handle is joined once.");
        if (Detached) throw new InvalidOperationException(DetachedMessage);
        if (HasFinished) return false;
        if (Joiner.IsPending || Listener is not null)
            throw new InvalidOperationException("This task is already being joined; a task has one joiner.");
        Joiner = waiter;
        return true;
    }

    public void SetListener(int token, IJoinListener listener, int tag)
    {
        Validate(token);
        if (Joiner.IsPending || Listener is not null)
            throw new InvalidOperationException("This task is already being joined; a task has one joiner.");
        Listener = listener;
        ListenerTag = tag;
        if (HasFinished) listener.OnMemberFinished(tag);
    }

    [StackTraceHidden]
    public T Join(int token, long id)
    {
        Validate(token);
        if (Detached) throw new InvalidOperationException(DetachedMessage);
        if (!HasFinished)
            throw new InvalidOperationException("The task has not finished: await its handle, or block on it, instead.");
        var state = Outcome;
        var error = Error;
        var result = Result;
        Observed = true;
        Slot!.Scheduler.Release(Slot);
        switch (state)
        {
            case TaskState.Faulted: error!.Throw(); break;
            case TaskState.Aborted: throw new TaskAbortedException(id);
        }
        return result;
    }

    public void Detach(int token, long id)
    {
        if (token != Version) return;
        Detached = true;
        Joiner = default;
        Listener = null;
        if (HasFinished) Slot!.Scheduler.Release(Slot);
    }

    /// <summary>Why a detached task cannot be joined.</summary>
    internal const string DetachedMessage = "This task's handle was detached: a detached task cannot be joined or awaited.";

    private void Validate(int token)
    {
        if (token != Version)
            throw new InvalidOperationException("This task was already joined (or detached) and its slot reused: a handle is joined once.");
    }
}
