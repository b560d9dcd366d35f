namespace Tandem.Embedded;

public sealed partial class EmbeddedScheduler
{
    /// <summary>Spawns an async method with explicit state, or returns false when the scheduler is full.</summary>
    /// <typeparam name="TState">The state's type.</typeparam>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="state">Passed to <paramref name="method"/>.</param>
    /// <param name="method">The method.</param>
    /// <param name="handle">The task's handle, when spawned.</param>
    /// <param name="cancellationToken">Aborts the task when cancelled.</param>
    /// <returns>False when the scheduler is full; nothing else changes then.</returns>
    internal bool TrySpawnAsync<TState, T>(Priority priority, TState state, Func<TState, TandemTask<T>> method, CancellationToken cancellationToken, out JoinHandle<T> handle)
    {
        ArgumentNullException.ThrowIfNull(method);
        return TryTakeSlot(priority, out var slot, out var spawner)
            ? Launch(slot, spawner, priority, AsyncBody<TState, T>.Create(_bodies, state, method), cancellationToken, out handle)
            : NoHandle(out handle);
    }

    internal bool TrySpawnFuture<T>(Priority priority, IFuture<T> future, CancellationToken cancellationToken, out JoinHandle<T> handle)
    {
        ArgumentNullException.ThrowIfNull(future);
        return TryTakeSlot(priority, out var slot, out var spawner)
            ? Launch(slot, spawner, priority, PollFnBody<IFuture<T>, T>.Create(_bodies, future, static (f, cx) => f.Poll(cx), disposeState: true), cancellationToken, out handle)
            : NoHandle(out handle);
    }

    internal bool TrySchedulePollFn<TState, T>(Priority priority, TState state, Func<TState, PollContext, Poll<T>> pollFn, out JoinHandle<T> handle)
    {
        ArgumentNullException.ThrowIfNull(pollFn);
        return TryTakeSlot(priority, out var slot, out var spawner)
            ? Launch(slot, spawner, priority, PollFnBody<TState, T>.Create(_bodies, state, pollFn, disposeState: false), default, out handle)
            : NoHandle(out handle);
    }

    private bool Launch<T>(EmbeddedTask slot, Thread? spawner, Priority priority, TaskBody<T> body, CancellationToken cancellationToken, out JoinHandle<T> handle)
    {
        handle = body.Handle(Start(slot, spawner, priority, body));
        // Before its first poll: an early cancel aborts it unstarted. (Tested here: most spawns have no token, and the
        // call itself cost a spawn a nanosecond.)
        if (cancellationToken.CanBeCanceled) slot.AbortWhenCancelled(cancellationToken, body, handle.Token);
        return true;
    }

    private static bool NoHandle<T>(out JoinHandle<T> handle)
    {
        handle = default;
        return false;
    }

    /// <summary>Checks the spawn is allowed.</summary>
    /// <returns>The loop's thread when the spawn runs on it, inside the loop, and its fields are reachable (see
    /// <see cref="TaskCore.ResetCore"/>); else null.</returns>
    private Thread? PrepareSpawn(Priority priority)
    {
        if (_disposed) throw UsedAfterShutdown();
        Priorities.Validate(priority, nameof(priority));
        int loop = Volatile.Read(ref _loopThread);
        if (loop == 0) return null;
        if (loop != Environment.CurrentManagedThreadId)
            throw new InvalidOperationException("An embedded scheduler is single-threaded: spawn from the thread that drives it.");
        return _site.OsThread; // set on this thread when it entered the loop
    }

    private long Start(EmbeddedTask slot, Thread? spawner, Priority priority, TaskBody body)
    {
        long id = _ids.Take();
        if (slot.ContextMayHaveBeenCaptured(ref _windows))
        {
            if (_windows.Counting)
            {
                // What the spawner's poll allocated so far is charged to its window; the new context is left out. (The
                // window stays open: the spawner's poll goes on in the window it is noted in.)
                _windows.Refresh();
                slot.Start(id, priority, body, newContext: true, spawner);
                _windows.Forget();
            }
            else
            {
                slot.Start(id, priority, body, newContext: true, spawner); // outside the loop: nothing is being counted
            }
        }
        else
        {
            slot.Start(id, priority, body, newContext: false, spawner);
        }
        _live++;
        CountSpawned(slot);
        MakeReady(slot);
        return id;
    }

    private protected override Exception SpawnRefused() => new CapacityExceededException("embedded scheduler", Capacity);

    /// <summary>Checks the spawn is allowed, then takes a free slot (reclaiming the oldest finished, unjoined one if need be).</summary>
    /// <param name="priority">The task's level.</param>
    /// <param name="slot">The slot taken.</param>
    /// <param name="spawner">What <see cref="PrepareSpawn"/> returned.</param>
    private bool TryTakeSlot(Priority priority, out EmbeddedTask slot, out Thread? spawner)
    {
        spawner = PrepareSpawn(priority);
        if (!_slots.HasFree && _slots.OldestReclaimable is { } oldest) Release(oldest);
        if (!_slots.HasFree)
        {
            _rejected++;
            slot = null!;
            return false;
        }
        slot = _slots.TakeFree();
        return true;
    }
}
