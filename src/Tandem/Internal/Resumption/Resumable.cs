namespace Tandem.Internal.Resumption;

/// <summary>
/// Something queued on a task to run in its next poll — a suspended Tandem async method (its box) or a
/// continuation posted to the task — that waits on a Tandem event (a timer, a join, a message) and can be
/// claimed once per wait, either by the event firing or by an abort of its task.
/// </summary>
/// <remarks>
/// <para>Each wait is identified by <see cref="WaitToken"/>. The event source keeps the token it was
/// given; firing or aborting advances the token with a compare-and-swap, so exactly one of them
/// resumes the waiter and a late event for an older wait is ignored.</para>
/// <para>A resumption belongs to one task of one <see cref="TaskCore.Generation"/> (<see cref="Owner"/>,
/// <see cref="OwnerGeneration"/>). It runs only inside a poll of that generation: the ready list checks the
/// generation when it runs an item, so a resumption that reaches a reused task object (after its own task
/// finished) is never run inside the next task; it goes to <see cref="OnOwnerGone"/> instead. One that belongs
/// to no task goes to <see cref="RunWithoutOwner"/>: never inline inside another task's poll.</para>
/// </remarks>
internal abstract class Resumable
{
    /// <summary>The next item of the task's ready list; owned by that list while queued.</summary>
    internal Resumable? NextReady;

    /// <summary>The task this resumption belongs to; null when it runs outside any Tandem task.</summary>
    internal TaskCore? Owner;

    /// <summary>The <see cref="TaskCore.Generation"/> of <see cref="Owner"/> when this was captured.</summary>
    internal int OwnerGeneration;

    /// <summary>Binds the resumption to <paramref name="owner"/>'s current task (called inside that task's poll,
    /// or while the task object is owned by its spawner, so the generation read is the task's own).</summary>
    internal void SetOwner(TaskCore? owner)
    {
        Owner = owner;
        OwnerGeneration = owner is null ? 0 : Volatile.Read(ref owner.Generation);
    }

    /// <summary>Binds the resumption to the task of <paramref name="generation"/> on <paramref name="owner"/>.</summary>
    internal void SetOwner(TaskCore owner, int generation)
    {
        Owner = owner;
        OwnerGeneration = generation;
    }

    /// <summary>The token of the current wait. Invariant: only the claimer of a wait advances it.</summary>
    internal int WaitToken = WrapTesting.IntStart;

    /// <summary>The token of the wait entered in the owner's wait list (owner thread only).</summary>
    internal int RegisteredToken;

    /// <summary>True while linked in the owner's list of waits an abort must cancel (owner thread only).</summary>
    internal bool InWaitList;

    /// <summary>Neighbours in the owner's wait list (owner thread only).</summary>
    internal Resumable? WaitPrev, WaitNext;

    /// <summary>Runs the resumption, inside a poll of its owner's generation (or, for one without owner, where
    /// <see cref="RunWithoutOwner"/> put it).</summary>
    internal abstract void Run();

    /// <summary>
    /// The owner's generation ended before this ran (its task finished; the object may already run another task).
    /// A continuation posted from outside Tandem still runs (see <see cref="PostedAction"/>); a Tandem method's step
    /// of a finished task — an operation started and never awaited — is dropped, as the task that owned it is gone.
    /// </summary>
    internal virtual void OnOwnerGone() { }

    /// <summary>
    /// Runs a resumption that belongs to no task: inline when the thread that fires it is outside Tandem, on the .NET
    /// thread pool when that thread is polling a task (or between two polls of a loop), so that it never runs with
    /// another task's context, abort state or identity.
    /// </summary>
    internal virtual void RunWithoutOwner()
    {
        if (IsOutsideTandem) Run();
        else ThreadPool.UnsafeQueueUserWorkItem(static r => r.Run(), this, preferLocal: false);
    }

    /// <summary>True on a thread that is neither polling a Tandem task nor between two polls of a Tandem loop (whose
    /// synchronization context is still the last task's).</summary>
    internal static bool IsOutsideTandem => TaskCore.Current is null && SynchronizationContext.Current is not TaskContext;

    /// <summary>Queues the resumption on its task, or hands it to <see cref="RunWithoutOwner"/> when it has none.</summary>
    internal void Deliver()
    {
        if (Owner is { } owner) owner.EnqueueReady(this);
        else RunWithoutOwner();
    }

    /// <summary>Claims the wait of <paramref name="token"/> and queues the resumption on its task.</summary>
    /// <param name="token">The token the event source was given.</param>
    /// <returns>False when the wait was already claimed (an abort, or an earlier firing).</returns>
    internal bool TryFire(int token)
    {
#if TANDEM_MODEL
        if (Tandem.Model.SeededBugs.FireChecksThenWrites)
        {
            // Seeded bug: the claim a check and a plain write instead of one CAS — a timer and an abort can both claim.
            if (Atomic.Read(ref WaitToken) != token) return false;
            Atomic.Write(ref WaitToken, token + 1);
            Deliver();
            return true;
        }
#endif
        if (Atomic.CompareExchange(ref WaitToken, token + 1, token) != token) return false;
        Deliver();
        return true;
    }

    /// <summary>
    /// Claims the registered wait for an abort (owner thread); true when it was still pending. A wait that
    /// already fired (its resumption is queued but has not run yet) has a newer token, so it is not claimed
    /// twice and the resumption is never queued twice.
    /// </summary>
    internal bool TryClaimForAbort()
    {
        int token = RegisteredToken;
        return Atomic.CompareExchange(ref WaitToken, token + 1, token) == token;
    }

    /// <summary>
    /// Gives up the wait of <paramref name="token"/> that an awaiter began to register and then refused (it threw):
    /// the wait is claimed, so nothing that captured it can fire it later, and it leaves the owner's wait list
    /// (owner thread).
    /// </summary>
    internal void AbandonWait(int token)
    {
        Interlocked.CompareExchange(ref WaitToken, token + 1, token);
        if (InWaitList) Owner?.RemoveWait(this);
    }
}
