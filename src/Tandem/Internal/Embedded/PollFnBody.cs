namespace Tandem.Internal.Embedded;

/// <summary>Runs poll-based work as an embedded task (see <see cref="PollFnRunner{TState,T}"/>).</summary>
internal sealed class PollFnBody<TState, T> : TaskBody<T>
{
    private PollFnRunner<TState, T> _runner;

    internal static PollFnBody<TState, T> Create(BodyPool pool, TState state, Func<TState, PollContext, Poll<T>> pollFn, bool disposeState)
    {
        var body = pool.Rent<PollFnBody<TState, T>>();
        body._runner.Set(state, pollFn, disposeState);
        return body;
    }

    internal override bool Poll(EmbeddedTask slot) =>
        Conclude(_runner.Advance(slot.AbortRequested, new PollContext(slot.Waker, slot.Id, slot.Priority), out var result, out var error), result, error);

    internal override bool Fail(Exception exception) => base.Fail(_runner.DisposeOnFault(exception));

    protected override void ClearAndReturnTyped(BodyPool pool)
    {
        _runner.Clear();
        pool.Return(this);
    }
}
