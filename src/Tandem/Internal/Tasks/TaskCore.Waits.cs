using System.Diagnostics;

namespace Tandem.Internal.Tasks;

// The task's list of pending Tandem waits, which an abort claims so that the suspended methods resume and unwind.
// A wait is entered once, when an awaiter captures it (ClaimableWait.Capture: a fresh posted action, or the box of a
// method that is suspending), and leaves when it runs (Resumable.Run), when it is abandoned (AbandonWait) or when its
// task finishes (Retire): a box cannot await again before its wait ran, so it is never entered twice, and every
// removal is of a listed wait. Both are asserted, not checked: a state machine asserts its invariants.
internal abstract partial class TaskCore
{
    /// <summary>Enters <paramref name="waiter"/> in the list of waits an abort cancels (owner thread).</summary>
    internal void AddWait(Resumable waiter)
    {
        Debug.Assert(!waiter.InWaitList, "a wait is entered once: its box is suspended until the wait runs");
        waiter.RegisteredToken = Volatile.Read(ref waiter.WaitToken);
        waiter.InWaitList = true;
        waiter.WaitPrev = null;
        waiter.WaitNext = _waitHead;
        if (_waitHead is not null) _waitHead.WaitPrev = waiter;
        _waitHead = waiter;
    }

    /// <summary>Removes <paramref name="waiter"/> from the wait list (owner thread).</summary>
    internal void RemoveWait(Resumable waiter)
    {
        Debug.Assert(waiter.InWaitList, "only a listed wait is removed: every caller checks, or walks the list");
        waiter.InWaitList = false;
        if (waiter.WaitPrev is not null) waiter.WaitPrev.WaitNext = waiter.WaitNext;
        else _waitHead = waiter.WaitNext;
        if (waiter.WaitNext is not null) waiter.WaitNext.WaitPrev = waiter.WaitPrev;
        waiter.WaitPrev = waiter.WaitNext = null;
    }

    /// <summary>
    /// Claims every pending Tandem wait of this task and queues it, so that each suspended
    /// state machine resumes, finds <see cref="AbortRequested"/> and unwinds through its finally blocks.
    /// </summary>
    internal void CancelWaitsForAbort()
    {
        SignalAbortToken();
        for (var w = _waitHead; w is not null; w = w.WaitNext)
        {
            if (w.TryClaimForAbort()) EnqueueReady(w);
        }
    }
}
