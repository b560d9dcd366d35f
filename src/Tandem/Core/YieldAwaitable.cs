using System.Runtime.CompilerServices;

namespace Tandem.Core;

/// <summary>
/// <c>await Async.Yield()</c>: the task goes behind every other ready task of its priority and
/// resumes on its scheduler. Allocation-free inside a Tandem async method.
/// </summary>
public readonly struct YieldAwaitable
{
    /// <summary>Gets the awaiter.</summary>
    /// <returns>The awaiter.</returns>
    public Awaiter GetAwaiter() => default;

    /// <summary>Awaits a yield.</summary>
    public readonly struct Awaiter : ICriticalNotifyCompletion
    {
        /// <summary>False: a yield always suspends (unless the task is being aborted).</summary>
        public bool IsCompleted => AbortCheck.IsAbortRequested;

        /// <summary>Throws <see cref="TaskAbortedException"/> when the task was aborted meanwhile.</summary>
        public void GetResult() => AbortCheck.ThrowIfAbortRequested();

        /// <inheritdoc />
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        /// <inheritdoc />
        public void UnsafeOnCompleted(Action continuation)
        {
            var task = TaskCore.Current;
            if (task is null)
            {
                // Outside a Tandem task there is no scheduler to yield to: behave like Task.Yield.
                ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
                return;
            }
            if (continuation.Target is BoxBase box && box.Owner == task)
            {
                // A yield is ready at once: queue the box straight back on its task. Nothing is left waiting,
                // so there is no wait for an abort to claim (the abort is seen when the yield returns).
                task.EnqueueReady(box);
                return;
            }
            Resumption.Capture(continuation).Fire();
        }
    }
}
