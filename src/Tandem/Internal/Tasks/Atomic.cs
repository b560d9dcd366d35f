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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Read(ref int location)
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Read(ref ulong location)
    {
        Point();
        return Volatile.Read(ref location);
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

    /// <summary>A scheduling point of the model checker in the model build; nothing in the library.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Point()
    {
#if TANDEM_MODEL
        Tandem.Model.ModelChecker.SchedulingPoint();
#endif
    }
}
