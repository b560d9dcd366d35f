namespace Tandem.Core;

/// <summary>
/// A pool of reusable objects shared by many threads: each thread keeps a small stack of its own
/// (no synchronisation), and trades whole batches with a shared depot under a lock when its stack runs
/// empty or full. So a task spawned on one thread and recycled on another still comes back to be
/// reused, and the lock is taken once per batch, not per object.
/// </summary>
internal static class SharedPool<T> where T : class, new()
{
    private const int BatchSize = 32;
    private const int MaxDepotBatches = 4096;

    [ThreadStatic] private static T[]? t_stack;
    [ThreadStatic] private static int t_count;

    private static readonly Lock s_lock = new();
    private static readonly Stack<T[]> s_fullBatches = new();
    private static readonly Stack<T[]> s_emptyBatches = new();

    internal static T Rent()
    {
        var stack = t_stack ??= new T[BatchSize * 2];
        if (t_count == 0 && !Refill(stack)) return new T();
        var item = stack[--t_count];
        stack[t_count] = null!;
        return item;
    }

    internal static void Return(T item)
    {
        var stack = t_stack ??= new T[BatchSize * 2];
        if (t_count == stack.Length) Spill(stack);
        stack[t_count++] = item;
    }

    private static bool Refill(T[] stack)
    {
        T[]? batch;
        lock (s_lock)
        {
            if (!s_fullBatches.TryPop(out batch)) return false;
        }
        Array.Copy(batch, stack, BatchSize);
        Array.Clear(batch);
        t_count = BatchSize;
        lock (s_lock) s_emptyBatches.Push(batch);
        return true;
    }

    private static void Spill(T[] stack)
    {
        T[]? batch;
        lock (s_lock)
        {
            if (s_fullBatches.Count >= MaxDepotBatches)
            {
                // The depot is full: let the GC have this thread's surplus.
                Array.Clear(stack, BatchSize, BatchSize);
                t_count = BatchSize;
                return;
            }
            s_emptyBatches.TryPop(out batch);
        }
        batch ??= new T[BatchSize];
        Array.Copy(stack, BatchSize, batch, 0, BatchSize);
        Array.Clear(stack, BatchSize, BatchSize);
        t_count = BatchSize;
        lock (s_lock) s_fullBatches.Push(batch);
    }
}
