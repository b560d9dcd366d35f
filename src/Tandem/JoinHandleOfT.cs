using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Tandem;

/// <summary>
/// The handle of a spawned task that produces a <typeparamref name="T"/>: await it (or block on it) to get the result or the task's exception,
/// ask whether it <see cref="IsFinished">finished</see>, or <see cref="Abort"/> it.
/// </summary>
/// <remarks>
/// The handle is a small value: spawning and joining allocate nothing. Join it at most once:
/// joining hands the task's slot back to its scheduler, after which <see cref="IsFinished"/> stays
/// true and <see cref="State"/> and a second join throw <see cref="InvalidOperationException"/>.
/// </remarks>
/// <typeparam name="T">The task's result type.</typeparam>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public readonly struct JoinHandle<T>
{
    private string DebuggerDisplay => _source is null ? "JoinHandle (default)" : $"JoinHandle task {Id}, {(IsFinished ? "finished" : "not finished")}";

    private readonly IJoinSource<T>? _source;
    private readonly int _token;

    internal JoinHandle(IJoinSource<T> source, int token, long id)
    {
        _source = source;
        _token = token;
        Id = id;
    }

    /// <summary>The task's id: positive, increasing in spawn order, and never reused by another task of the process, on any runtime.</summary>
    public long Id { get; }

    /// <summary>True when the task has finished: completed, faulted or aborted.</summary>
    public bool IsFinished => Source.IsFinished(_token);

    /// <summary>The task's state: pending, running, or how it ended — also after it was joined (on the embedded tier,
    /// until the pooled state of a later task of the same kind ends too).</summary>
    /// <exception cref="InvalidOperationException">Embedded tier: the task was joined and two later tasks of the same kind
    /// reused its pooled state, so its outcome is no longer known.</exception>
    public TaskState State => Source.GetState(_token);

    /// <summary>
    /// Asks the task to stop: it is not polled again, or, for an async method, its next Tandem
    /// await throws <see cref="TaskAbortedException"/> so that its <c>finally</c> blocks run.
    /// Joining it then throws <see cref="TaskAbortedException"/>. No effect on a finished task.
    /// </summary>
    public void Abort() => Source.Abort(_token);

    /// <summary>Aborts the task when <paramref name="token"/> is cancelled (cancellation interop).</summary>
    /// <param name="token">The token.</param>
    /// <returns>The registration; dispose it to stop listening.</returns>
    public CancellationTokenRegistration AbortOn(CancellationToken token)
    {
        var source = Source;
        int handleToken = _token;
        return token.UnsafeRegister(static (s, _) =>
        {
            var (src, tok) = ((IJoinSource<T>, int))s!;
            src.Abort(tok);
        }, (source, handleToken));
    }

    /// <summary>
    /// Gives up the result: the task runs on, and its slot is freed as soon as it finishes
    /// (an exception it throws is then reported as unobserved). A detached handle cannot be awaited or joined any
    /// more: that throws <see cref="InvalidOperationException"/> on every tier.
    /// </summary>
    public void Detach() => Source.Detach(_token, Id);

    /// <summary>Gets the awaiter: awaiting the handle joins the task.</summary>
    /// <returns>The awaiter.</returns>
    public Awaiter GetAwaiter() => new(this);

    /// <summary>Joins a finished task: returns its result or re-throws its exception.</summary>
    /// <returns>The result.</returns>
    /// <exception cref="InvalidOperationException">The task has not finished, or was already joined.</exception>
    /// <exception cref="TaskAbortedException">The task was aborted.</exception>
    [StackTraceHidden]
    public T GetResult() => Source.Join(_token, Id);

    internal IJoinSource<T> Source =>
        _source ?? throw new InvalidOperationException("This JoinHandle is default: it belongs to no task.");

    internal int Token => _token;

    /// <inheritdoc />
    public override string ToString() => $"JoinHandle(task {Id})";

    /// <summary>Awaits a <see cref="JoinHandle{T}"/>.</summary>
    public readonly struct Awaiter : ICriticalNotifyCompletion, ITandemAwaiter
    {
        private readonly JoinHandle<T> _handle;

        internal Awaiter(JoinHandle<T> handle) => _handle = handle;

        /// <summary>True when the task has finished (or the awaiting task is being aborted).</summary>
        public bool IsCompleted => (_handle.IsFinished && Coop.Proceed()) || AbortCheck.IsAbortRequested;

        /// <summary>Returns the task's result or re-throws its exception.</summary>
        /// <returns>The result.</returns>
        [StackTraceHidden]
        public T GetResult()
        {
            if (AbortCheck.IsAbortRequested)
            {
                // The awaiting task is being aborted: it will not use the result, so let the finished task go
                // (its slot is freed; an exception it threw is reported as unobserved) before unwinding.
                if (_handle.IsFinished) _handle.Detach();
                AbortCheck.ThrowIfAbortRequested();
            }
            return _handle.GetResult();
        }

        /// <inheritdoc />
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        /// <inheritdoc />
        public void UnsafeOnCompleted(Action continuation) =>
            _handle.Source.OnJoin(_handle._token, AwaitContinuation.Of(continuation));

        void ITandemAwaiter.OnCompleted(AsyncMethodBox box) => OnCompleted(box);

        internal void OnCompleted(AsyncMethodBox box) => _handle.Source.OnJoin(_handle._token, AwaitContinuation.Of(box));
    }
}
