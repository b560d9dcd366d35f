using System.Runtime.CompilerServices;

namespace Tandem.Core;

/// <summary>
/// Holds one suspended async state machine of type <typeparamref name="TStateMachine"/>.
/// Boxes are pooled per type and per thread, so once a program has warmed up, suspending and
/// resuming Tandem async methods allocates nothing.
/// </summary>
internal sealed class StateMachineBox<TStateMachine, T> : TandemTaskSource<T>
    where TStateMachine : IAsyncStateMachine
{
    /// <summary>Boxes kept per thread; a box freed beyond this is left to the GC.</summary>
    private const int MaxPooledPerThread = 1 << 16;

    [ThreadStatic] private static StateMachineBox<TStateMachine, T>? t_pool;
    [ThreadStatic] private static int t_pooled;

    private StateMachineBox<TStateMachine, T>? _nextPooled;

    /// <summary>The state machine, copied here at its first suspension.</summary>
    internal TStateMachine? StateMachine;

    internal static StateMachineBox<TStateMachine, T> Rent()
    {
        var box = t_pool;
        if (box is null) return new StateMachineBox<TStateMachine, T>();
        t_pool = box._nextPooled;
        box._nextPooled = null;
        t_pooled--;
        return box;
    }

    internal override void MoveNext() => StateMachine!.MoveNext();

    protected override void ReturnToPool()
    {
        StateMachine = default;
        if (t_pooled >= MaxPooledPerThread) return;
        _nextPooled = t_pool;
        t_pool = this;
        t_pooled++;
    }
}
