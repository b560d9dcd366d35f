namespace Tandem.Internal.Host;

/// <summary>
/// A spin lock for critical sections of a few stores (linking a task into a list): one atomic exchange to take
/// it, a plain release store to give it back.
/// </summary>
/// <remarks>
/// <para>A monitor costs two atomic operations and a look-up of the current thread's id per use, and every spawn
/// and every finish of a host task takes one: that was a tenth of a spawn. Nothing here waits while holding the
/// lock, so a contender spins (with <see cref="SpinWait"/>, which yields and then sleeps if the holder was
/// descheduled) instead of blocking. The lock is not re-entrant and does not track its owner.</para>
/// <para>Invariant: <c>_held</c> is 1 exactly while some thread is between <see cref="Enter"/> and <see cref="Exit"/>.
/// The exchange that takes it is a full fence, and the release store is ordered after the section's writes, so
/// the next holder sees them.</para>
/// </remarks>
internal sealed class ShardLock
{
    private int _held;

    /// <summary>Takes the lock, spinning while another thread holds it.</summary>
    internal void Enter()
    {
#if TANDEM_MODEL
        if (Tandem.Model.SeededBugs.LockChecksThenSets)
        {
            // Seeded bug: check, then set — two threads can both see it free.
            var spin = new SpinWait();
            while (Atomic.Read(ref _held) != 0) Atomic.SpinOnce(ref spin);
            Atomic.Write(ref _held, 1);
            return;
        }
#endif
        if (Atomic.Exchange(ref _held, 1) != 0) EnterContended();
    }

    /// <summary>Releases the lock (by its holder only).</summary>
    internal void Exit() => Atomic.Write(ref _held, 0);

    private void EnterContended()
    {
        var spinner = new SpinWait();
        do Atomic.SpinOnce(ref spinner);
        while (Atomic.Read(ref _held) != 0 || Atomic.Exchange(ref _held, 1) != 0);
    }
}
