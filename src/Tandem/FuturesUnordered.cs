using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Tandem;

/// <summary>
/// A set of in-flight work — spawned tasks, Tandem async operations, poll-based futures — whose
/// results come out in the order the work completes.
/// Capacity is fixed (default <see cref="TandemDefaults.DefaultMaxFutures"/>).
/// </summary>
/// <remarks>
/// Poll-based futures are polled by the consumer, inside <see cref="NextAsync()"/> or <see cref="TryNext"/>,
/// and only after their own waker fired: each member has a waker of its own, which marks it in a
/// bitmask and wakes the consumer, so a set of many idle futures costs nothing per turn.
/// Pushing, completing and taking out allocate nothing once the set has been used at its capacity.
/// The set belongs to one consuming task at a time; its members may complete, and their wakers fire, on any thread.
/// </remarks>
/// <typeparam name="T">The members' result type.</typeparam>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public sealed class FuturesUnordered<T> : IAsyncEnumerable<T>, IDisposable, IJoinListener, IWakeTarget
{
    private string DebuggerDisplay => _disposed ? "FuturesUnordered (disposed)" : $"FuturesUnordered Count = {Count}, Capacity = {Capacity}";

    /// <summary>The largest capacity a set accepts.</summary>
    public const int MaxCapacity = 1 << 16;

    private const byte None = 0, Handle = 1, Operation = 2, Future = 3;

    private readonly CompletionQueue _queue;
    private readonly byte[] _kinds;
    private readonly int[] _generations;
    private readonly long[] _wakeRecords; // whom a member's woken bit is for (see WakeRecord)
    private readonly JoinHandle<T>[] _handles;
    private readonly TandemTask<T>[] _operations;
    private readonly Action?[] _operationCallbacks;
    private readonly IFuture<T>?[] _futures;
    private readonly T[] _results;
    private readonly ExceptionDispatchInfo?[] _errors;
    private readonly ulong[] _woken;
    private bool _disposed;

    /// <summary>Creates an empty set.</summary>
    /// <param name="capacity">How many members it holds: 1 to <see cref="MaxCapacity"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is out of range.</exception>
    public FuturesUnordered(int capacity = TandemDefaults.DefaultMaxFutures)
    {
        if (capacity is < 1 or > MaxCapacity)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"A futures-unordered set holds 1 to {MaxCapacity} members.");
        _queue = new CompletionQueue(capacity);
        _kinds = new byte[capacity];
        _generations = new int[capacity];
        _wakeRecords = new long[capacity];
        _handles = new JoinHandle<T>[capacity];
        _operations = new TandemTask<T>[capacity];
        _operationCallbacks = new Action?[capacity];
        _futures = new IFuture<T>?[capacity];
        _results = new T[capacity];
        _errors = new ExceptionDispatchInfo?[capacity];
        _woken = new ulong[(capacity + 63) >> 6];
    }

    /// <summary>How many members the set holds at most.</summary>
    public int Capacity => _queue.Capacity;

    /// <summary>Members pushed and not yet taken out.</summary>
    public int Count => _queue.Count;

    /// <summary>True when the set has no member.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>Adds a spawned task; its result comes out when it finishes.</summary>
    /// <param name="handle">The task's handle; the set becomes its joiner.</param>
    /// <exception cref="CapacityExceededException">The set is full.</exception>
    /// <exception cref="InvalidOperationException">The handle is default, already joined, or already has a joiner (another set).</exception>
    public void Push(JoinHandle<T> handle)
    {
        var source = handle.Source; // throws for a default handle, before anything changes
        int index = Reserve();
        _kinds[index] = Handle;
        _handles[index] = handle;
        try
        {
            source.SetListener(handle.Token, this, index);
        }
        catch
        {
            Clear(index); // refused (joined, or owned by another set): this set never had it
            _queue.Free(index);
            throw;
        }
    }

    /// <summary>Adds a Tandem async operation running in the current task; its result comes out when it completes.</summary>
    /// <param name="operation">The operation; the set awaits it.</param>
    /// <exception cref="CapacityExceededException">The set is full.</exception>
    public void Push(TandemTask<T> operation)
    {
        int index = Reserve();
        _kinds[index] = Operation;
        _operations[index] = operation;
        if (operation.IsCompleted)
        {
            _queue.Finished(index);
            return;
        }
        var callback = _operationCallbacks[index] ??= () => _queue.Finished(index);
        operation.GetAwaiter().UnsafeOnCompleted(callback);
    }

    /// <summary>Adds a poll-based future; the set polls it, with a waker of its own, when it is consumed.</summary>
    /// <param name="future">The future.</param>
    /// <exception cref="CapacityExceededException">The set is full.</exception>
    public void Push(IFuture<T> future)
    {
        ArgumentNullException.ThrowIfNull(future);
        int index = Reserve();
        _kinds[index] = Future;
        _futures[index] = future;
        WakeRecord.Record(ref _wakeRecords[index], _generations[index]);
        MarkWoken(index);
    }

    /// <summary>Takes out the result of the member that completed first, if one has.</summary>
    /// <param name="result">Its result.</param>
    /// <returns>False when no completed member has reached the set yet. On the host tier a spawned member's end reaches
    /// its handle first and the set an instant later (from the thread that finished it), so the handle's
    /// <c>IsFinished</c> may be true while this still returns false; <see cref="NextAsync()"/> waits for it.</returns>
    /// <exception cref="Exception">The member's own exception is re-thrown.</exception>
    public bool TryNext(out T result)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        PollWokenFutures();
        if (_queue.TryTakeFinished(out int index))
        {
            result = TakeOut(index);
            return true;
        }
        result = default!;
        return false;
    }

    /// <summary>Waits for the next member to complete and takes out its result.</summary>
    /// <returns>Its result (its exception is re-thrown).</returns>
    /// <exception cref="InvalidOperationException">The set is empty.</exception>
    public TandemTask<T> NextAsync() => NextAsync(CancellationToken.None);

    /// <summary>Waits for the next member to complete and takes out its result, or until <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="cancellationToken">Ends the wait: the members stay in the set.</param>
    /// <returns>Its result (its exception is re-thrown).</returns>
    /// <exception cref="InvalidOperationException">The set is empty.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a member completed.</exception>
    public TandemTask<T> NextAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        PollWokenFutures();
        if (_queue.TryTakeFinished(out int index)) return new TandemTask<T>(TakeOut(index));
        if (IsEmpty) throw new InvalidOperationException("The set is empty: there is nothing to wait for.");
        cancellationToken.ThrowIfCancellationRequested();
        return NextSlowAsync(cancellationToken);
    }

    /// <summary>Every result, in completion order, until the set is empty (enumerating allocates its enumerator).</summary>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The results.</returns>
    public async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        while (!IsEmpty)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return await NextAsync(cancellationToken);
        }
    }

    /// <summary>Lets go of every member: spawned tasks run on unjoined, disposable futures are disposed.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        for (int i = 0; i < _kinds.Length; i++)
        {
            switch (_kinds[i])
            {
                case Handle: _handles[i].Detach(); break;
                case Future: (_futures[i] as IDisposable)?.Dispose(); break;
            }
            Clear(i);
        }
    }

    void IJoinListener.OnMemberFinished(int tag) => _queue.Finished(tag);

    void IWakeTarget.Wake(int index, int generation)
    {
        if ((uint)index >= (uint)_kinds.Length || Volatile.Read(ref _generations[index]) != generation) return;
        TestHooks.Reach(HookPoint.MemberWakeChecked);
        WakeRecord.Record(ref _wakeRecords[index], generation); // the member may be taken out and its index reused now
        MarkWoken(index);
    }

    private async TandemTask<T> NextSlowAsync(CancellationToken cancellationToken)
    {
        // A cancellation sets the signal, so the wait ends and the loop sees the token (no registration without a token).
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((AsyncSignal)s!).Set(), _queue.Signal)
            : default;
        while (true)
        {
            PollWokenFutures();
            if (_queue.TryTakeFinished(out int index)) return TakeOut(index);
            cancellationToken.ThrowIfCancellationRequested();
            await _queue.Signal.WaitAsync();
        }
    }

    private int Reserve()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_queue.TryReserve(out int index)) throw new CapacityExceededException("futures-unordered set", Capacity);
        return index;
    }

    private void MarkWoken(int index)
    {
        Interlocked.Or(ref _woken[index >> 6], 1UL << (index & 63));
        _queue.Signal.Set();
    }

    private void PollWokenFutures()
    {
        for (int w = 0; w < _woken.Length; w++)
        {
            if (Volatile.Read(ref _woken[w]) == 0) continue;
            ulong bits = Interlocked.Exchange(ref _woken[w], 0);
            while (bits != 0)
            {
                int index = (w << 6) + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                if (!WakeRecord.TakeFor(ref _wakeRecords[index], _generations[index])) continue; // a wake for an earlier member
                if (_kinds[index] == Future && _futures[index] is { } future) PollFuture(index, future);
            }
        }
    }

    private void PollFuture(int index, IFuture<T> future)
    {
        var context = new PollContext(new Waker(this, index, _generations[index]), Async.CurrentTaskId,
            Async.IsInTask ? Async.CurrentPriority : Priority.Normal);
        try
        {
            var poll = future.Poll(context);
            if (!poll.TryGetValue(out var value)) return;
            _results[index] = value;
        }
        catch (Exception e)
        {
            _errors[index] = ExceptionDispatchInfo.Capture(e);
        }
        _futures[index] = null;
        (future as IDisposable)?.Dispose();
        _queue.Finished(index);
    }

    [StackTraceHidden]
    private T TakeOut(int index)
    {
        byte kind = _kinds[index];
        var handle = _handles[index];
        var operation = _operations[index];
        var result = _results[index];
        var error = _errors[index];
        Clear(index);
        _queue.Free(index);
        switch (kind)
        {
            case Handle: return handle.GetResult();
            case Operation: return operation.GetAwaiter().GetResult();
            default:
                error?.Throw();
                return result;
        }
    }

    private void Clear(int index)
    {
        _kinds[index] = None;
        _handles[index] = default;
        _operations[index] = default;
        _futures[index] = null;
        _results[index] = default!;
        _errors[index] = null;
        Interlocked.Increment(ref _generations[index]);
    }
}
