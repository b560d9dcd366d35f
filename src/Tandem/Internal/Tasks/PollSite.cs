using System.Diagnostics;

namespace Tandem.Internal.Tasks;

/// <summary>
/// The ambient state of a thread that polls tasks, saved once when it starts driving a scheduler (a worker's
/// loop, an embedded <c>BlockOn</c>) and restored when it stops; in between, <see cref="Enter"/> and
/// <see cref="Exit"/> switch the thread to each polled task and back.
/// </summary>
/// <remarks>
/// <para>Invariants, between two polls of one loop: the current task is the loop's caller's (usually none), and
/// the ExecutionContext is the loop's caller's. The synchronization context is left on the last polled task
/// until <see cref="RestoreSynchronizationContext"/> at the loop's end: setting and restoring it around every poll
/// cost a tenth of a yield, and nothing that runs between polls awaits (a loop that raises a user event restores
/// it first).</para>
/// <para>The site keeps the polling thread's <see cref="Thread"/>, so that switching the synchronization context and
/// checking the execution context touch its fields directly (see <see cref="ThreadAmbient"/>); the execution
/// context is changed only through <see cref="ExecutionContext.Restore"/>, and only when a task has its own.</para>
/// <para>The task's <see cref="TaskCore.Context"/> is the synchronization context of its polls, so that awaits of foreign
/// awaitables (Task, sockets, files) post their continuations back to it: they resume on its scheduler, at its
/// priority.</para>
/// </remarks>
internal readonly struct PollSite
{
    private readonly PollingThread _thread;
    private readonly Thread? _osThread; // set when ThreadAmbient is available
    private readonly TaskCore? _previousTask;
    private readonly SynchronizationContext? _previousContext;
    private readonly ExecutionContext? _previousExecution;
    private readonly ExecutionContext? _previousRawExecution;

    /// <summary>The loop's caller suppressed the flow, and the public API is in use (no <see cref="ThreadAmbient"/>):
    /// <see cref="_previousExecution"/> holds its values, to be restored and suppressed again after a poll.</summary>
    private readonly bool _flowSuppressedWithoutFields;

    private PollSite(PollingThread thread, Thread osThread)
    {
        _thread = thread;
        _previousTask = thread.Current;
        if (ThreadAmbient.Available)
        {
            // Read through the thread object the caller already has: no thread-local lookup.
            _osThread = osThread;
            _previousContext = ThreadAmbient.SynchronizationContextOf(osThread);
            _previousRawExecution = ThreadAmbient.ExecutionContextOf(osThread);
            _previousExecution = AmbientContext.CaptureOn(osThread);
        }
        else
        {
            _previousExecution = ExecutionContext.Capture();
            _previousContext = SynchronizationContext.Current;
            if (_previousExecution is null)
            {
                // The flow is suppressed (Capture reports null) and the suppressed context itself is out of reach: its
                // values are read by lifting the suppression for a moment. The caller's own AsyncFlowControl still undoes
                // the suppression put back here (it checks only that the flow is suppressed).
                ExecutionContext.RestoreFlow();
                _previousExecution = ExecutionContext.Capture();
                ExecutionContext.SuppressFlow();
                _flowSuppressedWithoutFields = true;
            }
        }
    }

    /// <summary>The polling thread, when its fields are reachable (<see cref="ThreadAmbient"/>); otherwise null. What the
    /// tier notes in each task it polls here (<see cref="TaskCore.PollThread"/>).</summary>
    internal Thread? OsThread => _osThread;

    /// <summary>Saves the calling thread's ambient state.</summary>
    internal static PollSite Capture() => new(PollingThread.ForCurrentThread, Thread.CurrentThread);

    /// <summary>Saves the ambient state of <paramref name="current"/>, the calling thread, whose
    /// <see cref="PollingThread"/> is <paramref name="polling"/> (both of which the caller looked up already).</summary>
    internal static PollSite Capture(Thread current, PollingThread polling) => new(polling, current);

    /// <summary>Makes <paramref name="task"/> current on this thread for one poll.</summary>
    /// <returns>True when the task's polls run in the loop's own execution context (the usual case): the end of the
    /// poll then need not compare the task's saved context again.</returns>
    internal bool Enter(TaskCore task)
    {
        _thread.Current = task;
        task.CoopBudget = Coop.Budget;
        var taskContext = task.Context;
        if (ThreadAmbient.Available)
        {
            Debug.Assert(ReferenceEquals(task.PollThread, _osThread), "the tier notes its polling thread in the task before the poll (TaskCore.PollThread)");
            ref var context = ref ThreadAmbient.SynchronizationContextOf(_osThread!);
            if (!ReferenceEquals(context, taskContext)) context = taskContext;
        }
        else if (!ReferenceEquals(SynchronizationContext.Current, taskContext))
        {
            SynchronizationContext.SetSynchronizationContext(taskContext);
        }
        var execution = task.PollsExecutionContext;
        if (ReferenceEquals(execution, _previousExecution)) return true;
        if (execution is not null) ExecutionContext.Restore(execution);
        return false;
    }

    /// <summary>Ends the poll of <paramref name="task"/>: saves its ExecutionContext and gives the thread back its own.</summary>
    /// <param name="task">The task polled.</param>
    /// <param name="inLoopContext">What <see cref="Enter"/> returned.</param>
    internal void Exit(TaskCore task, bool inLoopContext)
    {
        if (ThreadAmbient.Available && ReferenceEquals(ThreadAmbient.ExecutionContextOf(_osThread!), _previousRawExecution))
        {
            // The thread is in the loop's own context: the task neither brought nor made one of its own.
            if (!inLoopContext) task.PollsExecutionContext = _previousExecution;
        }
        else
        {
            var execution = ExecutionContext.Capture();
            if (!ReferenceEquals(execution, task.PollsExecutionContext)) task.PollsExecutionContext = execution;
            RestoreLoopExecutionContext(execution);
        }
        // A loop's caller is usually no task: storing the constant null needs no GC write barrier.
        if (_previousTask is null) _thread.Current = null;
        else _thread.Current = _previousTask;
    }

    /// <summary>Gives the thread back the loop's own execution context after a poll that left another one
    /// (<paramref name="execution"/>, as captured). The raw one when the thread's fields are reachable: a loop driven with
    /// the flow suppressed gets back its suppressed context, which the public API reports as null and could not put
    /// back (the task's values then stayed on the thread after the loop).</summary>
    private void RestoreLoopExecutionContext(ExecutionContext? execution)
    {
        if (ThreadAmbient.Available)
        {
            AmbientContext.RestoreRaw(_previousRawExecution);
        }
        else if (_flowSuppressedWithoutFields)
        {
            // The public API's way: the values, then the suppression again (a new suppressed context per poll: this
            // fallback allocates while the flow is suppressed).
            ExecutionContext.Restore(_previousExecution!);
            ExecutionContext.SuppressFlow();
        }
        else if (!ReferenceEquals(execution, _previousExecution) && _previousExecution is not null)
        {
            ExecutionContext.Restore(_previousExecution);
        }
    }

    /// <summary>
    /// One poll of <paramref name="task"/>, the same on every tier (the task harness): the tier's transition in, the
    /// switch of the thread to the task, cancelling its waits if its abort was requested, its work, handing an
    /// exception that escaped the work (a callback posted to the task threw) to the tier to record, the switch back,
    /// and the tier's transition out. Only the transitions and the outcome's storage are the tier's own.
    /// </summary>
    /// <typeparam name="TWork">The tier's part: a struct, so each tier's poll compiles to one method with direct calls.</typeparam>
    /// <param name="task">The task to poll (owner thread).</param>
    /// <param name="work">The tier's part of the poll.</param>
    /// <returns>True when the task finished.</returns>
    internal bool Poll<TWork>(TaskCore task, TWork work) where TWork : struct, ITaskWork
    {
        work.BeforePoll();
        bool finished;
        bool inLoopContext = Enter(task);
        bool watched = task.NotePollStart();
        try
        {
            if (task.AbortRequested)
            {
                task.CountAbortedPoll();
                task.CancelWaitsForAbort();
            }
            finished = work.Poll();
        }
        catch (Exception e)
        {
            // Only a callback posted to the task (an async void method's exception), or an abort token's
            // callback, can get here: the runners catch what the task's own work throws.
            finished = work.Fail(e);
        }
        if (task.AbortedPollCounted) task.UncountAbortedPoll();
        if (watched) task.PollEnded(finished);
        // Not in a finally: nothing escapes the catch, and the switch back stays inline (a finally is a
        // separate function the JIT calls).
        Exit(task, inLoopContext);
        return work.AfterPoll(finished);
    }

    /// <summary>Puts back the synchronization context the thread had before the loop (the polling thread).</summary>
    internal void RestoreSynchronizationContext()
    {
        if (_osThread is not null)
        {
            Debug.Assert(ReferenceEquals(_osThread, Thread.CurrentThread), "only the polling thread puts its own context back");
            ref var context = ref ThreadAmbient.SynchronizationContextOf(_osThread);
            if (!ReferenceEquals(context, _previousContext)) context = _previousContext;
        }
        else if (!ReferenceEquals(SynchronizationContext.Current, _previousContext))
        {
            SynchronizationContext.SetSynchronizationContext(_previousContext);
        }
    }
}
