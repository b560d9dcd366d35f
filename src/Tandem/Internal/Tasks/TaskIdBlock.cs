using System.Runtime.CompilerServices;

namespace Tandem.Internal.Tasks;

/// <summary>
/// Task ids handed out by one thread from a block it reserved (<see cref="TaskIds.AllocateBlock"/>): a spawn then takes
/// its id with plain arithmetic instead of an atomic operation on a counter every spawning thread shares (one cache
/// line that, with several workers spawning, moves between cores on each spawn). Ids stay unique in the process and
/// increase along each thread's spawns.
/// </summary>
/// <remarks>A value kept in its owner's field (an embedded scheduler, a host worker, or thread-static for a thread that
/// spawns into a host scheduler from outside it); only the owner's thread uses it.</remarks>
internal struct TaskIdBlock
{
    /// <summary>Ids reserved at a time: one atomic operation per 256 spawns, and at most 255 ids left unused per owner.</summary>
    internal const int Size = 256;

    private long _next;
    private int _left;

    /// <summary>Takes the next id of the block, reserving a new block when it is used up (owner thread).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal long Take()
    {
        if (_left == 0) Refill();
        _left--;
        return _next++;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Refill()
    {
        _next = TaskIds.AllocateBlock(Size);
        _left = Size;
    }
}
