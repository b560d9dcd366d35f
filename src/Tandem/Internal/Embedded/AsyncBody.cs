namespace Tandem.Internal.Embedded;

/// <summary>Runs a C# async method as an embedded task (see <see cref="AsyncMethodRunner{TState,T}"/>).</summary>
internal sealed class AsyncBody<TState, T> : TaskBody<T>, ICompletionListener
{
    private AsyncMethodRunner<TState, T> _runner;

    internal static AsyncBody<TState, T> Create(BodyPool pool, TState state, Func<TState, TandemTask<T>> method)
    {
        var body = pool.Rent<AsyncBody<TState, T>>();
        body._runner.Set(state, method);
        return body;
    }

    void ICompletionListener.OnCompleted(TaskCore? completedBy)
    {
        if (Volatile.Read(ref Slot) is not { } slot) return; // a body left unpooled after its task ended early (see TryClear)
        if (completedBy == slot) _runner.CompletedInOwnPoll();
        else _runner.CompletedElsewhere(slot, SlotGeneration);
    }

    internal override bool Poll(EmbeddedTask slot) => Conclude(_runner.Advance(slot, this, out var result, out var error), result, error);

    protected override void ClearAndReturnTyped(BodyPool pool)
    {
        if (_runner.TryClear(this)) pool.Return(this);
    }
}
