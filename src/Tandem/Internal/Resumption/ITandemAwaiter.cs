namespace Tandem.Internal.Resumption;

/// <summary>
/// An awaiter that can resume a Tandem async method's box directly. <see cref="TandemTaskMethodBuilder{T}"/>
/// checks for it (at JIT time, for struct awaiters) and passes the box instead of a delegate.
/// </summary>
internal interface ITandemAwaiter
{
    /// <summary>Registers <paramref name="box"/> to resume when the awaited operation completes.</summary>
    /// <remarks>Called only by the builder, right after it bound the box to the polling task: so
    /// <see cref="Resumable.Owner"/> is <see cref="TaskCore.Current"/>, and the awaiter need not read it again.</remarks>
    void OnCompleted(AsyncMethodBox box);
}
