namespace Tandem.Core;

/// <summary>
/// A resumption that waits on a Tandem event (a timer, a join, a yield) and can be claimed once
/// per wait, either by the event firing or by an abort of its task.
/// </summary>
/// <remarks>
/// Each wait is identified by <see cref="WaitToken"/>. The event source keeps the token it was
/// given; firing or aborting advances the token with a compare-and-swap, so exactly one of them
/// resumes the waiter and a late event for an older wait is ignored.
/// </remarks>
internal abstract class Resumable : ReadyItem
{
    /// <summary>The task this resumption belongs to; null when it runs outside any Tandem task.</summary>
    internal TaskCore? Owner;

    /// <summary>The <see cref="TaskCore.Generation"/> of <see cref="Owner"/> when this was captured.</summary>
    internal int OwnerGeneration;

    /// <summary>Binds the resumption to <paramref name="owner"/>'s current task.</summary>
    internal void SetOwner(TaskCore? owner)
    {
        Owner = owner;
        OwnerGeneration = owner is null ? 0 : Volatile.Read(ref owner.Generation);
    }

    /// <summary>The token of the current wait. Invariant: only the claimer of a wait advances it.</summary>
    internal int WaitToken;

    /// <summary>The token of the wait entered in the owner's wait list (owner thread only).</summary>
    internal int RegisteredToken;

    /// <summary>True while linked in the owner's list of waits an abort must cancel (owner thread only).</summary>
    internal bool InWaitList;

    /// <summary>Neighbours in the owner's wait list (owner thread only).</summary>
    internal Resumable? WaitPrev, WaitNext;

    /// <summary>Claims the wait of <paramref name="token"/> and queues the resumption on its task.</summary>
    /// <param name="token">The token the event source was given.</param>
    /// <returns>False when the wait was already claimed (an abort, or an earlier firing).</returns>
    internal bool TryFire(int token)
    {
        if (Interlocked.CompareExchange(ref WaitToken, token + 1, token) != token) return false;
        if (Owner is { } owner) owner.EnqueueReady(this);
        else Run();
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
        return Interlocked.CompareExchange(ref WaitToken, token + 1, token) == token;
    }
}
