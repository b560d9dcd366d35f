using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Tandem.Internal.Embedded;

/// <summary>
/// One task slot of an <see cref="EmbeddedScheduler"/>. Slots are made when the scheduler is built
/// and reused for every task after that; the typed part of a task (its code and result) lives in a
/// pooled <see cref="TaskBody"/>.
/// </summary>
internal sealed class EmbeddedTask : TaskCore
{
    /// <summary>Where a slot is in its life. Only the loop's thread changes it, through the named transitions below;
    /// other threads read it as a hint only.</summary>
    private enum SlotState : byte
    {
        /// <summary>On the free list. Invariant: no body, in no ready queue, in no reclaim list.</summary>
        Free,

        /// <summary>Spawned and unfinished, not queued. Invariant: polled again only after a wake queues it.</summary>
        Waiting,

        /// <summary>Queued. Invariant: in the ready queue of its priority, once; in no other state is it in a ready queue.</summary>
        Ready,

        /// <summary>Being polled. Invariant: a wake now only marks it woken, and the poll's end queues it.</summary>
        Running,

        /// <summary>Finished. Invariant: the body holds the outcome until a join frees the slot or a spawn reclaims it.</summary>
        Done,
    }

    private SlotState _state;

    private readonly EmbeddedScheduler _scheduler;

    internal EmbeddedTask(EmbeddedScheduler scheduler, int index)
    {
        _scheduler = scheduler;
        Index = index;
        if (scheduler.RecordTaskTimes) PrepareExtras(); // at start-up, so that recording times allocates nothing per spawn
    }

    /// <summary>The slot's index: its link in the ready queues and its flag in the waker registry.</summary>
    internal readonly int Index;

    /// <summary>The running task's code and outcome; null while the slot is free.</summary>
    internal TaskBody? Body;

    /// <summary>The next slot in its level's <see cref="ReadyQueue"/> while queued (-1: the last).</summary>
    internal int NextInLevel = -1;

    /// <summary>Neighbours in the slot table's list of finished, unjoined slots (-1: none); owned by <see cref="SlotTable"/>.</summary>
    internal int ReclaimPrev = -1, ReclaimNext = -1;

    /// <summary>True while in that list; owned by <see cref="SlotTable"/>.</summary>
    internal bool InReclaimList;

    /// <summary>True while a task occupies the slot and has not finished.</summary>
    internal bool IsLive => _state is SlotState.Waiting or SlotState.Ready or SlotState.Running;

    /// <summary>What the slot's task is doing, for a task snapshot (any thread; a moment's value), or null when the slot
    /// holds no live task.</summary>
    internal TaskActivity? ReadActivity() => (SlotState)Volatile.Read(ref Unsafe.As<SlotState, byte>(ref _state)) switch
    {
        SlotState.Waiting => TaskActivity.Waiting,
        SlotState.Ready => TaskActivity.Ready,
        SlotState.Running => TaskActivity.Running,
        _ => null,
    };

    /// <summary>True while the slot's task is being polled.</summary>
    internal bool IsRunning => _state == SlotState.Running;

    /// <summary>True once the slot's task finished, until the slot is freed.</summary>
    internal bool IsDone => _state == SlotState.Done;

    /// <summary>True while the slot is on the free list.</summary>
    internal bool IsFree => _state == SlotState.Free;

    /// <summary>Free, Waiting or Running → Ready (loop thread): the caller puts it in its level's ready queue, which it
    /// must not be in already.</summary>
    internal void TransitionToReady()
    {
        Debug.Assert(_state is SlotState.Free or SlotState.Waiting or SlotState.Running, "only a new, waiting or just-polled task is queued: a task is in a ready queue at most once");
        // A release store: a task snapshot on another thread that reads Ready (with an acquire) then reads the fields
        // Start wrote for the slot's new task, on every memory model (on x64 this is the same plain store).
        Volatile.Write(ref Unsafe.As<SlotState, byte>(ref _state), (byte)SlotState.Ready);
    }

    /// <summary>Ready → Running (loop thread, the slot just taken from its ready queue): a wake now only marks it woken.</summary>
    internal void TransitionToRunning()
    {
        Debug.Assert(_state == SlotState.Ready && Body is not null, "only a queued task with a body is polled");
        _state = SlotState.Running;
        Volatile.Write(ref PollSequence, PollSequence + 1);
        WokenWhilePolled = false;
    }

    /// <summary>Running → Waiting, unless the task was woken during its poll (loop thread).</summary>
    /// <returns>True when it was woken: the caller queues it again (<see cref="TransitionToReady"/>) instead.</returns>
    internal bool TransitionToWaiting()
    {
        Debug.Assert(_state == SlotState.Running, "only a task just polled stops running");
        if (WokenWhilePolled || HasReady) return true;
        _state = SlotState.Waiting;
        return false;
    }

    /// <summary>Running → Done (loop thread, the task finished in its poll): its generation ends and its leftovers are handed on.</summary>
    internal void TransitionToDone()
    {
        Debug.Assert(_state == SlotState.Running, "a task finishes once, at the end of its own poll");
        _state = SlotState.Done;
        EndGeneration();
        Retire();
    }

    /// <summary>Done → Free (loop thread, the outcome joined or given up): the caller recycles the body and frees the slot.</summary>
    internal void TransitionToFree()
    {
        Debug.Assert(_state == SlotState.Done, "only a finished slot is freed, and once");
        _state = SlotState.Free;
        Body = null;
    }

    /// <summary>A wake reached the slot's current task (loop thread): marks it woken if it is being polled.</summary>
    /// <returns>True when the task was waiting: the caller queues it (<see cref="TransitionToReady"/>).</returns>
    internal bool TransitionOnWake()
    {
        switch (_state)
        {
            case SlotState.Waiting:
                return true;
            case SlotState.Running:
                WokenWhilePolled = true;
                return false;
            default:
                return false; // already queued, or finished
        }
    }

    internal EmbeddedScheduler Scheduler => _scheduler;

    internal override ITaskTimers Timers => _scheduler;

    internal override Waker Waker => new(_scheduler, Index, Generation);

    protected override void WakeSelf(int generation) => _scheduler.Wake(Index, generation);

    // Polled on this thread right now: being Running, it only needs remembering.

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

    /// <summary>The priority the slot's task was spawned at (it may move itself since: <see cref="Async.ChangePriority"/>);
    /// what the scheduler's metrics count it under.</summary>
    internal Priority SpawnPriority;

    /// <summary>Starts <paramref name="body"/> as this slot's next task (the spawning thread).</summary>
    /// <param name="id">The task's id.</param>
    /// <param name="priority">Its level.</param>
    /// <param name="body">Its code.</param>
    /// <param name="newContext">Give the task a new context object (<see cref="ContextMayHaveBeenCaptured"/>).</param>
    /// <param name="spawningThread">The loop's thread when the spawn runs on it inside the loop and its fields are
    /// reachable; else null (see <see cref="TaskCore.ResetCore"/>).</param>
    internal void Start(long id, Priority priority, TaskBody body, bool newContext, Thread? spawningThread)
    {
        ResetCore(id, priority, spawningThread);
        ResetDiagnostics(_scheduler.RecordTaskTimes ? _scheduler.Clock.GetTimestamp() : null);
        SpawnPriority = priority;
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
        WokenWhilePolled = false;
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
    /// something posted to it, or a window that task was polled in allocated (refreshing the window if it is still
    /// open: loop thread, or no loop running).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool ContextMayHaveBeenCaptured(ref AllocationWindows windows)
    {
        if (_contextPosted | _pollsAllocated) return true;
        if (_polledWindow == windows.Open && windows.Refresh()) return true; // learn about the open window
        return windows.MayHaveAllocated(_polledWindow);
    }

    /// <summary>The slot as its own tasks' context: queues a post on the task of the generation it serves, or, once
    /// that task finished, on the thread pool (see <see cref="EmbeddedTaskContext"/>).</summary>
    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        _contextPosted = true;
        PostToGeneration(_ownContextGeneration, d, state);
    }

    /// <summary>Queues a post on the task of <paramref name="generation"/> and, when it comes from another thread while
    /// that task is being polled, arms the blocked-poll rescue (see <see cref="EmbeddedScheduler.ArmBlockedPollRescue"/>).</summary>
    internal void PostToGeneration(int generation, SendOrPostCallback d, object? state)
    {
        var posted = PostedAction.ForTask(this, generation, d, state);
        int pollSequence = Volatile.Read(ref PollSequence);
        EnqueueReady(posted);
        if (_state == SlotState.Running && Volatile.Read(ref Generation) == generation && !_scheduler.IsLoopThread)
            _scheduler.ArmBlockedPollRescue(this, generation, pollSequence, posted);
    }

    /// <summary>Notes a post to the context of the slot's task (see <see cref="EmbeddedTaskContext"/>; any thread).</summary>
    internal void NoteContextPosted() => _contextPosted = true;

    /// <summary>Asks the task of <paramref name="generation"/> to abort, if it is still this slot's task and unfinished. Safe from any thread.</summary>
    internal void RequestAbort(int generation)
    {
        // The generation decides, not the state read here: an abort marked for a generation that has finished, or
        // whose slot was reused meanwhile, counts for no task (see TaskCore.AbortRequested).
        if (Atomic.Read(ref Generation) != generation || !IsLive || !TryMarkAbort(generation)) return;
        WakeSelf(generation);
    }
}
