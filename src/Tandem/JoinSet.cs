using System.Diagnostics;
namespace Tandem;

/// <summary>
/// A group of spawned tasks joined in the order they finish (like Tokio's <c>JoinSet</c>). Its capacity is fixed (default <see cref="TandemDefaults.DefaultMaxFutures"/>);
/// spawning into it, joining from it and aborting allocate nothing. Disposing the set aborts every
/// task still in it.
/// </summary>
/// <remarks>
/// A join set belongs to one task (or thread) at a time: spawn into it, join from it and abort through it
/// from there. Its members may finish on any thread; that side is synchronised.
/// </remarks>
/// <typeparam name="T">The tasks' result type.</typeparam>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public sealed class JoinSet<T> : IDisposable, IJoinListener
{
    private string DebuggerDisplay => _disposed ? "JoinSet (disposed)" : $"JoinSet Count = {Count}, Capacity = {Capacity}";

    private readonly Runtime _spawner;
    private readonly JoinHandle<T>[] _members;
    private readonly CompletionQueue _queue;
    private bool _disposed;

    internal JoinSet(Runtime spawner, int capacity)
    {
        if (capacity is < 1 or > MaxCapacity)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"A join set holds 1 to {MaxCapacity} tasks.");
        _spawner = spawner;
        _members = new JoinHandle<T>[capacity];
        _queue = new CompletionQueue(capacity);
    }

    /// <summary>The largest capacity a join set accepts.</summary>
    public const int MaxCapacity = 1 << 20;

    /// <summary>How many tasks the set holds at most.</summary>
    public int Capacity => _queue.Capacity;

    /// <summary>Tasks in the set that have not been joined yet (running or finished).</summary>
    public int Count => _queue.Count;

    /// <summary>True when the set holds no task.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>Spawns an async method into the set.</summary>
    /// <param name="priority">The task's level.</param>
    /// <param name="method">The method.</param>
    /// <returns>A handle to abort the task alone (the set joins it; the handle is not awaitable, so a bare
    /// <c>set.Spawn(…);</c> statement draws no warning).</returns>
    /// <exception cref="CapacityExceededException">The set, or its scheduler, is full.</exception>
    public AbortHandle Spawn(Priority priority, Func<TandemTask<T>> method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return Spawn(priority, method, static m => m());
    }

    /// <summary>Spawns an async method with explicit state into the set; allocation-free with a <c>static</c> lambda.</summary>
    /// <typeparam name="TState">The state's type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="state">Passed to <paramref name="method"/>.</param>
    /// <param name="method">The method.</param>
    /// <returns>A handle to abort the task alone (see <see cref="Spawn(Priority, Func{TandemTask{T}})"/>).</returns>
    /// <exception cref="CapacityExceededException">The set, or its scheduler, is full.</exception>
    public AbortHandle Spawn<TState>(Priority priority, TState state, Func<TState, TandemTask<T>> method)
    {
        if (TrySpawnCore(priority, state, method, out var handle, out bool setFull)) return AbortHandleOf(handle);
        throw setFull ? new CapacityExceededException("join set", Capacity) : _spawner.SpawnRefusal();
    }

    /// <summary>Spawns an async method with explicit state into the set, or returns false when the set or its scheduler is full.</summary>
    /// <typeparam name="TState">The state's type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="state">Passed to <paramref name="method"/>.</param>
    /// <param name="method">The method.</param>
    /// <param name="handle">A handle to abort the task alone, when spawned.</param>
    /// <returns>False when full; nothing changes then.</returns>
    public bool TrySpawn<TState>(Priority priority, TState state, Func<TState, TandemTask<T>> method, out AbortHandle handle)
    {
        bool spawned = TrySpawnCore(priority, state, method, out var joinHandle, out _);
        handle = spawned ? AbortHandleOf(joinHandle) : default;
        return spawned;
    }

    private static AbortHandle AbortHandleOf(JoinHandle<T> handle) => new(handle.Source, handle.Token, handle.Id);

    /// <summary>Joins the task that finished first, if one has: returns its result or re-throws its exception.</summary>
    /// <param name="result">The result.</param>
    /// <returns>False when no finished task has reached the set yet. On the host tier a task's end reaches its handle
    /// first and its set an instant later (from the thread that finished it), so a member's <c>IsFinished</c> may be true
    /// while this still returns false; <see cref="JoinNextAsync()"/> waits for it.</returns>
    /// <exception cref="TaskAbortedException">The task that finished was aborted.</exception>
    public bool TryJoinNext(out T result)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_queue.TryTakeFinished(out int index))
        {
            result = default!;
            return false;
        }
        result = TakeOut(index);
        return true;
    }

    /// <summary>Waits for the next task of the set to finish and joins it.</summary>
    /// <returns>Its result (its exception is re-thrown).</returns>
    /// <exception cref="InvalidOperationException">The set is empty.</exception>
    /// <exception cref="TaskAbortedException">The task that finished was aborted.</exception>
    public TandemTask<T> JoinNextAsync() => JoinNextAsync(CancellationToken.None);

    /// <summary>Waits for the next task of the set to finish and joins it, or until <paramref name="cancellationToken"/>
    /// is cancelled.</summary>
    /// <param name="cancellationToken">Ends the wait: the tasks stay in the set, running (abort them with
    /// <see cref="AbortAll"/> if that is what the cancellation means).</param>
    /// <returns>Its result (its exception is re-thrown).</returns>
    /// <exception cref="InvalidOperationException">The set is empty.</exception>
    /// <exception cref="TaskAbortedException">The task that finished was aborted.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a task finished.</exception>
    public TandemTask<T> JoinNextAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_queue.TryTakeFinished(out int index)) return new TandemTask<T>(TakeOut(index));
        if (IsEmpty) throw new InvalidOperationException("The join set is empty: there is no task to join.");
        cancellationToken.ThrowIfCancellationRequested();
        return JoinNextSlowAsync(cancellationToken);
    }

    /// <summary>Aborts every task in the set; they stay in it, and join as aborted.</summary>
    public void AbortAll()
    {
        foreach (var handle in _members)
            if (handle.Id != 0 && !handle.IsFinished) handle.Abort();
    }

    /// <summary>Aborts the tasks still in the set and lets go of them.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        for (int i = 0; i < _members.Length; i++)
        {
            var handle = _members[i];
            if (handle.Id == 0) continue;
            _members[i] = default;
            if (!handle.IsFinished) handle.Abort();
            handle.Detach();
        }
    }

    void IJoinListener.OnMemberFinished(int tag) => _queue.Finished(tag);

    private bool TrySpawnCore<TState>(Priority priority, TState state, Func<TState, TandemTask<T>> method, out JoinHandle<T> handle, out bool setFull)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(method);
        Priorities.Validate(priority, nameof(priority));
        handle = default;
        setFull = !_queue.TryReserve(out int index);
        if (setFull) return false;
        bool spawned = false;
        try
        {
            spawned = _spawner.TrySpawn(priority, state, method, out handle);
        }
        finally
        {
            if (!spawned) _queue.Free(index); // the scheduler refused or threw: the place is not used
        }
        if (!spawned) return false;
        _members[index] = handle;
        handle.Source.SetListener(handle.Token, this, index);
        return true;
    }

    private async TandemTask<T> JoinNextSlowAsync(CancellationToken cancellationToken)
    {
        // A cancellation sets the signal, so the wait ends and the loop sees the token (no registration without a token).
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((AsyncSignal)s!).Set(), _queue.Signal)
            : default;
        while (true)
        {
            if (_queue.TryTakeFinished(out int index)) return TakeOut(index);
            cancellationToken.ThrowIfCancellationRequested();
            await _queue.Signal.WaitAsync();
        }
    }

    [StackTraceHidden]
    private T TakeOut(int index)
    {
        var handle = _members[index];
        _members[index] = default;
        _queue.Free(index);
        return handle.GetResult();
    }
}
