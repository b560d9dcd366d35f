namespace Tandem.Internal.Pools;

/// <summary>
/// A pool of reusable objects shared by many threads: each thread keeps a small stack of its own
/// (no synchronisation), and trades whole batches with a shared depot under a lock when its stack runs
/// empty or full. So a task spawned on one thread and recycled on another still comes back to be
/// reused, and the lock is taken once per batch, not per object.
/// </summary>
/// <remarks>
/// A thread's stack is one object behind one thread-static (a generic type's thread-statics are found through
/// a runtime helper: one lookup per rent, not two), and its items sit in a struct-wrapped array (a store into
/// an array of a class type costs a covariance check).
/// </remarks>
internal static class SharedPool<T> where T : class, new()
{
#if TANDEM_MODEL
    private const int BatchSize = 2; // the model build: small enough for a few rents to spill and refill
#else
    private const int BatchSize = 32;
#endif
    private const int MaxDepotBatches = 4096;

    [ThreadStatic] private static ThreadStack? t_stack;

    private static readonly Lock s_lock = new();
    private static readonly Stack<RefSlot<T>[]> s_fullBatches = new();
    private static readonly Stack<RefSlot<T>[]> s_emptyBatches = new();

    internal static T Rent()
    {
        var stack = t_stack ??= new ThreadStack();
        if (stack.Count == 0 && !Refill(stack)) return new T();
        return stack.Items[--stack.Count].Take();
    }

    internal static void Return(T item)
    {
        var stack = t_stack ??= new ThreadStack();
        if (stack.Count == stack.Items.Length) Spill(stack);
        stack.Items[stack.Count++].Item = item;
    }

    // Atomic.Racy() marks where another thread may take the lock in between: scheduling points of the model checker
    // (never inside a locked region, where a second thread would block outside the checker's control).

    private static bool Refill(ThreadStack stack)
    {
        RefSlot<T>[]? batch;
        Atomic.Racy();
        lock (s_lock)
        {
            if (!s_fullBatches.TryPop(out batch)) return false;
        }
#if TANDEM_MODEL
        if (Tandem.Model.SeededBugs.RefillReturnsTheBatchBeforeCopying)
        {
            // Seeded bug: the batch goes back to the empty stack before its items are copied out.
            lock (s_lock) s_emptyBatches.Push(batch);
            Atomic.Racy();
        }
#endif
        Array.Copy(batch, stack.Items, BatchSize);
        Atomic.Racy();
        Array.Clear(batch);
        stack.Count = BatchSize;
#if TANDEM_MODEL
        if (Tandem.Model.SeededBugs.RefillReturnsTheBatchBeforeCopying) return true;
#endif
        Atomic.Racy();
        lock (s_lock) s_emptyBatches.Push(batch);
        return true;
    }

    private static void Spill(ThreadStack stack)
    {
        RefSlot<T>[]? batch;
        Atomic.Racy();
        lock (s_lock)
        {
            if (s_fullBatches.Count >= MaxDepotBatches)
            {
                // The depot is full: let the GC have this thread's surplus.
                Array.Clear(stack.Items, BatchSize, BatchSize);
                stack.Count = BatchSize;
                return;
            }
            s_emptyBatches.TryPop(out batch);
        }
        batch ??= new RefSlot<T>[BatchSize];
        Array.Copy(stack.Items, BatchSize, batch, 0, BatchSize);
        Array.Clear(stack.Items, BatchSize, BatchSize);
        stack.Count = BatchSize;
        Atomic.Racy();
        lock (s_lock) s_fullBatches.Push(batch);
    }

#if TANDEM_MODEL
    /// <summary>The model build: empties the depot, so that each explored schedule starts from an empty pool.</summary>
    internal static void ResetDepotForModel()
    {
        lock (s_lock)
        {
            s_fullBatches.Clear();
            s_emptyBatches.Clear();
        }
    }

    /// <summary>The model build: forgets the calling thread's stack (the checker's threads run one logical thread after
    /// another).</summary>
    internal static void ResetThreadForModel() => t_stack = null;
#endif

    private sealed class ThreadStack
    {
        internal readonly RefSlot<T>[] Items = new RefSlot<T>[BatchSize * 2];
        internal int Count;
    }
}
