using System.Runtime.CompilerServices;

namespace Tandem.Internal.Embedded;

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

    internal override ITaskTimers Host => _scheduler;

    internal override Waker Waker => new(_scheduler, Index, Generation);

    protected override void WakeSelf(int generation) => _scheduler.Wake(Index, generation);

    // Polled on this thread right now: being Running, it only needs remembering.
    protected override void WakeSelfFromOwnPoll() => Notified = true;

    /// <summary>True once the slot's tasks get context objects (<see cref="EmbeddedTaskContext"/>, kept in
    /// <see cref="TaskCore.Context"/>) instead of the slot itself: the slot's own context may have been captured. Each
    /// object is handed on by the same rule as the slot's own context. A flag: no type test per spawn.</summary>
    private bool _hasContextObject;

    /// <summary>The generation the slot serves as its own context (frozen once that context may have been captured).</summary>
    private int _ownContextGeneration;

    /// <summary>Set when something posted to the running task's context (any thread): it was captured. A late post to an
    /// older task's context object sets it too, which only costs the next task a new context object.</summary>
    private volatile bool _contextPosted;

    /// <summary>Set when a window the running task was polled in allocated (loop thread): it may have captured its context.</summary>
    private bool _pollsAllocated;

    /// <summary>The last allocation window the running task was polled in (<see cref="long.MaxValue"/>: not polled yet,
    /// which <see cref="AllocationWindows.MayHaveAllocated"/> answers with false).</summary>
    private long _polledWindow = long.MaxValue;

    /// <summary>Starts <paramref name="body"/> as this slot's next task (the spawning thread).</summary>
    /// <param name="id">The task's id.</param>
    /// <param name="priority">Its level.</param>
    /// <param name="body">Its code.</param>
    /// <param name="newContext">Give the task a new context object (<see cref="ContextMayHaveBeenCaptured"/>).</param>
    internal void Start(long id, Priority priority, TaskBody body, bool newContext)
    {
        ResetCore(id, priority);
        if (newContext)
        {
            Context = new EmbeddedTaskContext(this);
            _hasContextObject = true;
        }
        if (_hasContextObject)
        {
            Unsafe.As<EmbeddedTaskContext>(Context)!.Generation = Generation;
        }
        else
        {
            _ownContextGeneration = Generation;
            Context ??= this; // set once: no write barrier per spawn
        }
        _pollsAllocated = false;
        _polledWindow = long.MaxValue;
        _contextPosted = false; // a post to this task's context comes after its start: the context is handed to it here
        Notified = false;
        Body = body;
        // The generation before the slot: a thread reading the body's slot reads a generation at least as new (see
        // TaskBody<T>.Abort, which re-checks the body's version around both reads).
        Volatile.Write(ref body.SlotGeneration, Generation);
        Volatile.Write(ref body.Slot, this);
    }

    /// <summary>Records a poll of the running task in the open allocation window (loop thread, before the poll).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void NotePolledIn(in AllocationWindows windows)
    {
        long open = windows.Open;
        if (_polledWindow == open) return;
        if (windows.MayHaveAllocated(_polledWindow)) _pollsAllocated = true;
        _polledWindow = open;
    }

    /// <summary>
    /// True when the context of the slot's last task may have been captured, so that the next task needs a new one:
    /// something posted to it, or a window that task was polled in allocated (closing the window if it is still open:
    /// loop thread, or no loop running).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool ContextMayHaveBeenCaptured(ref AllocationWindows windows)
    {
        if (_contextPosted | _pollsAllocated) return true;
        if (_polledWindow == windows.Open) windows.Close(); // learn about the open window
        return windows.MayHaveAllocated(_polledWindow);
    }

    /// <summary>The task finished (loop thread): its generation ends, and its leftovers are handed on.</summary>
    internal void EndTask()
    {
        EndGeneration();
        Retire();
    }

    /// <summary>The slot as its own tasks' context: queues a post on the task of the generation it serves, or, once
    /// that task finished, on the thread pool (see <see cref="EmbeddedTaskContext"/>).</summary>
    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        _contextPosted = true;
        EnqueueReady(PostedAction.ForTask(this, _ownContextGeneration, d, state));
    }

    /// <summary>Notes a post to the context of the slot's task (see <see cref="EmbeddedTaskContext"/>; any thread).</summary>
    internal void NoteContextPosted() => _contextPosted = true;

    /// <summary>Asks the task of <paramref name="generation"/> to abort, if it is still this slot's task and unfinished. Safe from any thread.</summary>
    internal void RequestAbort(int generation)
    {
        // The generation decides, not the state read here: an abort marked for a generation that has finished, or
        // whose slot was reused meanwhile, counts for no task (see TaskCore.AbortRequested).
        if (Volatile.Read(ref Generation) != generation || State is Free or Done || !TryMarkAbort(generation)) return;
        WakeSelf(generation);
    }
}
