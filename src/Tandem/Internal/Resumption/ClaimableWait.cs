namespace Tandem.Internal.Resumption;

/// <summary>
/// How a Tandem awaitable resumes its awaiter: a claimable wait on the awaiting task.
/// Built from the continuation an awaiter receives; for Tandem's own builder that costs nothing.
/// </summary>
internal readonly struct ClaimableWait
{
    private readonly Resumable? _target;
    private readonly int _token;

    private ClaimableWait(Resumable target, int token)
    {
        _target = target;
        _token = token;
    }

    /// <summary>What resumes; null when empty.</summary>
    internal Resumable? Target => _target;

    /// <summary>The wait token the target must still hold to be resumed.</summary>
    internal int Token => _token;

    /// <summary>True while the captured wait has been neither fired nor claimed by an abort.</summary>
    internal bool IsPending => _target is not null && Volatile.Read(ref _target.WaitToken) == _token;

    /// <summary>True when the wait was captured for the current task of <paramref name="task"/>.</summary>
    internal bool IsOf(TaskCore? task) =>
        task is not null && _target is { } target && target.Owner == task && target.OwnerGeneration == Volatile.Read(ref task.Generation);

    /// <summary>True when nothing was captured.</summary>
    internal bool IsEmpty => _target is null;

    /// <summary>
    /// Turns <paramref name="continuation"/> into a claimable wait of the current task, and enters it
    /// in the task's list of waits that an abort cancels. A Tandem box is its own wait; a foreign
    /// delegate (or a box outside any task) is wrapped in a <see cref="PostedAction"/>.
    /// </summary>
    internal static ClaimableWait Capture(AwaitContinuation continuation)
    {
        // A box comes from the builder already bound to the polling task (see ITandemAwaiter).
        var box = continuation.Box;
        var current = box is not null ? box.Owner : TaskCore.Current;
        Resumable target = box is not null && current is not null ? box : PostedAction.ForCurrent(current, continuation.AsAction());
        current?.AddWait(target);
        return new ClaimableWait(target, Volatile.Read(ref target.WaitToken));
    }

    /// <summary>A resumption that runs Tandem's own <paramref name="callback"/> inline, on whichever thread fires it;
    /// bound to no task (it must run no user code).</summary>
    internal static ClaimableWait ForCallback(SendOrPostCallback callback, object? state)
    {
        var target = PostedAction.Internal(callback, state);
        return new ClaimableWait(target, target.WaitToken);
    }

    /// <summary>
    /// Gives up a wait captured for an awaiter that then refused to register (it threw): nothing that kept this
    /// resumption can fire it, and it leaves the task's wait list (owner thread).
    /// </summary>
    internal void Abandon() => _target?.AbandonWait(_token);

    /// <summary>Withdraws the wait: firing it later does nothing, and a timer holding it may drop it (see
    /// <c>TimerQueue</c>, <c>TimerWheel</c>). Safe from any thread.</summary>
    /// <returns>True when this call withdrew it (it was still pending).</returns>
    internal bool TryCancel() => _target is not null && Atomic.CompareExchange(ref _target.WaitToken, _token + 1, _token) == _token;

    /// <summary>Resumes the awaiter unless an abort claimed it first. Safe from any thread.</summary>
    internal bool Fire() => _target is not null && _target.TryFire(_token);
}
