using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Tandem;

/// <summary>
/// A bounded multi-producer, single-consumer channel: any thread or task sends with <see cref="TrySend"/>;
/// one task receives with <c>await ReceiveAsync()</c>, on its own scheduler. Its capacity is fixed, so
/// sending, receiving and waking the receiver allocate nothing.
/// </summary>
/// <remarks>
/// A ring buffer under a lock held for a few instructions. The receiver registers under the lock only when
/// the buffer is empty, and a sender that finds it registered takes it out under the same lock and resumes
/// it after: an item is never left unseen by a parked receiver, and the receiver is resumed once.
/// </remarks>
/// <typeparam name="T">The message type.</typeparam>
public sealed class MpscChannel<T>
{
    private readonly Lock _lock = new();
    private readonly T[] _items;
    private int _head;
    private int _count;
    private bool _completed;
    private bool _receiverWaiting;
    private ClaimableWait _receiver;

    /// <summary>Creates a channel that holds up to <paramref name="capacity"/> messages.</summary>
    /// <param name="capacity">1 to 1,048,576.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is out of range.</exception>
    public MpscChannel(int capacity)
    {
        if (capacity is < 1 or > 1 << 20)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "A channel holds 1 to 1,048,576 messages.");
        _items = new T[capacity];
    }

    /// <summary>How many messages fit.</summary>
    public int Capacity => _items.Length;

    /// <summary>Messages sent and not yet received.</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _count;
        }
    }

    /// <summary>True once <see cref="Complete"/> was called.</summary>
    public bool IsCompleted
    {
        get
        {
            lock (_lock) return _completed;
        }
    }

    /// <summary>Sends <paramref name="item"/>, waking the receiver. Safe from any thread.</summary>
    /// <param name="item">The message.</param>
    /// <returns>False when the channel is full or completed (the message is not sent).</returns>
    public bool TrySend(T item)
    {
        ClaimableWait receiver;
        lock (_lock)
        {
            if (_completed || _count == _items.Length) return false;
            _items[(_head + _count++) % _items.Length] = item;
            receiver = TakeReceiver();
        }
        receiver.Fire();
        return true;
    }

    /// <summary>Says no more messages will come: the receiver gets those left, then <see cref="ChannelCompletedException"/>.</summary>
    public void Complete()
    {
        ClaimableWait receiver;
        lock (_lock)
        {
            _completed = true;
            receiver = TakeReceiver();
        }
        receiver.Fire();
    }

    /// <summary>Takes a message if one is there.</summary>
    /// <param name="item">The message.</param>
    /// <returns>False when the channel is empty.</returns>
    public bool TryReceive(out T item)
    {
        lock (_lock) return TryDequeue(out item);
    }

    /// <summary>Waits for the next message (one receiving task at a time).</summary>
    /// <returns>An awaitable of the message; it throws <see cref="ChannelCompletedException"/> once the channel is completed and empty.</returns>
    public ReceiveAwaitable ReceiveAsync() => new(this);

    private ClaimableWait TakeReceiver()
    {
        if (!_receiverWaiting) return default;
        _receiverWaiting = false;
        var receiver = _receiver;
        _receiver = default;
        return receiver;
    }

    private bool TryDequeue(out T item)
    {
        if (_count == 0)
        {
            item = default!;
            return false;
        }
        item = _items[_head];
        _items[_head] = default!;
        _head = (_head + 1) % _items.Length;
        _count--;
        return true;
    }

    private bool IsReady
    {
        get
        {
            lock (_lock) return _count > 0 || _completed;
        }
    }

    private void Register(AwaitContinuation continuation)
    {
        lock (_lock)
        {
            // Checked before anything is captured: a refused second receiver leaves no wait behind.
            if (_receiverWaiting && _receiver.IsPending)
                throw continuation.Refuse(new InvalidOperationException("An MPSC channel has one receiver at a time."));
            if (_count == 0 && !_completed)
            {
                _receiver = ClaimableWait.Capture(continuation);
                _receiverWaiting = true;
                return;
            }
        }
        ClaimableWait.Capture(continuation).Fire(); // a message (or completion) is there: queued on the task, not run in this call
    }

    [StackTraceHidden]
    private T Receive()
    {
        AbortCheck.ThrowIfAbortRequested();
        lock (_lock)
        {
            if (TryDequeue(out var item)) return item;
            if (_completed) throw new ChannelCompletedException();
        }
        throw new InvalidOperationException("No message is there: await ReceiveAsync() instead of reading its result.");
    }

    /// <summary>Awaits the next message of an <see cref="MpscChannel{T}"/>.</summary>
    public readonly struct ReceiveAwaitable : ICriticalNotifyCompletion, ITandemAwaiter
    {
        private readonly MpscChannel<T> _channel;

        internal ReceiveAwaitable(MpscChannel<T> channel) => _channel = channel;

        /// <summary>Gets the awaiter.</summary>
        /// <returns>This.</returns>
        public ReceiveAwaitable GetAwaiter() => this;

        /// <summary>True when a message (or the completion) is there, or the awaiting task is being aborted.</summary>
        public bool IsCompleted => (_channel.IsReady && Coop.Proceed()) || AbortCheck.IsAbortRequested;

        /// <summary>Takes the message.</summary>
        /// <returns>The message.</returns>
        /// <exception cref="ChannelCompletedException">The channel is completed and empty.</exception>
        /// <exception cref="TaskAbortedException">The awaiting task was aborted.</exception>
        [StackTraceHidden]
        public T GetResult() => _channel.Receive();

        /// <inheritdoc />
        public void OnCompleted(Action continuation) => _channel.Register(AwaitContinuation.Of(continuation));

        /// <inheritdoc />
        public void UnsafeOnCompleted(Action continuation) => _channel.Register(AwaitContinuation.Of(continuation));

        void ITandemAwaiter.OnCompleted(AsyncMethodBox box) => _channel.Register(AwaitContinuation.Of(box));
    }
}
