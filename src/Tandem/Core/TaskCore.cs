using System.Runtime.CompilerServices;

namespace Tandem.Core;

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
/// </list>
/// </remarks>
internal abstract partial class TaskCore : SynchronizationContext
{
    /// <summary>
    /// The polling state of this thread. One object behind one thread-static, so that a loop that polls many
    /// tasks looks the thread-static up once and then switches tasks by writing a field.
    /// </summary>
    [ThreadStatic] private static PollingThread? t_thread;

    private ReadyItem? _readyHead;

    /// <summary>
    /// Resumptions queued by the task itself during its own poll (a yield, a local send): only the polling
    /// thread touches this list, so queueing on it takes no atomic operation.
    /// </summary>
    private ReadyItem? _localReadyHead;
    private Resumable? _waitHead;

    /// <summary>The task being polled on this thread, or null. (It hides <see cref="SynchronizationContext.Current"/>,
    /// which, inside a poll, is this same task.)</summary>
    internal static new TaskCore? Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_thread?.Current;
    }

    /// <summary>The task's process-wide id (see <see cref="Interop.TaskIds"/>).</summary>
    internal long Id;

    /// <summary>
    /// Advanced each time this object starts another task, so that a waker or a resumption kept from
    /// an earlier task is recognised as stale instead of touching the new one.
    /// </summary>
    internal int Generation;

    /// <summary>The level the task runs at.</summary>
    internal Priority Priority;

    /// <summary>
    /// The generation an abort was requested for. It only grows, and a task counts as aborted only while it
    /// equals <see cref="Generation"/>: so an abort that races with the task finishing and this object being
    /// reused lands on the old generation, and cannot abort the object's next task.
    /// </summary>
    private int _abortGeneration = -1;

    /// <summary>True once an abort was requested for the current task; read by Tandem awaiters to throw at the next suspension point.</summary>
    internal bool AbortRequested => Volatile.Read(ref _abortGeneration) == Volatile.Read(ref Generation);

    /// <summary>Records an abort of the task of <paramref name="generation"/>; false when it was already requested. Safe from any thread.</summary>
    internal bool TryMarkAbort(int generation)
    {
        while (true)
        {
            int current = Volatile.Read(ref _abortGeneration);
            if (current - generation >= 0) return false; // already requested for this task (or a later one)
            if (Interlocked.CompareExchange(ref _abortGeneration, generation, current) == current) return true;
        }
    }

    private CancellationTokenSource? _abortSource;

    /// <summary>
    /// The task's own ExecutionContext (its <see cref="AsyncLocal{T}"/> values): captured from the spawner,
    /// installed for each poll and saved back after it, so values flow into a task and across its awaits,
    /// but never leak from one task to another or to the thread that drives the scheduler.
    /// </summary>
    private ExecutionContext? _executionContext;

    /// <summary>A token cancelled at the task's first poll after an abort request (owner thread).</summary>
    internal CancellationToken AbortToken
    {
        get
        {
            _abortSource ??= new CancellationTokenSource();
            if (AbortRequested) _abortSource.Cancel();
            return _abortSource.Token;
        }
    }

    /// <summary>Cancels the abort token, if one was handed out (owner thread, at the start of a poll).</summary>
    internal void SignalAbortToken()
    {
        if (_abortSource is { IsCancellationRequested: false } source) source.Cancel();
    }

    /// <summary>The scheduler that owns the task: its clock and timers.</summary>
    internal abstract ITaskHost Host { get; }

    /// <summary>The waker that re-polls this task.</summary>
    internal abstract Waker Waker { get; }

    /// <summary>Makes the scheduler poll this task (again). Safe from any thread.</summary>
    protected abstract void WakeSelf();

    /// <summary>True while there are queued resumptions.</summary>
    internal bool HasReady => _localReadyHead is not null || Volatile.Read(ref _readyHead) is not null;

    /// <summary>
    /// Wakes the task from inside its own poll (the poll is running on this thread): the scheduler needs no
    /// atomic operation to remember it, only to re-queue the task when the poll ends.
    /// </summary>
    protected virtual void WakeSelfFromOwnPoll() => WakeSelf();

    /// <summary>
    /// Queues <paramref name="item"/> to run in the task's next poll and wakes the task. A resumption
    /// captured by an earlier task of this object (an orphaned operation of a finished task) is dropped.
    /// </summary>
    internal void EnqueueReady(Resumable item)
    {
        if (item.OwnerGeneration != Volatile.Read(ref Generation)) return;
        if (t_thread?.Current == this)
        {
            EnqueueFromOwnPoll(item);
            return;
        }
        ReadyItem? head;
        do
        {
            head = Volatile.Read(ref _readyHead);
            item.NextReady = head;
        } while (Interlocked.CompareExchange(ref _readyHead, item, head) != head);
        WakeSelf();
    }

    /// <summary>Queues <paramref name="item"/>, of this task's current generation, from the task's own poll on this thread.</summary>
    internal void EnqueueFromOwnPoll(Resumable item)
    {
        item.NextReady = _localReadyHead;
        _localReadyHead = item;
        WakeSelfFromOwnPoll();
    }

    /// <summary>Runs, oldest first, the resumptions queued before this call (owner thread).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void RunReady()
    {
        // Resumptions from other threads first (they were queued before this poll began), then the task's own.
        var remote = Volatile.Read(ref _readyHead) is null ? null : Interlocked.Exchange(ref _readyHead, null);
        var local = _localReadyHead;
        _localReadyHead = null;
        RunInOrder(remote);
        RunInOrder(local);
    }

    /// <summary>Runs a list that was pushed newest-first, oldest first.</summary>
    private static void RunInOrder(ReadyItem? head)
    {
        if (head is null) return;
        if (head.NextReady is null)
        {
            head.Run(); // one item (a yield, one wake): nothing to reverse
            return;
        }
        ReadyItem? fifo = null;
        while (head is not null)
        {
            var next = head.NextReady;
            head.NextReady = fifo;
            fifo = head;
            head = next;
        }
        while (fifo is not null)
        {
            var next = fifo.NextReady;
            fifo.NextReady = null;
            fifo.Run();
            fifo = next;
        }
    }

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

    /// <summary>Clears the per-task state for reuse of this object by another task (owner thread).</summary>
    protected void ResetCore(long id, Priority priority)
    {
        // One writer: the thread that took this object from its pool. Readers on other threads compare.
        Volatile.Write(ref Generation, Generation + 1);
        _executionContext = ExecutionContext.Capture();
        if (_abortSource is not null)
        {
            _abortSource.Dispose();
            _abortSource = null;
        }
        Id = id;
        Priority = priority;
        _readyHead = null;
        _localReadyHead = null;
        while (_waitHead is not null) RemoveWait(_waitHead);
    }

    /// <inheritdoc />
    public override void Post(SendOrPostCallback d, object? state) => EnqueueReady(new PostedAction(this, d, state));

    /// <inheritdoc />
    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("A Tandem task cannot be entered synchronously from another thread; use Post.");

    /// <inheritdoc />
    public override SynchronizationContext CreateCopy() => this;
}
