using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Tandem.Internal.Tasks;

/// <summary>
/// What every tier's task has in common: identity, priority, the list of resumptions waiting to
/// run on it, the waits an abort must cancel, and the ambient "current task" of a polling thread.
/// </summary>
/// <remarks>
/// <para>Invariants:</para>
/// <list type="bullet">
/// <item>A task is polled by one thread at a time. Everything marked "owner thread" is touched only
/// by that poll: the wait list, and running the ready list.</item>
/// <item>Resumptions from other threads go on a lock-free stack the poller takes whole with one exchange;
/// those the task queues on itself during its own poll go on an owner-only list. Either way a resumption
/// queued during a poll runs in a later poll (that is what makes a yield yield).</item>
/// <item>Every queueing is followed by a wake (<see cref="WakeSelf"/>, or <see cref="WakeSelfFromOwnPoll"/>
/// from the task's own poll), so a queued resumption is never stranded.</item>
/// <item>A task's generation ends when it finishes (<see cref="EndGeneration"/>), not when the object is reused: from
/// then on every resumption, wake or post for it is recognised as stale. A resumption runs only in a poll of the
/// generation it belongs to: the generation is checked when it is queued, again by the queueing thread right after
/// its push (a thread can be preempted between its check and its push while the task finishes: then it takes the
/// list back and hands on what is stale), and again when it runs. What is stale goes to
/// <see cref="Resumable.OnOwnerGone"/> — a posted continuation to the thread pool, a finished task's own step
/// nowhere. <see cref="Retire"/> hands on what is left at the finish; <see cref="ResetCore"/> whatever a race left
/// behind after that.</item>
/// </list>
/// </remarks>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
internal abstract partial class TaskCore : TaskContext
{
    private string DebuggerDisplay => $"task {Id}, {Priority}, generation {Generation}{(AbortRequested ? ", abort requested" : "")}";

    private Resumable? _readyHead;

    /// <summary>
    /// Resumptions queued by the task itself during its own poll (a yield, a local send): only the polling
    /// thread touches this list, so queueing on it takes no atomic operation.
    /// </summary>
    private Resumable? _localReadyHead;
    private Resumable? _waitHead;

    /// <summary>The task being polled on this thread, or null. (It hides <see cref="SynchronizationContext.Current"/>:
    /// a task object is a synchronization context only for the embedded tier's slots, see <see cref="Context"/>.)</summary>
    internal static new TaskCore? Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => PollingThread.OfCurrentThread?.Current;
    }

    /// <summary>
    /// The synchronization context installed while this task is polled, so that awaits of foreign awaitables
    /// (Task, sockets, files) post their continuations back to it. It is an object of one task, not of the
    /// reusable task object: a context captured by code that outlives the task (a fire-and-forget <c>async Task</c>
    /// method, a <see cref="Progress{T}"/>) knows the task it was captured for, and its posts after that task
    /// finished run on the thread pool instead of inside whatever task the object runs next.
    /// </summary>
    internal SynchronizationContext? Context;

    /// <summary>The task's process-wide id (see <see cref="TaskIds"/>).</summary>
    internal long Id;

    /// <summary>
    /// Advanced each time this object starts another task, so that a waker or a resumption kept from
    /// an earlier task is recognised as stale instead of touching the new one.
    /// </summary>
    internal int Generation = WrapTesting.IntStart;

    /// <summary>The level the task runs at.</summary>
    internal Priority Priority;

    /// <summary>
    /// The generation an abort was requested for. It only grows, and a task counts as aborted only while it
    /// equals <see cref="Generation"/>: so an abort that races with the task finishing and this object being
    /// reused lands on the old generation, and cannot abort the object's next task.
    /// </summary>
    private int _abortGeneration = WrapTesting.IntStart - 1;

    /// <summary>True once an abort was requested for the current task; read by Tandem awaiters to throw at the next suspension point.</summary>
    internal bool AbortRequested => Atomic.Read(ref _abortGeneration) == Atomic.Read(ref Generation);

    /// <summary>Records an abort of the task of <paramref name="generation"/>; false when it was already requested. Safe from any thread.</summary>
    internal bool TryMarkAbort(int generation)
    {
#if TANDEM_MODEL
        if (Tandem.Model.SeededBugs.AbortMarksCurrentGeneration) generation = Atomic.Read(ref Generation); // seeded: the object's, not the handle's
#endif
        while (true)
        {
            int current = Atomic.Read(ref _abortGeneration);
            if (current - generation >= 0) return false; // already requested for this task (or a later one)
            if (Atomic.CompareExchange(ref _abortGeneration, generation, current) == current)
            {
                // The task aborted itself (its own handle, from its own poll): its next await in this poll sees it.
                if (PollingThread.OfCurrentThread?.Current == this) CountAbortedPoll();
                return true;
            }
        }
    }

    /// <summary>True while the poll in progress is counted as one of an aborted task (owner thread; see <see cref="AbortCheck"/>).</summary>
    internal bool AbortedPollCounted;

    /// <summary>Counts this task's poll in progress as aborted, once (owner thread, during the poll).</summary>
    internal void CountAbortedPoll()
    {
        if (AbortedPollCounted) return;
        AbortedPollCounted = true;
        AbortCheck.EnterAbortedPoll();
    }

    /// <summary>Ends the count of this task's poll as aborted (owner thread, at the poll's end, before the task can be recycled).</summary>
    internal void UncountAbortedPoll()
    {
        AbortedPollCounted = false;
        AbortCheck.LeaveAbortedPoll();
    }

    /// <summary>The task's cancellation extras, made only when used: its abort token's source, and the registration
    /// that aborts it when a token it was spawned with is cancelled. Released when the object starts its next task.</summary>
    private TaskCancellation? _cancellation;

    private sealed class TaskCancellation
    {
        internal CancellationTokenSource? AbortSource;
        internal CancellationTokenRegistration SpawnRegistration;
        internal CancellationTokenRegistration DelayRegistration; // the one delay the task awaits, if it has a token
    }

    /// <summary>Ends the delay the task is about to await (its claimable <paramref name="wait"/>) when
    /// <paramref name="token"/> is cancelled (owner thread). A task awaits one thing at a time, so one registration
    /// slot serves; the delay's end releases it (<see cref="ReleaseDelayCancellation"/>).</summary>
    internal void EndDelayWhenCancelled(CancellationToken token, ClaimableWait wait)
    {
        var cancellation = _cancellation ??= new();
        cancellation.DelayRegistration.Unregister();
        cancellation.DelayRegistration = token.UnsafeRegister(static (state, _) => ((ClaimableWait)state!).Fire(), wait);
    }

    /// <summary>Releases the registration of the delay that just ended (owner thread).</summary>
    internal void ReleaseDelayCancellation()
    {
        if (_cancellation is not { } cancellation) return;
        cancellation.DelayRegistration.Unregister();
        cancellation.DelayRegistration = default;
    }

    /// <summary>
    /// The task's own ExecutionContext (its <see cref="AsyncLocal{T}"/> values): captured from the spawner,
    /// installed for each poll and saved back after it, so values flow into a task and across its awaits,
    /// but never leak from one task to another or to the thread that drives the scheduler (see <see cref="PollSite"/>).
    /// </summary>
    internal ExecutionContext? PollsExecutionContext;

    /// <summary>The thread polling the task now, when the thread's fields are reachable (see <see cref="ThreadAmbient"/>):
    /// a box suspending or resuming in the poll reads the thread's context through it without a thread-local lookup.
    /// Each tier keeps it true during polls: the host notes its worker's thread before each poll (a task moves between
    /// workers); the embedded tier notes the driving thread in every slot when another thread starts driving it (its
    /// polls all run on that thread), so that its polls pay nothing for it.</summary>
    internal Thread? PollThread;

    /// <summary>Ready awaits left in the current poll before the task is made to yield (owner thread; see <see cref="Coop"/>).</summary>
    internal int CoopBudget;

    /// <summary>A token cancelled at the task's first poll after an abort request (owner thread).</summary>
    internal CancellationToken AbortToken
    {
        get
        {
            var source = (_cancellation ??= new()).AbortSource ??= new CancellationTokenSource();
            if (AbortRequested) source.Cancel();
            return source.Token;
        }
    }

    /// <summary>
    /// Aborts the task (through <paramref name="source"/>, the handle's view of it) when <paramref name="token"/> is
    /// cancelled; at once if it already is. Called by the spawning thread before the task is queued; the registration is
    /// released when the object starts its next task, and a cancellation after the task ended aborts nothing (the
    /// handle's token is stale by then).
    /// </summary>
    internal void AbortWhenCancelled(CancellationToken token, ITaskControl source, int handleToken)
    {
        if (!token.CanBeCanceled) return;
        var registration = token.UnsafeRegister(static (state, _) =>
        {
            var (control, handle) = ((ITaskControl, int))state!;
            control.Abort(handle);
        }, (source, handleToken));
        (_cancellation ??= new()).SpawnRegistration = registration;
    }

    /// <summary>Cancels the abort token, if one was handed out (owner thread, at the start of a poll).</summary>
    internal void SignalAbortToken()
    {
        if (_cancellation?.AbortSource is { IsCancellationRequested: false } source) source.Cancel();
    }

    /// <summary>The scheduler that owns the task, as its awaitables see it: its clock and timers (and, cast, the <see cref="Runtime"/>).</summary>
    internal abstract ITaskTimers Timers { get; }

    /// <summary>The waker that re-polls this task.</summary>
    internal abstract Waker Waker { get; }

    /// <summary>Makes the scheduler poll the task of <paramref name="generation"/> (again), if it is still this
    /// object's task. Safe from any thread.</summary>
    protected abstract void WakeSelf(int generation);

    /// <summary>Wakes the task of <paramref name="generation"/> from any thread, including from its own poll.</summary>
    internal void Wake(int generation)
    {
        if (PollingThread.OfCurrentThread?.Current == this) WakeSelfFromOwnPoll();
        else WakeSelf(generation);
    }

    /// <summary>True while there are queued resumptions.</summary>
    internal bool HasReady => _localReadyHead is not null || Atomic.Read(ref _readyHead) is not null;

    /// <summary>
    /// Wakes the task from inside its own poll (the poll is running on this thread): the scheduler needs no
    /// atomic operation to remember it, only to re-queue the task when the poll ends. A flag both tiers read at the
    /// poll's end, not a virtual call: a yield passes here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void WakeSelfFromOwnPoll() => WokenWhilePolled = true;

    /// <summary>Woken while being polled (owner thread): by itself, or on the embedded tier by anything on the loop's
    /// thread. The tier's end of the poll reads and clears it.</summary>
    private protected bool WokenWhilePolled;

    /// <summary>Clears the per-task state for reuse of this object by another task (owner thread).</summary>
    /// <param name="id">The new task's id.</param>
    /// <param name="priority">Its level.</param>
    /// <param name="spawningThread">The calling thread when the caller knows it and its fields are reachable (an embedded
    /// loop's thread, see <see cref="ThreadAmbient"/>): the spawner's context is then read without a thread-local
    /// lookup. Null: through the public API.</param>
    protected void ResetCore(long id, Priority priority, Thread? spawningThread = null)
    {
        // The generation was advanced when the object's last task finished (EndGeneration). The abort mark is set just
        // behind it: it only grows, so after 2^32 generations a mark left from long ago would equal the generation again.
        Atomic.Write(ref _abortGeneration, Generation - 1);
        // The task starts in its spawner's context. Usually the one the object's last task started with: compared first,
        // so that a spawn stores nothing then (a reference store into the heap costs a GC write barrier).
        var execution = spawningThread is null ? ExecutionContext.Capture() : AmbientContext.CaptureOn(spawningThread);
        if (!ReferenceEquals(execution, PollsExecutionContext)) PollsExecutionContext = execution;
        if (_cancellation is { } cancellation)
        {
            cancellation.AbortSource?.Dispose();
            cancellation.SpawnRegistration.Unregister(); // the token outlives the task: let go of the callback
            cancellation.DelayRegistration.Unregister();
            _cancellation = null;
        }
        Id = id;
        Priority = priority;
        _localReadyHead = null;
        while (_waitHead is not null) RemoveWait(_waitHead);
        HandOnStale(); // a push its finish did not see (see EnqueueReady); a later one is handed on by RunOne
    }
}
