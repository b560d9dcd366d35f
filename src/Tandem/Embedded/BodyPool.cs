namespace Tandem.Embedded;

/// <summary>
/// A per-thread stack of recycled task bodies of one type, so that spawning allocates nothing once
/// as many bodies of that type have existed as are ever alive at once.
/// </summary>
internal static class BodyPool<TBody> where TBody : class, new()
{
    // As many as an embedded scheduler can hold at once, so that a full scheduler recycles every body.
    private const int MaxPooledPerThread = EmbeddedOptions.MaxCapacity;

    [ThreadStatic] private static TBody[]? t_items;
    [ThreadStatic] private static int t_count;

    internal static TBody Rent()
    {
        if (t_count == 0) return new TBody();
        var item = t_items![--t_count];
        t_items[t_count] = null!;
        return item;
    }

    internal static void Return(TBody body)
    {
        var items = t_items ??= new TBody[16];
        if (t_count == items.Length)
        {
            if (items.Length >= MaxPooledPerThread) return;
            Array.Resize(ref t_items, items.Length * 2);
            items = t_items;
        }
        items[t_count++] = body;
    }
}
