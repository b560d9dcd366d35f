namespace Tandem.Internal.Tasks;

// The task's list of pending Tandem waits, which an abort claims so that the suspended methods resume and unwind.
internal abstract partial class TaskCore
{
    /// <summary>Enters <paramref name="waiter"/> in the list of waits an abort cancels (owner thread).</summary>
    internal void AddWait(Resumable waiter)
    {
        waiter.RegisteredToken = Volatile.Read(ref waiter.WaitToken);
        if (waiter.InWaitList) return;
        waiter.InWaitList = true;
        waiter.WaitPrev = null;
        waiter.WaitNext = _waitHead;
        if (_waitHead is not null) _waitHead.WaitPrev = waiter;
        _waitHead = waiter;
    }

    /// <summary>Removes <paramref name="waiter"/> from the wait list (owner thread).</summary>
    internal void RemoveWait(Resumable waiter)
    {
        if (!waiter.InWaitList) return;
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
