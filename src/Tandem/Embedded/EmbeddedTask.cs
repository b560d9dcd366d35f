using Tandem.Core;

namespace Tandem.Embedded;

/// <summary>
/// One task slot of an <see cref="EmbeddedScheduler"/>. Slots are made when the scheduler is built
/// and reused for every task after that; the typed part of a task (its code and result) lives in a
/// pooled <see cref="TaskBody"/>.
/// </summary>
internal sealed class EmbeddedTask : TaskCore
{
    /// <summary>On the free list. Invariant: no body, in no ready queue, in no reclaim list.</summary>
    internal const int Free = 0;

    /// <summary>Spawned and unfinished, not queued. Invariant: polled again only after a wake moves it to <see cref="Ready"/>.</summary>
    internal const int Waiting = 1;

    /// <summary>Queued. Invariant: in the ready queue of its priority, once; in no other state is it in a ready queue.</summary>
    internal const int Ready = 2;

    /// <summary>Being polled. Invariant: a wake now sets <see cref="Notified"/> instead of queueing, and the poll's end queues it.</summary>
    internal const int Running = 3;

    /// <summary>Finished. Invariant: the body holds the outcome until a join frees the slot or a spawn reclaims it.</summary>
    internal const int Done = 4;

    private readonly EmbeddedScheduler _scheduler;

    internal EmbeddedTask(EmbeddedScheduler scheduler, int index)
    {
        _scheduler = scheduler;
        Index = index;
    }

    /// <summary>The slot's index: its link in the ready queues and its flag in the waker registry.</summary>
    internal readonly int Index;

    /// <summary>One of <see cref="Free"/>, <see cref="Waiting"/>, <see cref="Ready"/>, <see cref="Running"/>, <see cref="Done"/>.</summary>
    internal int State;

    /// <summary>Woken while <see cref="Running"/>.</summary>
    internal bool Notified;

    /// <summary>The running task's code and outcome; null when <see cref="Free"/>.</summary>
    internal TaskBody? Body;

    /// <summary>The next slot in its level's <see cref="ReadyQueue"/> while <see cref="Ready"/> (-1: the last).</summary>
    internal int NextInLevel = -1;

    /// <summary>Neighbours in the scheduler's list of finished, unjoined slots (-1: none).</summary>
    internal int ReclaimPrev = -1, ReclaimNext = -1;

    /// <summary>True while in that list.</summary>
    internal bool InReclaimList;

    internal EmbeddedScheduler Scheduler => _scheduler;

    internal override ITaskHost Host => _scheduler;

    internal override Waker Waker => new(_scheduler, Index, Generation);

    protected override void WakeSelf() => _scheduler.Wake(Index, Generation);

    // Polled on this thread right now: being Running, it only needs remembering.
    protected override void WakeSelfFromOwnPoll() => Notified = true;

    internal void Start(long id, Priority priority, TaskBody body)
    {
        ResetCore(id, priority);
        Notified = false;
        Body = body;
        body.Slot = this;
    }

    internal void RequestAbort()
    {
        if (State is Free or Done || !TryMarkAbort(Volatile.Read(ref Generation))) return;
        WakeSelf();
    }
}
