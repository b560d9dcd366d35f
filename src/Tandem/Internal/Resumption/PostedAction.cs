namespace Tandem.Internal.Resumption;

/// <summary>
/// A continuation from outside Tandem's own builder — an <c>async Task</c> method's, a synchronization-context
/// post, a callback — queued on the task it belongs to so that it runs on the scheduler, inside that task.
/// This is the one resumption that allocates; Tandem's own builder never needs it.
/// </summary>
/// <remarks>
/// Where it runs: inside a poll of the task (and generation) it was captured for. If that task has finished
/// by then, it runs on the .NET thread pool with no Tandem context — as continuations run when there is no
/// synchronization context. One captured outside any task runs inline on the thread that completes what it awaited,
/// unless that thread is inside Tandem (then on the thread pool). It never runs inside another task's poll, and it
/// is never dropped.
/// </remarks>
internal sealed class PostedAction : Resumable
{
    private readonly SendOrPostCallback _callback;
    private readonly object? _state;
    private readonly bool _runsInline;

    /// <summary>Set by whichever runs the callback first: the task (<see cref="Run"/>) or a rescue from a blocked poll
    /// (<see cref="TryTakeForRescue"/>). Once.</summary>
    private int _taken;

    private PostedAction(SendOrPostCallback callback, object? state, bool runsInline)
    {
        _callback = callback;
        _state = state;
        _runsInline = runsInline;
    }

    /// <summary>A continuation for the task being polled on this thread (or for none, outside a task).</summary>
    internal static PostedAction ForCurrent(TaskCore? current, Action action)
    {
        var posted = new PostedAction(static s => ((Action)s!)(), action, runsInline: false);
        posted.SetOwner(current);
        return posted;
    }

    /// <summary>A callback posted to the task of <paramref name="generation"/> on <paramref name="owner"/>.</summary>
    internal static PostedAction ForTask(TaskCore owner, int generation, SendOrPostCallback callback, object? state)
    {
        var posted = new PostedAction(callback, state, runsInline: false);
        posted.SetOwner(owner, generation);
        return posted;
    }

    /// <summary>A callback of Tandem's own, bound to no task, that runs inline on whichever thread fires it: it
    /// only records an event (a timeout's deadline) and runs no user code.</summary>
    internal static PostedAction Internal(SendOrPostCallback callback, object? state) => new(callback, state, runsInline: true);

    /// <summary>Runs the callback with no Tandem context, on the thread pool.</summary>
    internal static void RunOnThreadPool(SendOrPostCallback callback, object? state) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.callback(s.state), (callback, state), preferLocal: false);

    internal override void Run()
    {
        if (InWaitList) Owner!.RemoveWait(this);
        if (Interlocked.Exchange(ref _taken, 1) != 0) return; // rescued from a blocked poll meanwhile
        _callback(_state);
    }

    /// <summary>
    /// Takes the callback away from its task, whose poll is blocked (see <see cref="Host.HostJoinCell{T}.Post"/>): runs it on
    /// the thread pool, unless the task ran it first. Any thread.
    /// </summary>
    /// <returns>True when this call took it.</returns>
    internal bool TryTakeForRescue()
    {
        if (Interlocked.Exchange(ref _taken, 1) != 0) return false;
        RunOnThreadPool(_callback, _state);
        return true;
    }

    internal override void OnOwnerGone()
    {
        // Not inside the finished task, and not in whatever task now uses its object: where it would have run
        // had there been no task to return to.
        // Its wait-list links belong to the finished task's owner thread, which clears them: not touched here.
        if (Interlocked.Exchange(ref _taken, 1) != 0) return;
        RunOnThreadPool(_callback, _state);
    }

    internal override void RunWithoutOwner()
    {
        if (Interlocked.Exchange(ref _taken, 1) != 0) return;
        if (_runsInline || IsOutsideTandem) _callback(_state);
        else RunOnThreadPool(_callback, _state);
    }
}
