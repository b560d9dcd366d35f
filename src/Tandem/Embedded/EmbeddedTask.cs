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

    protected override void WakeSelf(int generation) => _scheduler.Wake(Index, generation);

    /// <summary>The context of the running task's polls (see <see cref="EmbeddedTaskContext"/>).</summary>
    private EmbeddedTaskContext? _context;

    /// <summary>The scheduler's allocation epoch when the context was handed to the running task.</summary>
    private long _contextEpoch;

    /// <summary>Decided when the last task finished: its context was not captured and may serve the next task.</summary>
    private bool _contextReusable;

    // Polled on this thread right now: being Running, it only needs remembering.
    protected override void WakeSelfFromOwnPoll() => Notified = true;

    /// <summary>Starts <paramref name="body"/> as this slot's next task (the spawning thread).</summary>
    /// <param name="id">The task's id.</param>
    /// <param name="priority">Its level.</param>
    /// <param name="body">Its code.</param>
    /// <param name="allocationEpoch">The scheduler's allocation epoch now (see <see cref="EmbeddedTaskContext"/>).</param>
    internal void Start(long id, Priority priority, TaskBody body, long allocationEpoch)
    {
        ResetCore(id, priority);
        if (NeedsNewContext) _context = new EmbeddedTaskContext(this);
        _context!.Generation = Generation;
        Context = _context;
        _contextEpoch = allocationEpoch;
        _contextReusable = false;
        Notified = false;
        Body = body;
        // The generation before the slot: a thread reading the body's slot reads a generation at least as new (see
        // TaskBody<T>.Abort, which re-checks the body's version around both reads).
        Volatile.Write(ref body.SlotGeneration, Generation);
        Volatile.Write(ref body.Slot, this);
    }

    /// <summary>True when the next <see cref="Start"/> makes a new context (the last one may have been captured).</summary>
    internal bool NeedsNewContext => _context is null || !_contextReusable;

    /// <summary>The task finished (loop thread): closes its ready list, and decides whether its context may serve the next task.</summary>
    /// <param name="allocationEpoch">The scheduler's allocation epoch, just brought up to date.</param>
    internal void Retire(long allocationEpoch)
    {
        Retire();
        _contextReusable = allocationEpoch == _contextEpoch && !_context!.WasPosted;
    }

    /// <summary>Asks the task of <paramref name="generation"/> to abort, if it is still this slot's task and unfinished. Safe from any thread.</summary>
    internal void RequestAbort(int generation)
    {
        // The generation decides, not the state read here: an abort marked for a generation that has finished, or
        // whose slot was reused meanwhile, counts for no task (see TaskCore.AbortRequested).
        if (Volatile.Read(ref Generation) != generation || State is Free or Done || !TryMarkAbort(generation)) return;
        WakeSelf(generation);
    }
}
