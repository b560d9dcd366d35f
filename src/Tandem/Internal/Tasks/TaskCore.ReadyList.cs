using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Tandem.Internal.Tasks;

// The task's ready lists: queueing a resumption from any thread, running them in the task's poll, and what happens
// to those whose task has finished (see the invariants on TaskCore).
internal abstract partial class TaskCore
{
    /// <summary>
    /// Queues <paramref name="item"/> to run in the next poll of the task it belongs to, and wakes that task. An item
    /// whose task has finished (an operation of a finished task, a continuation posted late) goes to
    /// <see cref="Resumable.OnOwnerGone"/> instead: never into another task's poll. Safe from any thread.
    /// </summary>
    internal void EnqueueReady(Resumable item)
    {
        int generation = item.OwnerGeneration;
        if (generation != Atomic.Read(ref Generation))
        {
            item.OnOwnerGone();
            return;
        }
        if (PollingThread.OfCurrentThread?.Current == this)
        {
            EnqueueFromOwnPoll(item); // the poll of this very generation: it cannot end meanwhile
            return;
        }
        TestHooks.Reach(HookPoint.ReadyPushChecked);
        Resumable? head;
        do
        {
            head = Atomic.Read(ref _readyHead);
            item.NextReady = head;
        } while (Atomic.CompareExchange(ref _readyHead, item, head) != head);
        TestHooks.Reach(HookPoint.ReadyPushed);
        // The task may have finished after our check, its finish not seeing our push: then nobody would run the
        // list until the object's next task. The CAS is a full fence, and the finisher ends the generation before it
        // looks at the list, so one of us sees the other (the embedded tier's finisher has no fence of its own: a push
        // it misses waits on the slot until its reuse or the scheduler's disposal, see ARCHITECTURE.md).
#if TANDEM_MODEL
        if (Tandem.Model.SeededBugs.EnqueueReadySkipsRecheck) { WakeSelf(generation); return; }
#endif
        if (Atomic.Read(ref Generation) != generation)
        {
            HandOnStale();
            return;
        }
        WakeSelf(generation); // dropped if the task finished meanwhile
    }

    /// <summary>
    /// Takes the whole remote ready list and hands on each item: a stale one to <see cref="Resumable.OnOwnerGone"/>, one
    /// of the object's current task back onto the list. Safe from any thread (the owner takes the list with the same
    /// exchange, so each item is taken once).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void HandOnStale()
    {
        if (Atomic.Read(ref _readyHead) is not null) HandOnStaleItems(); // usually empty: the check inline, the work not
    }

    private void HandOnStaleItems()
    {
        var fifo = Reverse(Atomic.Exchange(ref _readyHead, null));
        while (fifo is not null)
        {
            var next = fifo.NextReady;
            fifo.NextReady = null;
            if (fifo.OwnerGeneration == Atomic.Read(ref Generation)) EnqueueReady(fifo);
            else fifo.OnOwnerGone();
            fifo = next;
        }
    }

    /// <summary>Queues <paramref name="item"/>, of this task's current generation, from the task's own poll on this thread.</summary>
    internal void EnqueueFromOwnPoll(Resumable item)
    {
        Debug.Assert(PollingThread.OfCurrentThread?.Current == this && item.OwnerGeneration == Generation, "the owner-only list is for this task's own poll");
        Debug.Assert(item.NextReady is null, "an item on no list links to nothing");
        // Usually the list is empty (a yield): then the item's link stays null, and only the head is written (each
        // reference stored into the heap costs a GC write barrier).
        if (_localReadyHead is { } head) item.NextReady = head;
        _localReadyHead = item;
        WakeSelfFromOwnPoll();
    }

    /// <summary>Runs, oldest first, the resumptions queued before this call (owner thread).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void RunReady()
    {
        // Resumptions from other threads first (they were queued before this poll began), then the task's own.
        var remote = Atomic.Read(ref _readyHead) is null ? null : Atomic.Exchange(ref _readyHead, null);
        var local = _localReadyHead;
        _localReadyHead = null;
        if (remote is not null) RunInOrder(remote, Generation);
        if (local is not null) RunInOrder(local, Generation);
    }

    /// <summary>Runs a list that was pushed newest-first, oldest first; an item of another generation is handed on.</summary>
    private static void RunInOrder(Resumable head, int generation)
    {
        if (head.NextReady is null)
        {
            RunOne(head, generation); // one item (a yield, one wake): nothing to reverse
            return;
        }
        var fifo = Reverse(head);
        while (fifo is not null)
        {
            var next = fifo.NextReady;
            fifo.NextReady = null;
            RunOne(fifo, generation);
            fifo = next;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunOne(Resumable item, int generation)
    {
#if TANDEM_MODEL
        if (Tandem.Model.SeededBugs.RunOneIgnoresGeneration) { item.Run(); return; }
#endif
        if (item.OwnerGeneration == generation) item.Run();
        else item.OnOwnerGone(); // pushed by a thread that checked before an earlier task of this object finished
    }

    private static Resumable? Reverse(Resumable? head)
    {
        Resumable? fifo = null;
        while (head is not null)
        {
            var next = head.NextReady;
            head.NextReady = fifo;
            fifo = head;
            head = next;
        }
        return fifo;
    }

    /// <summary>
    /// Ends the generation of the task that just finished (owner thread): from now on its resumptions, wakes and posts
    /// are stale. Callers follow it with a full fence (the host tier's join-cell CAS) before <see cref="Retire"/> reads
    /// the ready list, where they have one.
    /// </summary>
    protected void EndGeneration() => Atomic.Write(ref Generation, Generation + 1);

    /// <summary>
    /// Clears the finished task's leftovers (owner thread, after <see cref="EndGeneration"/>): its wait list, and what
    /// is left on its ready lists, which goes to <see cref="Resumable.OnOwnerGone"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void Retire()
    {
        // Most tasks leave nothing behind: three reads, no call.
        if (_waitHead is null && _localReadyHead is null && Atomic.Read(ref _readyHead) is null) return;
        RetireLeftovers();
    }

    private void RetireLeftovers()
    {
        while (_waitHead is not null) RemoveWait(_waitHead);
        var local = _localReadyHead;
        _localReadyHead = null;
        HandOnStale();
        if (local is not null) GiveUp(Reverse(local));
    }

    private static void GiveUp(Resumable? fifo)
    {
        while (fifo is not null)
        {
            var next = fifo.NextReady;
            fifo.NextReady = null;
            fifo.OnOwnerGone();
            fifo = next;
        }
    }
}
