using System.Runtime.CompilerServices;

namespace Tandem.Internal.AsyncMethods;

/// <summary>
/// Holds one suspended async state machine of type <typeparamref name="TStateMachine"/>.
/// Boxes are pooled per type (see <see cref="SharedPool{T}"/>), so once a program has warmed up, suspending and
/// resuming Tandem async methods allocates nothing.
/// </summary>
internal sealed class StateMachineBox<TStateMachine, T> : TandemTaskSource<T>
    where TStateMachine : IAsyncStateMachine
{
    /// <summary>The state machine, copied here at its first suspension.</summary>
    internal TStateMachine? StateMachine;

    internal static StateMachineBox<TStateMachine, T> Rent() => SharedPool<StateMachineBox<TStateMachine, T>>.Rent();

    internal override void MoveNext() => StateMachine!.MoveNext();

    protected override void ReturnToPool()
    {
        StateMachine = default;
        SharedPool<StateMachineBox<TStateMachine, T>>.Return(this);
    }
}

