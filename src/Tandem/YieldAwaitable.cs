using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Tandem;

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
    public readonly struct Awaiter : ICriticalNotifyCompletion, ITandemAwaiter
    {
        /// <summary>False: a yield always suspends (an abort is seen when it resumes).</summary>
        public bool IsCompleted => false;

        /// <summary>Throws <see cref="TaskAbortedException"/> when the task was aborted meanwhile.</summary>
        [StackTraceHidden]
        public void GetResult() => AbortCheck.ThrowIfAbortRequested();

        /// <inheritdoc />
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        /// <inheritdoc />
        public void UnsafeOnCompleted(Action continuation)
        {
            if (TaskCore.Current is null) QueueOutsideTandem(continuation);
            else ClaimableWait.Capture(AwaitContinuation.Of(continuation)).Fire();
        }

        void ITandemAwaiter.OnCompleted(AsyncMethodBox box)
        {
            // A yield is ready at once: queue the box straight back on its task, which is the one polling here.
            // Nothing is left waiting, so there is no wait for an abort to claim (the abort is seen when the yield returns).
            if (box.Owner is { } task) task.EnqueueFromOwnPoll(box);
            else QueueOutsideTandem(box.ResumeAction);
        }

        // Outside a Tandem task there is no scheduler to yield to: behave like Task.Yield.
        private static void QueueOutsideTandem(Action continuation) =>
            ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
    }
}
