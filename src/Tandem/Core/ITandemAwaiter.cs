namespace Tandem.Core;

/// <summary>
/// An awaiter that can resume a Tandem async method's box directly. <see cref="TandemTaskMethodBuilder{T}"/>
/// checks for it (at JIT time, for struct awaiters) and passes the box instead of a delegate.
/// </summary>
internal interface ITandemAwaiter
{
    /// <summary>Registers <paramref name="box"/> to resume when the awaited operation completes.</summary>
    void OnCompleted(BoxBase box);
}
