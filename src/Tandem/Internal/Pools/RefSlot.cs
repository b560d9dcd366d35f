namespace Tandem.Internal.Pools;

/// <summary>
/// One element of an array of references (a pool's stack, a run queue, a batch buffer). Wrapping the reference
/// in a struct spares every store the covariance check that an array of a non-sealed class type needs.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal struct RefSlot<T> where T : class
{
    internal T? Item;

    /// <summary>Takes the item out, leaving the slot empty (so the array does not keep it alive).</summary>
    internal T Take()
    {
        var item = Item!;
        Item = null;
        return item;
    }
}
