namespace Tandem.Core;

/// <summary>
/// One element of a pool's array. Wrapping the reference in a struct spares every store the covariance check
/// that an array of a class type needs.
/// </summary>
/// <typeparam name="T">The pooled type.</typeparam>
internal struct PoolSlot<T> where T : class
{
    internal T? Item;

    /// <summary>Takes the item out, leaving the slot empty (so the pool does not keep it alive).</summary>
    internal T Take()
    {
        var item = Item!;
        Item = null;
        return item;
    }
}
