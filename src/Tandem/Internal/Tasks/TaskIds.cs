namespace Tandem.Internal.Tasks;

/// <summary>
/// Allocates task ids: positive, thread-safe, and never reused in a process (a 64-bit counter would take centuries
/// to wrap at a billion spawns a second). Each call returns a larger id than the calls before it; a scheduler's
/// thread takes its ids in blocks (<see cref="TaskIdBlock"/>), so ids of different threads' spawns interleave.
/// </summary>
internal static class TaskIds
{
    private static long s_last;

    /// <summary>Takes the next id. Lock-free; allocates nothing.</summary>
    /// <returns>An id no other caller in this process has received.</returns>
    internal static long Allocate() => Interlocked.Increment(ref s_last);

    /// <summary>Takes an id from the calling thread's own block (a thread that spawns into a host scheduler from outside
    /// it): no atomic operation on the shared counter but once per block.</summary>
    /// <returns>An id no other caller in this process has received, larger than this thread's earlier ones.</returns>
    internal static long AllocateOnThisThread() => t_block.Take();

    [ThreadStatic] private static TaskIdBlock t_block;

    /// <summary>Reserves <paramref name="count"/> consecutive ids (one atomic operation for all of them).</summary>
    /// <param name="count">How many ids (positive).</param>
    /// <returns>The first of the ids; the others follow it.</returns>
    internal static long AllocateBlock(int count) => Interlocked.Add(ref s_last, count) - count + 1;

    /// <summary>The id the next <see cref="Allocate"/> would return, were no other thread to allocate first.</summary>
    internal static long PeekNext => Volatile.Read(ref s_last) + 1;
}
