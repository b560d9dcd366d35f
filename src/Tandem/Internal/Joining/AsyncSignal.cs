using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Tandem.Internal.Joining;

/// <summary>
/// An auto-reset signal with one waiter: <see cref="Set"/> from any thread resumes the task
/// awaiting <see cref="WaitAsync"/>, or lets its next wait pass at once. Allocation-free.
/// </summary>
/// <remarks>
/// States: not set with no waiter; set (the next wait passes and clears it); a waiter registered
/// (the next <see cref="Set"/> resumes it). A lock orders <see cref="Set"/> against registration,
/// so a set is never lost between a waiter's check and its registration.
/// </remarks>
internal sealed class AsyncSignal
{
    private readonly Lock _lock = new();
    private bool _set;
    private ClaimableWait _waiter;

    /// <summary>Sets the signal, resuming the waiter if there is one.</summary>
    internal void Set()
    {
        ClaimableWait waiter;
        lock (_lock)
        {
            waiter = _waiter;
            _waiter = default;
            if (waiter.IsEmpty) _set = true;
        }
        if (!waiter.IsEmpty && !waiter.Fire())
        {
            // The waiter was aborted: keep the signal for the next wait.
            lock (_lock) _set = true;
        }
    }

    /// <summary>Waits until the signal is set, then clears it.</summary>
    internal Awaitable WaitAsync() => new(this);

    private bool TryConsume()
    {
        lock (_lock)
        {
            if (!_set) return false;
            _set = false;
            return true;
        }
    }

    private void Register(AwaitContinuation continuation)
    {
        ClaimableWait resumption;
        bool runNow;
        lock (_lock)
        {
            // One waiter: a second one would silently take the first's place, and the first would wait for ever. A
            // waiter whose task was aborted has given its wait up, and may be replaced.
            if (!_set && _waiter.IsPending)
                throw continuation.Refuse(new InvalidOperationException(
                    "Another task is already waiting on this set: a join set or futures-unordered set has one consumer at a time."));
            resumption = ClaimableWait.Capture(continuation);
            runNow = _set;
            if (runNow) _set = false;
            else _waiter = resumption;
        }
        if (runNow) resumption.Fire();
    }

    /// <summary>Awaits an <see cref="AsyncSignal"/>.</summary>
    internal readonly struct Awaitable(AsyncSignal signal) : ICriticalNotifyCompletion, ITandemAwaiter
    {
        public Awaitable GetAwaiter() => this;

        public bool IsCompleted => (Coop.Proceed() && signal.TryConsume()) || AbortCheck.IsAbortRequested;

        [StackTraceHidden]
        public void GetResult() => AbortCheck.ThrowIfAbortRequested();

        public void OnCompleted(Action continuation) => signal.Register(AwaitContinuation.Of(continuation));

        public void UnsafeOnCompleted(Action continuation) => signal.Register(AwaitContinuation.Of(continuation));

        void ITandemAwaiter.OnCompleted(AsyncMethodBox box) => signal.Register(AwaitContinuation.Of(box));
    }
}
