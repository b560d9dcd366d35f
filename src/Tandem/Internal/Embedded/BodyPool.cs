namespace Tandem.Internal.Embedded;

/// <summary>
/// A per-thread stack of recycled task bodies of one type, so that spawning allocates nothing once
/// as many bodies of that type have existed as are ever alive at once.
/// </summary>
/// <remarks>One thread-static object per type holds the stack: one thread-static lookup per rent or return.</remarks>
internal static class BodyPool<TBody> where TBody : class, new()
{
    // As many as an embedded scheduler can hold at once, so that a full scheduler recycles every body.
    private const int MaxPooledPerThread = EmbeddedOptions.MaxCapacity;

    [ThreadStatic] private static ThreadStack? t_stack;

    internal static TBody Rent()
    {
        var stack = t_stack;
        if (stack is null || stack.Count == 0) return new TBody();
        return stack.Items[--stack.Count].Take();
    }

    internal static void Return(TBody body)
    {
        var stack = t_stack ??= new ThreadStack();
        if (stack.Count == stack.Items.Length)
        {
            if (stack.Items.Length >= MaxPooledPerThread) return;
            Array.Resize(ref stack.Items, stack.Items.Length * 2);
        }
        stack.Items[stack.Count++].Item = body;
    }

    private sealed class ThreadStack
    {
        internal RefSlot<TBody>[] Items = new RefSlot<TBody>[16];
        internal int Count;
    }
}
