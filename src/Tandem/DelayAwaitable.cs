using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Tandem;

/// <summary>
/// <c>await Async.Delay(…)</c>: resumes the task after a span of its scheduler's clock (the
/// real clock, or a <see cref="VirtualClock"/> in tests). Allocation-free inside a Tandem async method.
/// </summary>
public readonly struct DelayAwaitable
{
    private readonly TimeSpan _delay;

    internal DelayAwaitable(TimeSpan delay) => _delay = delay;

    /// <summary>Gets the awaiter.</summary>
    /// <returns>The awaiter.</returns>
    public Awaiter GetAwaiter() => new(_delay);

    /// <summary>Awaits a delay.</summary>
    public readonly struct Awaiter : ICriticalNotifyCompletion, ITandemAwaiter
    {
        private readonly TimeSpan _delay;

        internal Awaiter(TimeSpan delay) => _delay = delay;

        /// <summary>True for a zero delay, or when the task is being aborted.</summary>
        public bool IsCompleted => _delay <= TimeSpan.Zero || AbortCheck.IsAbortRequested;

        /// <summary>Throws <see cref="TaskAbortedException"/> when the task was aborted while it slept.</summary>
        [StackTraceHidden]
        public void GetResult() => AbortCheck.ThrowIfAbortRequested();

        /// <inheritdoc />
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        /// <inheritdoc />
        public void UnsafeOnCompleted(Action continuation) => Register(AwaitContinuation.Of(continuation));

        void ITandemAwaiter.OnCompleted(AsyncMethodBox box) => Register(AwaitContinuation.Of(box));

        private void Register(AwaitContinuation continuation)
        {
            if (TaskCore.Current is not { } task)
            {
                // Outside a Tandem task there is no scheduler clock: use the system timer.
                Task.Delay(_delay).GetAwaiter().UnsafeOnCompleted(continuation.AsAction());
                return;
            }
            task.Timers.AddTimer(_delay, ClaimableWait.Capture(continuation));
        }
    }
}
