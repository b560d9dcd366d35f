namespace Tandem.Internal.Host;

/// <summary>Runs poll-based work as a host-tier task (see <see cref="PollFnRunner{TState,T}"/>).</summary>
internal sealed class HostPollTask<TState, T> : HostTask<T>
{
    private PollFnRunner<TState, T> _runner;

    internal static HostJoinCell<T> Start(HostScheduler scheduler, long id, Priority priority, Thread? spawningThread, TState state, Func<TState, PollContext, Poll<T>> pollFn, bool disposeState, out HostTask task)
    {
        var run = Rent<HostPollTask<TState, T>>(scheduler, id, priority, spawningThread, out var cell);
        run._runner.Set(state, pollFn, disposeState);
        task = run;
        return cell;
    }

    protected override bool PollBody() =>
        Conclude(_runner.Advance(AbortRequested, new PollContext(Waker, Id, Priority), out var result, out var error), result, error);

    protected override bool FailBody(Exception exception) => base.FailBody(_runner.DisposeOnFault(exception));

    protected override void ClearAndReturn()
    {
        _runner.Clear();
        SharedPool<HostPollTask<TState, T>>.Return(this);
    }
}
