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
    private readonly CancellationToken _cancellationToken;

    internal DelayAwaitable(TimeSpan delay, CancellationToken cancellationToken = default)
    {
        _delay = delay;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Gets the awaiter.</summary>
    /// <returns>The awaiter.</returns>
    public Awaiter GetAwaiter() => new(_delay, _cancellationToken);

    /// <summary>Awaits a delay.</summary>
    public readonly struct Awaiter : ICriticalNotifyCompletion, ITandemAwaiter
    {
        /// <summary>Set on the thread that resumes an await made outside any task, for that resumption's GetResult.</summary>
        [ThreadStatic] private static bool t_resumingAfterSystemDelay;

        private readonly TimeSpan _delay;
        private readonly CancellationToken _cancellationToken;

        internal Awaiter(TimeSpan delay, CancellationToken cancellationToken)
        {
            _delay = delay;
            _cancellationToken = cancellationToken;
        }

        /// <summary>True for a zero delay, when the delay's token is cancelled, or when the task is being aborted.</summary>
        public bool IsCompleted => _delay <= TimeSpan.Zero || _cancellationToken.IsCancellationRequested || AbortCheck.IsAbortRequested;

        /// <summary>Ends the await: throws <see cref="TaskAbortedException"/> when the task was aborted while it slept.</summary>
        /// <exception cref="InvalidOperationException">Called outside a Tandem task without awaiting
        /// (<c>Async.Delay(50).GetAwaiter().GetResult()</c>): a delay is awaited, never waited for synchronously.</exception>
        /// <exception cref="OperationCanceledException">The delay's token was cancelled before the delay ended.</exception>
        [StackTraceHidden]
        public void GetResult()
        {
            if (TaskCore.Current is { } task)
            {
                if (_cancellationToken.CanBeCanceled) task.ReleaseDelayCancellation();
            }
            else if (_delay > TimeSpan.Zero && !_cancellationToken.IsCancellationRequested)
            {
                // Outside a task, only the resumption of a real await (see Register) may end the delay.
                if (!t_resumingAfterSystemDelay) throw WaitedSynchronously();
                t_resumingAfterSystemDelay = false;
            }
            _cancellationToken.ThrowIfCancellationRequested();
            AbortCheck.ThrowIfAbortRequested();
        }

        /// <inheritdoc />
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        /// <inheritdoc />
        public void UnsafeOnCompleted(Action continuation) => Register(AwaitContinuation.Of(continuation));

        void ITandemAwaiter.OnCompleted(AsyncMethodBox box) => Register(AwaitContinuation.Of(box));

        private void Register(AwaitContinuation continuation)
        {
            if (TaskCore.Current is not { } task)
            {
                // Awaited outside a Tandem task (a TandemTask method run from ordinary code): there is no scheduler
                // clock, so the system timer waits, and the resumption tells GetResult it really waited.
                var resume = continuation.AsAction();
                Task.Delay(_delay, _cancellationToken).ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() =>
                {
                    t_resumingAfterSystemDelay = true;
                    try
                    {
                        resume();
                    }
                    finally
                    {
                        t_resumingAfterSystemDelay = false;
                    }
                });
                return;
            }
            var wait = ClaimableWait.Capture(continuation);
            task.Timers.AddTimer(_delay, wait);
            if (_cancellationToken.CanBeCanceled) task.EndDelayWhenCancelled(_cancellationToken, wait);
        }

        private static InvalidOperationException WaitedSynchronously() => new(
            "Async.Delay is awaited, not waited for synchronously: 'await Async.Delay(…)' (inside a Tandem task it runs on the " +
            "scheduler's clock; outside one on the system timer), or Thread.Sleep / Task.Delay(…).Wait() in blocking code.");
    }
}
