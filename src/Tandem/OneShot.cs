using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Tandem;

/// <summary>
/// A one-shot channel: one value sent once, received once by one awaiting task (Tokio's
/// <c>oneshot</c>). Sending from any thread wakes the receiver on its own scheduler; receiving allocates
/// nothing. <see cref="Reset"/> makes it reusable, so a program can keep a pool of them and exchange
/// messages without allocating.
/// </summary>
/// <remarks>
/// <para>One CAS per send, per receive and per take, as a channel with no rules about who may call it would need. The
/// state word holds three flags — <c>ReceiverClaimed</c>, <c>SendClaimed</c>, <c>Taken</c> — and, above them, the
/// sequence number of the last receiver registration.</para>
/// <para><b>Send.</b> A sender wins the one right to send with a CAS setting <c>SendClaimed</c> (a losing sender never
/// touches the value), then writes the value and sets <c>_sent</c>. If its CAS found <c>ReceiverClaimed</c>, it
/// resumes that receiver, once the receiver has published its resumption (<c>_readySeq</c> equal to the
/// registration's sequence: a few instructions after its claim).</para>
/// <para><b>Receive.</b> A receiver claims its place with a CAS setting <c>ReceiverClaimed</c> and advancing the
/// sequence <em>before</em> it captures anything, so a second receiver is refused without disturbing the first; it
/// then writes its resumption and publishes the sequence. If its CAS found <c>SendClaimed</c> instead, it resumes
/// itself, and its take waits for <c>_sent</c> (the sender is between its claim and its write). The two CASes are
/// ordered on one word, so exactly one side resumes the receiver.</para>
/// <para><b>A receiver that gave up</b> (its task was aborted while it waited: its wait was claimed, or the send had
/// resumed it but it had not run yet) frees its place when it unwinds, or the next receiver frees it; a value sent
/// meanwhile stays for the next receiver. The sequence keeps a published resumption of an earlier registration from
/// being taken for the current one.</para>
/// </remarks>
/// <typeparam name="T">The message type.</typeparam>
public sealed class OneShot<T>
{
    private const int ReceiverClaimed = 1, SendClaimed = 2, Taken = 4;
    private const int SequenceUnit = 8; // registrations are counted in the bits above the flags
    private const int Flags = SequenceUnit - 1;

    private int _state;
    private int _sent;     // 1 once the value is written (after SendClaimed)
    private int _readySeq; // the sequence of the registration whose resumption is written
    private T _value = default!;
    private ClaimableWait _receiver; // written only by the receiver holding the claim

    /// <summary>True once a value was sent (until <see cref="Reset"/>).</summary>
    public bool IsSent => Volatile.Read(ref _sent) != 0;

    /// <summary>Sends <paramref name="value"/>, resuming the receiver if it is waiting. Safe from any thread.</summary>
    /// <param name="value">The message.</param>
    /// <returns>False when a value was already sent (nothing changes then).</returns>
    public bool TrySend(T value)
    {
        int state;
        while (true)
        {
            state = Volatile.Read(ref _state);
            if ((state & SendClaimed) != 0) return false;
            if (Interlocked.CompareExchange(ref _state, state | SendClaimed, state) == state) break;
        }
        _value = value;
        Volatile.Write(ref _sent, 1);
        if ((state & ReceiverClaimed) != 0) ResumeReceiver(state & ~Flags);
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
        if ((state & (ReceiverClaimed | Taken)) == ReceiverClaimed)
            throw new InvalidOperationException("A receiver is waiting on this one-shot channel: it cannot be reset.");
        _value = default!;
        _receiver = default;
        Volatile.Write(ref _sent, 0);
        Volatile.Write(ref _state, state & ~Flags); // the sequence goes on: see the remarks
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ResumeReceiver(int sequence)
    {
        if (Volatile.Read(ref _readySeq) != sequence) WaitForReceiver(sequence); // it is between its claim and its publication
        _receiver.Fire(); // false when the receiver gave up meanwhile: the value stays for the next one
    }

    private void WaitForReceiver(int sequence)
    {
        var spinner = new SpinWait();
        while (Volatile.Read(ref _readySeq) != sequence) spinner.SpinOnce(sleep1Threshold: -1);
    }

    private void Register(AwaitContinuation continuation)
    {
        int sequence;
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if ((state & SendClaimed) != 0)
            {
                ClaimableWait.Capture(continuation).Fire(); // sent, or being sent: queued on the task, not run in this call
                return;
            }
            if ((state & ReceiverClaimed) != 0)
            {
                if (!IsGone(state))
                    throw continuation.Refuse(new InvalidOperationException("A one-shot channel has one receiver at a time."));
                Interlocked.CompareExchange(ref _state, state & ~ReceiverClaimed, state); // take a gone receiver's place
                continue;
            }
            int claimed = (state + SequenceUnit) | ReceiverClaimed;
            if (Interlocked.CompareExchange(ref _state, claimed, state) == state)
            {
                sequence = claimed & ~Flags;
                break;
            }
        }
        // Ours to write: no sender reads the resumption before it sees this registration's sequence published.
        _receiver = ClaimableWait.Capture(continuation);
        Volatile.Write(ref _readySeq, sequence);
    }

    /// <summary>True when the claimed receiver of <paramref name="state"/> has published its resumption and given it up.</summary>
    private bool IsGone(int state) => Volatile.Read(ref _readySeq) == (state & ~Flags) && !_receiver.IsPending;

    /// <summary>Frees the place of a receiver that gave up its wait (an abort claimed it), or, called by the aborted
    /// <paramref name="giver"/>, of its own receiver, even one the send resumed.</summary>
    private void ReleaseGoneReceiver(TaskCore? giver = null)
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if ((state & ReceiverClaimed) == 0 || !IsGone(state)) return;
            // Once sent, a receiver that is no longer pending may be one the send resumed, about to take the value: only
            // its own task, giving up, frees its place then.
            if ((state & SendClaimed) != 0 && !_receiver.IsOf(giver)) return;
            if (Interlocked.CompareExchange(ref _state, state & ~ReceiverClaimed, state) == state) return;
        }
    }

    private T Take()
    {
        if (Volatile.Read(ref _sent) == 0) WaitForValue();
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if ((state & Taken) != 0)
                throw new InvalidOperationException("The one-shot channel's value was already received.");
            if (Interlocked.CompareExchange(ref _state, (state | Taken) & ~ReceiverClaimed, state) == state) break;
        }
        var value = _value;
        _value = default!;
        return value;
    }

    /// <summary>Waits out a sender between its claim and its write of the value; throws when nothing was sent.</summary>
    private void WaitForValue()
    {
        var spinner = new SpinWait();
        while (Volatile.Read(ref _sent) == 0)
        {
            if ((Volatile.Read(ref _state) & SendClaimed) == 0)
                throw new InvalidOperationException("The one-shot channel's value was not sent yet: await ReceiveAsync() instead of reading its result.");
            spinner.SpinOnce(sleep1Threshold: -1);
        }
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
        public bool IsCompleted =>
            (Volatile.Read(ref _channel._sent) != 0 && (Volatile.Read(ref _channel._state) & Taken) == 0 && Coop.Proceed()) || AbortCheck.IsAbortRequested;

        /// <summary>Takes the value.</summary>
        /// <returns>The value.</returns>
        /// <exception cref="TaskAbortedException">The awaiting task was aborted.</exception>
        [StackTraceHidden]
        public T GetResult()
        {
            if (AbortCheck.IsAbortRequested)
            {
                _channel.ReleaseGoneReceiver(TaskCore.Current); // if this task was the receiver, its place is free again
                AbortCheck.ThrowIfAbortRequested();
            }
            return _channel.Take();
        }

        /// <inheritdoc />
        public void OnCompleted(Action continuation) => _channel.Register(AwaitContinuation.Of(continuation));

        /// <inheritdoc />
        public void UnsafeOnCompleted(Action continuation) => _channel.Register(AwaitContinuation.Of(continuation));

        void ITandemAwaiter.OnCompleted(AsyncMethodBox box) => _channel.Register(AwaitContinuation.Of(box));
    }
}
