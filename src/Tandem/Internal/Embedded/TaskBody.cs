using System.Runtime.ExceptionServices;

namespace Tandem.Internal.Embedded;

/// <summary>
/// The typed, pooled part of an embedded task: what to poll, and its outcome until it is joined.
/// </summary>
internal abstract class TaskBody
{
    /// <summary>The slot running this body; null while pooled.</summary>
    internal EmbeddedTask? Slot;

    /// <summary>The generation of <see cref="Slot"/> whose task this body is.</summary>
    internal int SlotGeneration;

    /// <summary>Pending while unfinished (whether it is running is the slot's to say); Completed, Faulted or Aborted after.</summary>
    internal TaskState Outcome;

    /// <summary>What a faulted task threw.</summary>
    internal ExceptionDispatchInfo? Error;

    /// <summary>True once a joiner received the outcome.</summary>
    internal bool Observed;

    /// <summary>Advanced each time the body is recycled; a handle with another version is stale.</summary>
    internal int Version = WrapTesting.IntStart;

    /// <summary>The awaiting joiner, if any.</summary>
    internal ClaimableWait Joiner;

    /// <summary>The set that will join this task, if any.</summary>
    internal IJoinListener? Listener;

    /// <summary>What the listener calls this member.</summary>
    internal int ListenerTag;

    /// <summary>True when nobody will join: the slot is freed at the finish.</summary>
    internal bool Detached;

    internal bool HasFinished => Outcome >= TaskState.Completed;

    /// <summary>Advances the task (owner thread). True when it finished, with its outcome recorded.</summary>
    internal abstract bool Poll(EmbeddedTask slot);

    /// <summary>How the body's previous task ended, and its version: what a handle of that task reads as its state after
    /// the join recycled the body (until the body's next task also ends).</summary>
    internal TaskState PreviousOutcome;

    /// <summary>The version of the task <see cref="PreviousOutcome"/> is for.</summary>
    internal int PreviousVersion = -1;

    /// <summary>Ends the task without another poll, because it was aborted.</summary>
    internal virtual void OnAborted() { }

    /// <summary>Clears everything and returns the body to <paramref name="pool"/> (its scheduler's).</summary>
    internal void Recycle(BodyPool pool)
    {
        Volatile.Write(ref Slot, null);
        // A handle may still ask how its task ended (JoinHandle.State after the join): remembered for one version.
        PreviousOutcome = Outcome;
        PreviousVersion = Version;
        Outcome = TaskState.Pending;
        Error = null;
        Observed = false;
        Joiner = default;
        Listener = null;
        ListenerTag = 0;
        Detached = false;
        Volatile.Write(ref Version, unchecked(Version + 1)); // after the slot is cleared: see TaskBody<T>.Abort
        ClearAndReturn(pool);
    }

    /// <summary>Clears the typed fields and pushes the body on <paramref name="pool"/>.</summary>
    protected abstract void ClearAndReturn(BodyPool pool);

    /// <summary>Records a fault (or an abort, when the exception unwound the task's abort: <see cref="TaskOutcome.IsAbort"/>).</summary>
    internal virtual bool Fail(Exception exception)
    {
        if (TaskOutcome.IsAbort(exception, Slot is { AbortRequested: true }, Slot?.Id ?? 0))
        {
            Outcome = TaskState.Aborted;
        }
        else
        {
            Outcome = TaskState.Faulted;
            Error = ExceptionDispatchInfo.Capture(exception);
        }
        return true;
    }
}
