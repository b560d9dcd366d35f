using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Tandem.Internal.AsyncMethods;

/// <summary>
/// The completion half of a suspended Tandem async method: its result or exception and the one
/// awaiter waiting for it. Reused from a pool; <see cref="Version"/> tells a stale
/// <see cref="TandemTask{T}"/> from the live one.
/// </summary>
/// <remarks>
/// Continuation states: null (nobody waiting, not complete); one awaiter waiting — a <see cref="AsyncMethodBox"/>, a
/// <see cref="PostedAction"/> wrapping a foreign awaiter's delegate (bound to the task that awaited, so that it
/// resumes there and never inline inside whichever task completes this one), or an <see cref="ICompletionListener"/>;
/// or <see cref="s_completed"/> (complete). The awaiter and the completer race with compare-and-swap, so whichever
/// comes second runs the continuation.
/// </remarks>
internal abstract class TandemTaskSource<T> : AsyncMethodBox
{
    private static readonly object s_completed = new();

    private object? _continuation;
    private T _result = default!;
    private ExceptionDispatchInfo? _error;

    /// <summary>Advanced on every reuse; a task value holding another version is stale.</summary>
    internal short Version = WrapTesting.ShortStart;

    internal bool IsCompleted(short token)
    {
        Validate(token);
        return ReferenceEquals(Volatile.Read(ref _continuation), s_completed);
    }

    internal void OnCompleted(AwaitContinuation continuation, short token)
    {
        if (token != Version)
            throw continuation.Refuse(new InvalidOperationException("This TandemTask was already awaited; a TandemTask may be awaited only once."));
        // A box is registered itself, bound to a task or not: completion resumes it through ResumeFromOwner, without
        // making its delegate. A foreign delegate is bound to the task awaiting here (or to none), so that it is
        // queued there, not run inline in the completer's poll.
        object registered = (object?)continuation.Box ?? PostedAction.ForCurrent(TaskCore.Current, continuation.AsAction());
        object? previous = Interlocked.CompareExchange(ref _continuation, registered, null);
        if (previous is null) return;
        if (!ReferenceEquals(previous, s_completed))
            throw continuation.Refuse(new InvalidOperationException("A TandemTask may be awaited only once, by one awaiter at a time."));
        Invoke(registered);
    }

    /// <summary>Registers a listener (the task runner) instead of a delegate; it is told inline at completion.</summary>
    internal void OnCompleted(ICompletionListener listener, short token)
    {
        Validate(token);
        object? previous = Interlocked.CompareExchange(ref _continuation, listener, null);
        if (previous is null) return;
        if (!ReferenceEquals(previous, s_completed))
            throw new InvalidOperationException("A TandemTask may be awaited only once, by one awaiter at a time.");
        listener.OnCompleted(Owner);
    }

    /// <summary>
    /// Takes <paramref name="listener"/> back off this pending source (a task that ended without its method completing);
    /// false when completion already took it, and may be telling it right now.
    /// </summary>
    internal bool TryRemoveListener(ICompletionListener listener) =>
        ReferenceEquals(Interlocked.CompareExchange(ref _continuation, null, listener), listener);

    [StackTraceHidden]
    internal T GetResult(short token)
    {
        Validate(token);
        if (!ReferenceEquals(Volatile.Read(ref _continuation), s_completed))
            throw new InvalidOperationException("The TandemTask has not completed; await it instead of reading its result.");
        var error = _error;
        var result = _result;
        Recycle();
        error?.Throw();
        return result;
    }

    internal void SetResult(T result)
    {
        _result = result;
        SignalCompletion();
    }

    internal void SetException(Exception exception)
    {
        _error = ExceptionDispatchInfo.Capture(exception);
        SignalCompletion();
    }

    /// <summary>Returns the box to its pool after the result was read.</summary>
    protected abstract void ReturnToPool();

    private void Recycle()
    {
        _result = default!;
        _error = null;
        _continuation = null;
        SetOwner(null);
        unchecked { Version++; }
        ReturnToPool();
    }

    private void SignalCompletion()
    {
        object? waiting = Interlocked.Exchange(ref _continuation, s_completed);
        if (waiting is not null) Invoke(waiting);
    }

    private void Invoke(object continuation)
    {
        switch (continuation)
        {
            case AsyncMethodBox box: box.ResumeFromOwner(); break;
            case ICompletionListener listener: listener.OnCompleted(Owner); break;
            default: ((PostedAction)continuation).Deliver(); break;
        }
    }

    private void Validate(short token)
    {
        if (token != Version)
            throw new InvalidOperationException("This TandemTask was already awaited; a TandemTask may be awaited only once.");
    }
}
