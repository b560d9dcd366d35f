using System.Diagnostics;

namespace Tandem.Internal.Host;

/// <summary>
/// The running part of a host-tier task: what the workers queue and poll. Pooled: recycled as soon
/// as the task finishes, while its outcome lives on in the task's <see cref="HostJoinCell{T}"/>.
/// </summary>
/// <remarks>
/// <para>The run state is one atomic word of three bits, so that however many threads wake a task at
/// once it is queued exactly once and never lost:</para>
/// <list type="table">
/// <item><term><see cref="Notified"/></term><description>the task is queued, or must be re-queued when its
/// current poll ends. Only the thread whose CAS sets it (while not <see cref="Running"/>) queues the task;
/// the worker that dequeues it clears it.</description></item>
/// <item><term><see cref="Running"/></term><description>a worker is polling the task; at most one at a time.
/// A wake now only sets <see cref="Notified"/>, and the poller re-queues the task at the end of the poll
/// (at the back of its level: a yield lets its peers run).</description></item>
/// <item><term><see cref="Complete"/></term><description>finished: wakes are ignored from now on, until the
/// object is reused for another task (with a new <see cref="TaskCore.Generation"/>).</description></item>
/// </list>
/// <para>The bits above <see cref="StateBits"/> hold the task's generation (modulo 2^29), so that a wake is one CAS
/// that fails when the object has started another task: a waker that checked its generation and was preempted
/// before its CAS cannot notify the object's next task.</para>
/// </remarks>
internal abstract class HostTask : TaskCore, IWakeTarget
{
    private const int Notified = 1;
    private const int Running = 2;
    private const int Complete = 4;
    private const int StateBits = 3;
    private const int BitsMask = (1 << StateBits) - 1;

    /// <summary>The run state (bits above), with the generation above <see cref="StateBits"/>. Private: changed only
    /// through the named transitions below.</summary>
    private int _runState = Complete;

    private static int Tag(int generation) => generation << StateBits;

    /// <summary>The next task in an inject queue (owned by that queue while queued).</summary>
    internal HostTask? NextInQueue;

    /// <summary>Neighbours in the scheduler's list of live tasks (owned by that list's shard).</summary>
    internal HostTask? LivePrev, LiveNext;

    /// <summary>True while in that list (under its shard's lock): a second removal is a no-op.</summary>
    internal bool InLiveList;

    /// <summary>The priority the task had when it entered that list: what the runtime's meter counts it under.</summary>
    internal Priority LivePriority;

    /// <summary>The scheduler running the task.</summary>
    internal HostScheduler Scheduler = null!;

    internal override ITaskTimers Timers => Scheduler;

    internal override Waker Waker => new(this, 0, Volatile.Read(ref Generation));

    void IWakeTarget.Wake(int index, int generation) => WakeIf(generation);

    protected override void WakeSelf(int generation) => WakeIf(generation);


    /// <summary>Prepares a pooled object for a new task; it is left notified, ready to be queued once.</summary>
    /// <param name="scheduler">The scheduler it runs on.</param>
    /// <param name="id">The task's id.</param>
    /// <param name="priority">Its level.</param>
    /// <param name="spawningThread">The spawning worker's thread, or null (see <see cref="TaskCore.ResetCore"/>).</param>
    protected void Begin(HostScheduler scheduler, long id, Priority priority, Thread? spawningThread)
    {
        Scheduler = scheduler;
        ResetCore(id, priority, spawningThread);
        ResetDiagnostics(scheduler.RecordTaskTimes ? System.Diagnostics.Stopwatch.GetTimestamp() : null);
        TransitionToNewTask();
    }

    /// <summary>Complete → Notified, for the object's new task (the spawning thread, before the task is queued once).</summary>
    private void TransitionToNewTask()
    {
        Debug.Assert((Atomic.Read(ref _runState) & Complete) != 0, "only a pooled object starts a new task");
        Atomic.Write(ref _runState, Tag(Generation) | Notified);
    }

    /// <summary>True while the task of <paramref name="generation"/> is being polled (any thread; a snapshot).</summary>
    internal bool IsRunning(int generation)
    {
        int state = Atomic.Read(ref _runState);
        return (state & ~BitsMask) == Tag(generation) && (state & Running) != 0;
    }

    /// <summary>What the task is doing, for a task snapshot (any thread; a moment's value): running while polled, ready
    /// while notified and not running (queued), waiting otherwise.</summary>
    internal TaskActivity ReadActivity()
    {
        int state = Atomic.Read(ref _runState);
        return (state & Running) != 0 ? TaskActivity.Running : (state & Notified) != 0 ? TaskActivity.Ready : TaskActivity.Waiting;
    }

    /// <summary>Wakes the task if it is still the one of <paramref name="generation"/>. Safe from any thread.</summary>
    internal void WakeIf(int generation)
    {
        if (TransitionToNotified(generation)) Scheduler.ScheduleWoken(this);
    }

    /// <summary>
    /// Sets Notified on the task of <paramref name="generation"/> (any thread): nothing happens if the object now runs
    /// another task, the task is complete, or it is notified already.
    /// </summary>
    /// <returns>True when the caller must queue the task: it set Notified while the task was not Running (a Running
    /// task is queued again by its poller, which sees Notified at the poll's end).</returns>
    private bool TransitionToNotified(int generation)
    {
        int tag = Tag(generation);
        while (true)
        {
            int state = Atomic.Read(ref _runState);
#if TANDEM_MODEL
            if (Tandem.Model.SeededBugs.WakeIgnoresGeneration) tag = state & ~BitsMask; // seeded bug: any generation's wake counts
#endif
            if ((state & ~BitsMask) != tag || (state & (Complete | Notified)) != 0) return false; // another task's, or nothing to do
            if (Atomic.CompareExchange(ref _runState, state | Notified, state) != state) continue;
            return (state & Running) == 0;
        }
    }

    /// <summary>Asks the task to abort, from any thread, if it is still the one of <paramref name="generation"/>.</summary>
    internal void RequestAbort(int generation)
    {
        if (Atomic.Read(ref Generation) != generation || !TryMarkAbort(generation)) return;
        WakeIf(generation);
    }

    /// <summary>Polls the task once on the calling worker. Returns true when it finished (and was recycled).</summary>
    /// <param name="site">The worker's ambient state, which the poll switches to this task and back.</param>
    /// <param name="worker">The worker polling it (its own thread), which takes the task back if it yielded.</param>
    internal bool Run(in PollSite site, Worker worker) => site.Poll(this, new Work(this, worker, site.OsThread));

    /// <summary>This tier's part of a poll (<see cref="PollSite.Poll{TWork}"/>): the run-state transitions around it,
    /// the task's own work and its fault path.</summary>
    private readonly struct Work(HostTask task, Worker worker, Thread? thread) : ITaskWork
    {
        public void BeforePoll()
        {
            task.TransitionToRunning();
            if (!ReferenceEquals(task.PollThread, thread)) task.PollThread = thread; // a task moves between workers
        }

        public bool Poll() => task.PollBody();

        public bool Fail(Exception exception) => task.FailBody(exception);

        public bool AfterPoll(bool finished)
        {
            if (finished) task.TransitionToComplete();
            else if (task.TransitionToIdle())
            {
                task.NoteReady();
                worker.Push(task, lifo: false); // woken during its poll: back of its level
            }
            return finished;
        }
    }

    /// <summary>Notified → Running (the worker that dequeued the task). Clears Notified: a wake from now on sets it again.</summary>
    private void TransitionToRunning()
    {
        while (true)
        {
            int state = Atomic.Read(ref _runState);
            Debug.Assert((state & (Notified | Running | Complete)) == Notified, "only a notified, idle, unfinished task is polled: queued once, polled by one worker");
            if (Atomic.CompareExchange(ref _runState, (state & ~Notified) | Running, state) == state)
            {
                Volatile.Write(ref PollSequence, PollSequence + 1);
                return;
            }
        }
    }

    /// <summary>Running → Complete (the polling worker, the task having finished): wakes are ignored from now on, and
    /// the object goes back to its pool.</summary>
    private void TransitionToComplete()
    {
        Debug.Assert((Atomic.Read(ref _runState) & Running) != 0, "a task finishes inside its own poll");
        WokenWhilePolled = false;
        Atomic.Write(ref _runState, Tag(Generation) | Complete);
        Retire();
        Recycle();
    }

    /// <summary>Running → idle (the polling worker, the task not finished), or → Notified when it was woken during the
    /// poll, by itself or from elsewhere.</summary>
    /// <returns>True when it was woken: the caller queues it again, at the back of its level (a yield lets its peers run).</returns>
    private bool TransitionToIdle()
    {
        // A wake by the task itself during the poll becomes Notified in the same CAS, so a concurrent wake from
        // another thread cannot queue it a second time.
        int notifiedBySelf = WokenWhilePolled ? Notified : 0;
        WokenWhilePolled = false;
#if TANDEM_MODEL
        if (Tandem.Model.SeededBugs.EndOfPollWritesStatePlainly)
        {
            // Seeded bug: a read and a plain write instead of a CAS — a wake between them is overwritten and lost.
            int seen = Atomic.Read(ref _runState);
            Atomic.Write(ref _runState, (seen & ~Running) | notifiedBySelf);
            return ((seen | notifiedBySelf) & Notified) != 0;
        }
#endif
        while (true)
        {
            int state = Atomic.Read(ref _runState);
            Debug.Assert((state & (Running | Complete)) == Running, "only a task being polled stops running");
            int next = (state & ~Running) | notifiedBySelf;
            if (Atomic.CompareExchange(ref _runState, next, state) == state) return (next & Notified) != 0;
        }
    }

#if TANDEM_MODEL
    // The model build's entry points to the run-state transitions: tests/Tandem.Model drives them as a worker and
    // wakers would, without a scheduler.
    internal void ModelStartTask() => TransitionToNewTask();
    internal bool ModelWake(int generation) => TransitionToNotified(generation);
    internal void ModelBeginPoll() => TransitionToRunning();
    internal void ModelWakeFromOwnPoll() => WakeSelfFromOwnPoll();
    internal bool ModelEndPoll() => TransitionToIdle();
    internal void ModelFinishPoll()
    {
        EndGeneration();
        TransitionToComplete();
    }
#endif

    /// <summary>Advances the task's work; true when it finished and its outcome is in its cell.</summary>
    protected abstract bool PollBody();

    /// <summary>Records an exception that escaped the body (a posted callback's); returns true.</summary>
    protected abstract bool FailBody(Exception exception);

    /// <summary>Clears the task's fields and returns the object to its pool.</summary>
    protected abstract void Recycle();
}
