namespace Tandem.Tests;

/// <summary>Measures what a cycle of work allocates on the calling thread, robustly enough for a shared test run.</summary>
internal static class AllocationMeter
{
    /// <summary>
    /// Bytes allocated by <paramref name="cycles"/> cycles, as the median of 10 batches measured one after another: an
    /// allocation per operation shows in every batch, while a one-off allocation of the runtime's own on this thread
    /// (the JIT tiering a method up mid-run, seen about once in fifteen full runs) cannot fail the test.
    /// </summary>
    internal static long MedianBytes(Action cycle, int warmup = 200, int cycles = 2000)
    {
        for (int i = 0; i < warmup; i++) cycle();
        const int Batches = 10;
        var bytes = new long[Batches];
        for (int b = 0; b < Batches; b++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < cycles / Batches; i++) cycle();
            bytes[b] = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Array.Sort(bytes);
        return bytes[Batches / 2];
    }
}
