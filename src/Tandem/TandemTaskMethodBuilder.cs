using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Tandem;

/// <summary>
/// The async method builder behind <see cref="TandemTask{T}"/>. Used by the compiler, not by hand.
/// </summary>
/// <remarks>
/// A method that completes without suspending allocates nothing. At its first suspension the
/// state machine moves into a pooled <see cref="StateMachineBox{TStateMachine,T}"/>, and every
/// resumption inside a Tandem task is queued on that task, so it runs on the task's scheduler.
/// The ExecutionContext is per task, not per call: the task installs its own for every poll (see
/// docs/ARCHITECTURE.md), and this builder does not save and restore it around each method.
/// </remarks>
/// <typeparam name="T">The method's result type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct TandemTaskMethodBuilder<T>
{
    // Null while the method runs synchronously; its box once it suspends; or the exception of a method that threw
    // before suspending. One field rather than two: every suspended method carries its builder inside its box.
    private object? _boxOrError;
    private T _syncResult;

    /// <summary>Creates a builder.</summary>
    /// <returns>A new builder.</returns>
    public static TandemTaskMethodBuilder<T> Create() => default;

    /// <summary>The task of the method being built.</summary>
    public TandemTask<T> Task => _boxOrError switch
    {
        null => new TandemTask<T>(_syncResult),
        ExceptionDispatchInfo error => new TandemTask<T>(error),
        var box => new TandemTask<T>(Unsafe.As<TandemTaskSource<T>>(box), Unsafe.As<TandemTaskSource<T>>(box).Version),
    };

    /// <summary>Runs the method up to its first suspension.</summary>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="stateMachine">The state machine.</param>
    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
    {
        // As .NET's builders do: what the method's synchronous part changes in the thread's execution context (its
        // AsyncLocal values) or synchronization context stays inside the method. No finally: MoveNext of a compiler
        // state machine never throws (the method's exceptions go to SetException).
        var scope = AmbientContext.Scope.Enter();
        stateMachine.MoveNext();
        scope.Exit();
    }

    /// <summary>Not used: boxes are made by the builder itself.</summary>
    /// <param name="stateMachine">Ignored.</param>
    public void SetStateMachine(IAsyncStateMachine stateMachine) { }

    /// <summary>Completes the method with its result.</summary>
    /// <param name="result">The result.</param>
    public void SetResult(T result)
    {
        // Never after SetException: the field holds null or the box here.
        if (_boxOrError is null) _syncResult = result;
        else Unsafe.As<TandemTaskSource<T>>(_boxOrError).SetResult(result);
    }

    /// <summary>Completes the method with an exception.</summary>
    /// <param name="exception">What the method threw.</param>
    public void SetException(Exception exception)
    {
        if (_boxOrError is null) _boxOrError = ExceptionDispatchInfo.Capture(exception);
        else Unsafe.As<TandemTaskSource<T>>(_boxOrError).SetException(exception);
    }

    /// <summary>Suspends the method on <paramref name="awaiter"/>.</summary>
    /// <typeparam name="TAwaiter">The awaiter's type.</typeparam>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="awaiter">What the method awaits.</param>
    /// <param name="stateMachine">The state machine.</param>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine
    {
        var box = GetBox(ref stateMachine);
        box.CaptureContext();
        NoteSuspension<TAwaiter, TStateMachine>(box);
        if (!AwaiterDispatch.TryTandem(ref awaiter, box)) awaiter.OnCompleted(box.ResumeAction);
    }

    /// <summary>Suspends the method on <paramref name="awaiter"/>.</summary>
    /// <typeparam name="TAwaiter">The awaiter's type.</typeparam>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="awaiter">What the method awaits.</param>
    /// <param name="stateMachine">The state machine.</param>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine
    {
        var box = GetBox(ref stateMachine);
        box.CaptureContext();
        NoteSuspension<TAwaiter, TStateMachine>(box);
        if (!AwaiterDispatch.TryTandem(ref awaiter, box)) awaiter.UnsafeOnCompleted(box.ResumeAction);
    }

    /// <summary>Tells the task snapshot where the method suspends (its owner task's thread): two type handles, which
    /// the JIT makes constants.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void NoteSuspension<TAwaiter, TStateMachine>(StateMachineBox<TStateMachine, T> box)
        where TStateMachine : IAsyncStateMachine =>
        box.Owner?.NoteSuspension(RuntimeTypeHandle.ToIntPtr(typeof(TStateMachine).TypeHandle), RuntimeTypeHandle.ToIntPtr(typeof(TAwaiter).TypeHandle));

    /// <remarks>
    /// <para>A Tandem awaiter that refuses a continuation (it throws on misuse: "a task has one joiner") unbinds the box
    /// (<see cref="AwaitContinuation.MarkRefused"/>) before it throws, and has captured nothing. The exception reaches the method at
    /// its await. If that was the method's first suspension, the box was made just now from a copy of the state
    /// machine while the method goes on running in the original: so the next suspension copies the running state
    /// machine into the box again (later, the method runs in the box itself, and the copy is onto itself). Resuming
    /// the stale copy would run the code after the <c>catch</c> twice.</para>
    /// </remarks>
    private StateMachineBox<TStateMachine, T> GetBox<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
    {
        if (_boxOrError is StateMachineBox<TStateMachine, T> existing)
        {
            // A box bound to a task only ever runs in that task's polls (every resumption goes through the task's
            // ready list), so it is still bound correctly. One without an owner was started outside any task (it may be
            // running inside one by now), or was refused by its last awaiter: it is bound afresh, and its copy of the
            // state machine refreshed — after a refusal at the first suspension the method runs in the stack's copy;
            // otherwise it runs in the box and the copy is onto itself.
            if (existing.Owner is null)
            {
                existing.StateMachine = stateMachine;
                existing.SetOwner(TaskCore.Current);
            }
            return existing;
        }
        var box = StateMachineBox<TStateMachine, T>.Rent();
        box.SetOwner(TaskCore.Current);
        _boxOrError = box; // set before the copy, so that the boxed state machine's builder points at its box
        box.StateMachine = stateMachine;
        return box;
    }
}
