using System.Runtime.CompilerServices;
using Tandem.Internal.Pools;

namespace Tandem.Internal.Embedded;

/// <summary>
/// One embedded scheduler's recycled task bodies: a stack per body type, so that spawning allocates nothing once as
/// many bodies of a type have existed as are ever alive at once.
/// </summary>
/// <remarks>
/// <para>Owned by its scheduler and used only by the thread that spawns and frees the scheduler's tasks (the scheduler
/// is single-threaded), so it takes no lock. Each body type has a process-wide number (<see cref="TypeNumber{TBody}"/>)
/// that indexes the scheduler's array of stacks: renting and returning cost no thread-local lookup (a per-thread pool
/// cost every spawn two, one to rent and one to return).</para>
/// <para>A stack holds at most the scheduler's capacity: a full scheduler recycles every body, and no more are kept.</para>
/// </remarks>
internal sealed class BodyPool(int capacity)
{
    private static int s_typeCount;

    private BodyStack?[] _stacks = new BodyStack?[4];

    /// <summary>A recycled body of type <typeparamref name="TBody"/>, or a new one when none is pooled.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal TBody Rent<TBody>() where TBody : TaskBody, new()
    {
        int type = TypeNumber<TBody>.Value;
        var stacks = _stacks;
        if ((uint)type < (uint)stacks.Length && stacks[type] is { Count: > 0 } stack)
            return Unsafe.As<TBody>(stack.Items[--stack.Count].Take());
        return new TBody();
    }

    /// <summary>Pools <paramref name="body"/> (cleared by the caller) for the next spawn of its type.</summary>
    internal void Return<TBody>(TBody body) where TBody : TaskBody
    {
        int type = TypeNumber<TBody>.Value;
        var stacks = _stacks;
        if ((uint)type >= (uint)stacks.Length || stacks[type] is not { } stack) stack = AddStack(type, capacity);
        if (stack.Count == stack.Items.Length && !stack.Grow(capacity)) return; // full: let it go
        stack.Items[stack.Count++].Item = body;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private BodyStack AddStack(int type, int capacity)
    {
        if (type >= _stacks.Length) Array.Resize(ref _stacks, Math.Max(type + 1, _stacks.Length * 2));
        return _stacks[type] = new BodyStack(capacity);
    }

    private sealed class BodyStack(int capacity)
    {
        internal RefSlot<TaskBody>[] Items = new RefSlot<TaskBody>[Math.Min(16, capacity)];
        internal int Count;

        /// <summary>Doubles the stack, up to <paramref name="capacity"/> places; false when it holds that many already.</summary>
        internal bool Grow(int capacity)
        {
            if (Items.Length >= capacity) return false;
            Array.Resize(ref Items, Math.Min(capacity, Items.Length * 2));
            return true;
        }
    }

    /// <summary>The number of body type <typeparamref name="TBody"/> in every scheduler's array of stacks, given on first use.</summary>
    private static class TypeNumber<TBody>
    {
        internal static readonly int Value = Interlocked.Increment(ref s_typeCount) - 1;
    }
}
