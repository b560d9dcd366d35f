namespace Tandem.Internal.Tasks;

/// <summary>
/// Allocates task ids: positive, strictly increasing, thread-safe, and never reused in a process
/// (a 64-bit counter would take centuries to wrap at a billion spawns a second).
/// </summary>
internal static class TaskIds
{
    private static long s_last;

    /// <summary>Takes the next id. Lock-free; allocates nothing.</summary>
    /// <returns>An id no other caller in this process has received.</returns>
    internal static long Allocate() => Interlocked.Increment(ref s_last);

    /// <summary>The id the next <see cref="Allocate"/> would return, were no other thread to allocate first.</summary>
    internal static long PeekNext => Volatile.Read(ref s_last) + 1;
}
