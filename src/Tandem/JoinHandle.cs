using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Tandem;

/// <summary>
/// The handle of a spawned task that produces no value. See <see cref="JoinHandle{T}"/>:
/// await it to join, <see cref="Abort"/> to stop, <see cref="IsFinished"/> to ask.
/// </summary>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public readonly struct JoinHandle
{
    private string DebuggerDisplay => _inner.Id == 0 ? "JoinHandle (default)" : $"JoinHandle task {Id}, {(IsFinished ? "finished" : "not finished")}";

    private readonly JoinHandle<VoidResult> _inner;

    internal JoinHandle(JoinHandle<VoidResult> inner) => _inner = inner;

    /// <summary>The task's id, unique in the process.</summary>
    public long Id => _inner.Id;

    /// <summary>True when the task has finished: completed, faulted or aborted.</summary>
    public bool IsFinished => _inner.IsFinished;

    /// <summary>The task's state.</summary>
    /// <exception cref="InvalidOperationException">The task was already joined.</exception>
    public TaskState State => _inner.State;

    /// <summary>Asks the task to stop at its next suspension point. See <see cref="JoinHandle{T}.Abort"/>.</summary>
    public void Abort() => _inner.Abort();

    /// <summary>Aborts the task when <paramref name="token"/> is cancelled.</summary>
    /// <param name="token">The token.</param>
    /// <returns>The registration; dispose it to stop listening.</returns>
    public CancellationTokenRegistration AbortOn(CancellationToken token) => _inner.AbortOn(token);

    /// <summary>Gives up joining: the slot is freed when the task finishes.</summary>
    public void Detach() => _inner.Detach();

    /// <summary>Joins a finished task: re-throws its exception, if any.</summary>
    /// <exception cref="InvalidOperationException">The task has not finished, or was already joined.</exception>
    /// <exception cref="TaskAbortedException">The task was aborted.</exception>
    [StackTraceHidden]
    public void GetResult() => _inner.GetResult();

    /// <summary>Gets the awaiter: awaiting the handle joins the task.</summary>
    /// <returns>The awaiter.</returns>
    public Awaiter GetAwaiter() => new(_inner.GetAwaiter());

    internal JoinHandle<VoidResult> Inner => _inner;

    /// <inheritdoc />
    public override string ToString() => $"JoinHandle(task {Id})";

    /// <summary>Awaits a <see cref="JoinHandle"/>.</summary>
    public readonly struct Awaiter : ICriticalNotifyCompletion, ITandemAwaiter
    {
        private readonly JoinHandle<VoidResult>.Awaiter _inner;

        internal Awaiter(JoinHandle<VoidResult>.Awaiter inner) => _inner = inner;

        /// <summary>True when the task has finished.</summary>
        public bool IsCompleted => _inner.IsCompleted;

        /// <summary>Re-throws the task's exception, if any.</summary>
        [StackTraceHidden]
        public void GetResult() => _inner.GetResult();

        /// <inheritdoc />
        public void OnCompleted(Action continuation) => _inner.UnsafeOnCompleted(continuation);

        /// <inheritdoc />
        public void UnsafeOnCompleted(Action continuation) => _inner.UnsafeOnCompleted(continuation);

        void ITandemAwaiter.OnCompleted(AsyncMethodBox box) => _inner.OnCompleted(box);
    }
}
