namespace Tandem.Internal.Resumption;

/// <summary>
/// Whom a wake flag is for: a per-index record kept beside a flag that wakers on other threads set (an embedded
/// scheduler's registry flag, a futures-unordered member's woken bit). A waker checks its generation, records it, then
/// sets the flag; the consumer takes the flag, then the record, and acts only if the record names the index's current
/// generation. So a waker that passed its check just before the index was reused wakes nobody, where a bare flag would
/// poll the index's next occupant once.
/// </summary>
/// <remarks>
/// A record is 0 (nobody: a flag already served, since the drain that took the record woke the owner after the record
/// was written), <see cref="AnyGeneration"/> (a signal that names an index, not a generation), or the generation with a
/// marker bit. Two wakers of different generations keep the newer one (generations only grow, compared wrap-aware).
/// </remarks>
internal static class WakeRecord
{
    /// <summary>A record that wakes whichever generation holds the index.</summary>
    internal const long AnyGeneration = long.MinValue;

    /// <summary>Marks a record whose low 32 bits hold a generation.</summary>
    private const long ForGeneration = 1L << 32;

    /// <summary>Records a wake of <paramref name="generation"/> (keeping a newer one already there).</summary>
    internal static void Record(ref long record, int generation)
    {
        while (true)
        {
            long old = Volatile.Read(ref record);
            if (old == AnyGeneration || (old != 0 && (int)old - generation >= 0)) return;
            if (Interlocked.CompareExchange(ref record, ForGeneration | (uint)generation, old) == old) return;
        }
    }

    /// <summary>Records a wake for whichever generation holds the index.</summary>
    internal static void RecordAny(ref long record) => Interlocked.Exchange(ref record, AnyGeneration);

    /// <summary>Takes the record (after its flag): true when it is for <paramref name="currentGeneration"/>.</summary>
    internal static bool TakeFor(ref long record, int currentGeneration)
    {
        long taken = Interlocked.Exchange(ref record, 0);
        return taken == AnyGeneration || (taken != 0 && (int)taken == currentGeneration);
    }
}
