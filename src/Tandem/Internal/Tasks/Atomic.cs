using System.Runtime.CompilerServices;

namespace Tandem.Internal.Tasks;

/// <summary>
/// The atomic operations of the lock-free structures, in one place. In the library each is the plain
/// <see cref="Interlocked"/> or <see cref="Volatile"/> call, inlined: it costs nothing. In the model build (the
/// <c>TANDEM_MODEL</c> symbol, tests/Tandem.Model), the same sources compile against a version in which every one is a
/// scheduling point of the model checker, which then explores the interleavings of the operations between them.
/// </summary>
internal static class Atomic
{
    // Reads and writes: Volatile (acquire and release).

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Read(ref int location)
    {
        Point();
        return Volatile.Read(ref location);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long Read(ref long location)
    {
        Point();
        return Volatile.Read(ref location);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Read(ref ulong location)
    {
        Point();
        return Volatile.Read(ref location);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Read<T>(ref T location) where T : class?
    {
        Point();
        return Volatile.Read(ref location);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Write(ref int location, int value)
    {
        Point();
        Volatile.Write(ref location, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Write(ref long location, long value)
    {
        Point();
        Volatile.Write(ref location, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Write<T>(ref T location, T value) where T : class?
    {
        Point();
        Volatile.Write(ref location, value);
    }

    // Read-modify-writes: Interlocked (full fences).

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int CompareExchange(ref int location, int value, int comparand)
    {
        Point();
        return Interlocked.CompareExchange(ref location, value, comparand);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long CompareExchange(ref long location, long value, long comparand)
    {
        Point();
        return Interlocked.CompareExchange(ref location, value, comparand);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T CompareExchange<T>(ref T location, T value, T comparand) where T : class?
    {
        Point();
        return Interlocked.CompareExchange(ref location, value, comparand);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Exchange(ref int location, int value)
    {
        Point();
        return Interlocked.Exchange(ref location, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Exchange(ref ulong location, ulong value)
    {
        Point();
        return Interlocked.Exchange(ref location, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Exchange<T>(ref T location, T value) where T : class?
    {
        Point();
        return Interlocked.Exchange(ref location, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Add(ref int location, int value)
    {
        Point();
        return Interlocked.Add(ref location, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Increment(ref int location)
    {
        Point();
        return Interlocked.Increment(ref location);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Decrement(ref int location)
    {
        Point();
        return Interlocked.Decrement(ref location);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Or(ref int location, int value)
    {
        Point();
        return Interlocked.Or(ref location, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Or(ref ulong location, ulong value)
    {
        Point();
        return Interlocked.Or(ref location, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong And(ref ulong location, ulong value)
    {
        Point();
        return Interlocked.And(ref location, value);
    }

    /// <summary>A full fence (<see cref="Interlocked.MemoryBarrier"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Fence()
    {
        Point();
        Interlocked.MemoryBarrier();
    }

    /// <summary>
    /// Marks a plain access that another thread may race with by design (an item a thief copies while the owner may
    /// write the ring; the fields a lock bit guards, read by the thread that owns the bit): nothing in the library, a
    /// scheduling point in the model build, so that the checker can run another thread between two such accesses.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Racy() => Point();

    // Spinning.

    /// <summary>One turn of a spin-wait loop. In the model build it also tells the checker that this thread cannot
    /// progress until another one runs, so that a spinning thread does not spin through a whole schedule.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void SpinOnce(ref SpinWait spinner)
    {
#if TANDEM_MODEL
        Tandem.Model.ModelChecker.Yield();
#else
        spinner.SpinOnce();
#endif
    }

    /// <summary><see cref="SpinOnce(ref SpinWait)"/> for a wait of a few instructions: yields, never sleeps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void SpinOnceNoSleep(ref SpinWait spinner)
    {
#if TANDEM_MODEL
        Tandem.Model.ModelChecker.Yield();
#else
        spinner.SpinOnce(sleep1Threshold: -1);
#endif
    }

    /// <summary>A scheduling point of the model checker in the model build; nothing in the library.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Point()
    {
#if TANDEM_MODEL
        Tandem.Model.ModelChecker.SchedulingPoint();
#endif
    }
}
