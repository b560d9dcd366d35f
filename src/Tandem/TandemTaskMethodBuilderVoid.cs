using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Tandem;

/// <summary>The async method builder behind <see cref="TandemTask"/>. Used by the compiler, not by hand.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct TandemTaskMethodBuilder
{
    private TandemTaskMethodBuilder<VoidResult> _inner;

    /// <summary>Creates a builder.</summary>
    /// <returns>A new builder.</returns>
    public static TandemTaskMethodBuilder Create() => default;

    /// <summary>The task of the method being built.</summary>
    public TandemTask Task => new(_inner.Task);

    /// <summary>Runs the method up to its first suspension (what its synchronous part changes in the thread's execution
    /// or synchronization context stays inside it, as with <see cref="TandemTaskMethodBuilder{T}.Start"/>).</summary>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="stateMachine">The state machine.</param>
    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine =>
        _inner.Start(ref stateMachine);

    /// <summary>Not used.</summary>
    /// <param name="stateMachine">Ignored.</param>
    public void SetStateMachine(IAsyncStateMachine stateMachine) { }

    /// <summary>Completes the method.</summary>
    public void SetResult() => _inner.SetResult(default);

    /// <summary>Completes the method with an exception.</summary>
    /// <param name="exception">What the method threw.</param>
    public void SetException(Exception exception) => _inner.SetException(exception);

    /// <summary>Suspends the method on <paramref name="awaiter"/>.</summary>
    /// <typeparam name="TAwaiter">The awaiter's type.</typeparam>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="awaiter">What the method awaits.</param>
    /// <param name="stateMachine">The state machine.</param>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        _inner.AwaitOnCompleted(ref awaiter, ref stateMachine);

    /// <summary>Suspends the method on <paramref name="awaiter"/>.</summary>
    /// <typeparam name="TAwaiter">The awaiter's type.</typeparam>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="awaiter">What the method awaits.</param>
    /// <param name="stateMachine">The state machine.</param>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        _inner.AwaitUnsafeOnCompleted(ref awaiter, ref stateMachine);
}
