using System.Runtime.CompilerServices;

namespace Tandem.Core;

/// <summary>
/// A one-shot channel: one value sent once, received once by one awaiting task (Tokio's
/// <c>oneshot</c>). Sending from any thread wakes the receiver on its own scheduler; receiving allocates
/// nothing. <see cref="Reset"/> makes it reusable, so a program can keep a pool of them and exchange
/// messages without allocating.
/// </summary>
/// <remarks>
/// States, in one atomic word: <c>Empty</c>; <c>Waiting</c> (the receiver registered before the send);
/// <c>Sent</c> (a value is there); <c>Taken</c> (the receiver has it). The receiver registers with a CAS
/// from Empty to Waiting and the sender publishes with a CAS to Sent, so whichever comes second resumes
/// the receiver: a send is never lost and the receiver is resumed once.
/// </remarks>
/// <typeparam name="T">The message type.</typeparam>
public sealed class OneShot<T>
{
    private const int Empty = 0, Waiting = 1, Sent = 2, Taken = 3;

    private int _state;
    private T _value = default!;
    private Resumption _receiver;

    /// <summary>True once a value was sent (until <see cref="Reset"/>).</summary>
    public bool IsSent => Volatile.Read(ref _state) >= Sent;

    /// <summary>Sends <paramref name="value"/>, resuming the receiver if it is waiting. Safe from any thread.</summary>
    /// <param name="value">The message.</param>
    /// <returns>False when a value was already sent (nothing changes then).</returns>
    public bool TrySend(T value)
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if (state >= Sent) return false;
            _value = value;
            if (Interlocked.CompareExchange(ref _state, Sent, state) != state) continue;
            if (state == Waiting) _receiver.Fire();
            return true;
        }
    }

    /// <summary>Sends <paramref name="value"/>.</summary>
    /// <param name="value">The message.</param>
    /// <exception cref="InvalidOperationException">A value was already sent.</exception>
    public void Send(T value)
    {
        if (!TrySend(value)) throw new InvalidOperationException("A one-shot channel carries one value: it was already sent.");
    }

    /// <summary>Waits for the value (awaited by one task at a time).</summary>
    /// <returns>An awaitable of the value.</returns>
    public ReceiveAwaitable ReceiveAsync() => new(this);

    /// <summary>Empties the channel for reuse. Call it only when nobody is waiting on it.</summary>
    /// <exception cref="InvalidOperationException">A receiver is waiting.</exception>
    public void Reset()
    {
        if (Volatile.Read(ref _state) == Waiting)
            throw new InvalidOperationException("A receiver is waiting on this one-shot channel: it cannot be reset.");
        _value = default!;
        _receiver = default;
        Volatile.Write(ref _state, Empty);
    }

    private void Register(AwaitContinuation continuation)
    {
        _receiver = Resumption.Capture(continuation);
        if (Interlocked.CompareExchange(ref _state, Waiting, Empty) == Empty) return;
        if (Volatile.Read(ref _state) == Waiting)
            throw new InvalidOperationException("A one-shot channel has one receiver at a time.");
        _receiver.Fire(); // sent meanwhile
    }

    private T Take()
    {
        if (Interlocked.CompareExchange(ref _state, Taken, Sent) != Sent)
            throw new InvalidOperationException("The one-shot channel's value was already received, or not sent yet.");
        var value = _value;
        _value = default!;
        return value;
    }

    /// <summary>Awaits a <see cref="OneShot{T}"/>'s value.</summary>
    public readonly struct ReceiveAwaitable : ICriticalNotifyCompletion, ITandemAwaiter
    {
        private readonly OneShot<T> _channel;

        internal ReceiveAwaitable(OneShot<T> channel) => _channel = channel;

        /// <summary>Gets the awaiter.</summary>
        /// <returns>This.</returns>
        public ReceiveAwaitable GetAwaiter() => this;

        /// <summary>True when the value is there (or the awaiting task is being aborted).</summary>
        public bool IsCompleted => Volatile.Read(ref _channel._state) == Sent || AbortCheck.IsAbortRequested;

        /// <summary>Takes the value.</summary>
        /// <returns>The value.</returns>
        /// <exception cref="TaskAbortedException">The awaiting task was aborted.</exception>
        public T GetResult()
        {
            AbortCheck.ThrowIfAbortRequested();
            return _channel.Take();
        }

        /// <inheritdoc />
        public void OnCompleted(Action continuation) => _channel.Register(AwaitContinuation.Of(continuation));

        /// <inheritdoc />
        public void UnsafeOnCompleted(Action continuation) => _channel.Register(AwaitContinuation.Of(continuation));

        void ITandemAwaiter.OnCompleted(BoxBase box) => _channel.Register(AwaitContinuation.Of(box));
    }
}
