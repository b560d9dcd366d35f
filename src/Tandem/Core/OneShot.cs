using System.Runtime.CompilerServices;

namespace Tandem.Core;

/// <summary>
/// A one-shot channel: one value sent once, received once by one awaiting task (Tokio's
/// <c>oneshot</c>). Sending from any thread wakes the receiver on its own scheduler; receiving allocates
/// nothing. <see cref="Reset"/> makes it reusable, so a program can keep a pool of them and exchange
/// messages without allocating.
/// </summary>
/// <remarks>
/// <para>State, in one atomic word: the receiver's part (<c>NoReceiver</c>; <c>Registering</c> — a receiver is writing
/// its resumption; <c>Waiting</c> — registered), and the sender's flags (<c>SendClaimed</c> — one sender won the right
/// to send; <c>Sent</c> — the value is there; <c>Taken</c> — the receiver has it).</para>
/// <para>One sender wins the claim with a CAS, writes the value, then sets <c>Sent</c>; a losing sender never touches
/// the value. A receiver claims <c>Registering</c> with a CAS <em>before</em> it captures anything, so a second receiver
/// is refused without disturbing the first, writes its resumption, and then moves to <c>Waiting</c> with a CAS that
/// fails if <c>Sent</c> came meanwhile (then it resumes itself). The sender resumes the receiver only if setting
/// <c>Sent</c> found it <c>Waiting</c>. So whichever comes second resumes the receiver, exactly once.</para>
/// <para>A receiver whose task is aborted while it waits gives its place up (its wait is claimed by the abort, and its
/// unwinding clears <c>Waiting</c>), so another receiver may take it and a value sent later is not lost.</para>
/// </remarks>
/// <typeparam name="T">The message type.</typeparam>
public sealed class OneShot<T>
{
    private const int ReceiverMask = 3, NoReceiver = 0, Registering = 1, Waiting = 2;
    private const int SendClaimed = 4, Sent = 8, Taken = 16;

    private int _state;
    private T _value = default!;
    private Resumption _receiver; // written only while Registering, by the registering receiver

    /// <summary>True once a value was sent (until <see cref="Reset"/>).</summary>
    public bool IsSent => (Volatile.Read(ref _state) & Sent) != 0;

    /// <summary>Sends <paramref name="value"/>, resuming the receiver if it is waiting. Safe from any thread.</summary>
    /// <param name="value">The message.</param>
    /// <returns>False when a value was already sent (nothing changes then).</returns>
    public bool TrySend(T value)
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if ((state & SendClaimed) != 0) return false;
            if (Interlocked.CompareExchange(ref _state, state | SendClaimed, state) == state) break;
        }
        _value = value;
        int before = Interlocked.Or(ref _state, Sent);
        if ((before & ReceiverMask) == Waiting) _receiver.Fire();
        return true;
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

    /// <summary>Empties the channel for reuse. Call it only when nobody is waiting on it and no send is under way.</summary>
    /// <exception cref="InvalidOperationException">A receiver is waiting.</exception>
    public void Reset()
    {
        ReleaseGoneReceiver();
        int state = Volatile.Read(ref _state);
        if ((state & ReceiverMask) != NoReceiver)
            throw new InvalidOperationException("A receiver is waiting on this one-shot channel: it cannot be reset.");
        _value = default!;
        _receiver = default;
        Volatile.Write(ref _state, NoReceiver);
    }

    private void Register(AwaitContinuation continuation)
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if ((state & Sent) != 0)
            {
                Resumption.Capture(continuation).Fire(); // sent meanwhile: queued on the task, not run in this call
                return;
            }
            switch (state & ReceiverMask)
            {
                case Registering:
                case Waiting when _receiver.IsPending:
                    throw continuation.Refuse(new InvalidOperationException("A one-shot channel has one receiver at a time."));
                case Waiting:
                    // The waiting receiver gave up (its task was aborted) without clearing its place: take it.
                    Interlocked.CompareExchange(ref _state, state & ~ReceiverMask, state);
                    continue;
            }
            if (Interlocked.CompareExchange(ref _state, state | Registering, state) == state) break;
        }
        // Ours to write: no sender reads the receiver unless it finds Waiting, which only we set now.
        var receiver = Resumption.Capture(continuation);
        _receiver = receiver;
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if ((state & Sent) != 0)
            {
                if (Interlocked.CompareExchange(ref _state, state & ~ReceiverMask, state) != state) continue;
                receiver.Fire(); // the sender saw no waiting receiver: it left the resuming to us
                return;
            }
            if (Interlocked.CompareExchange(ref _state, (state & ~ReceiverMask) | Waiting, state) == state) return;
        }
    }

    /// <summary>Clears <c>Waiting</c> when the registered receiver gave up its wait (an abort claimed it).</summary>
    private void ReleaseGoneReceiver()
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if ((state & ReceiverMask) != Waiting || _receiver.IsPending) return;
            if (Interlocked.CompareExchange(ref _state, state & ~ReceiverMask, state) == state) return;
        }
    }

    private T Take()
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if ((state & (Sent | Taken)) != Sent)
                throw new InvalidOperationException("The one-shot channel's value was already received, or not sent yet.");
            if (Interlocked.CompareExchange(ref _state, (state | Taken) & ~ReceiverMask, state) == state) break;
        }
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
        public bool IsCompleted => (Volatile.Read(ref _channel._state) & (Sent | Taken)) == Sent || AbortCheck.IsAbortRequested;

        /// <summary>Takes the value.</summary>
        /// <returns>The value.</returns>
        /// <exception cref="TaskAbortedException">The awaiting task was aborted.</exception>
        public T GetResult()
        {
            if (AbortCheck.IsAbortRequested)
            {
                _channel.ReleaseGoneReceiver(); // if this task was the receiver, its place is free again
                AbortCheck.ThrowIfAbortRequested();
            }
            return _channel.Take();
        }

        /// <inheritdoc />
        public void OnCompleted(Action continuation) => _channel.Register(AwaitContinuation.Of(continuation));

        /// <inheritdoc />
        public void UnsafeOnCompleted(Action continuation) => _channel.Register(AwaitContinuation.Of(continuation));

        void ITandemAwaiter.OnCompleted(BoxBase box) => _channel.Register(AwaitContinuation.Of(box));
    }
}
