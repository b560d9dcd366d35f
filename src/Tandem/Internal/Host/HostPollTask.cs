namespace Tandem.Internal.Host;

/// <summary>
/// Runs poll-based work as a host-tier task: a poll function with its state, or an <see cref="IFuture{T}"/>
/// (passed as the state of a poll function that polls it; disposed at the end if it is disposable).
/// </summary>
internal sealed class HostPollTask<TState, T> : HostTask<T>
{
    private TState _state = default!;
    private Func<TState, PollContext, Poll<T>>? _pollFn;
    private bool _disposeState;

    internal static HostJoinCell<T> Start(HostScheduler scheduler, long id, Priority priority, TState state, Func<TState, PollContext, Poll<T>> pollFn, bool disposeState, out HostTask task)
    {
        var run = Rent<HostPollTask<TState, T>>(scheduler, id, priority, out var cell);
        run._state = state;
        run._pollFn = pollFn;
        run._disposeState = disposeState;
        task = run;
        return cell;
    }

    protected override bool PollBody()
    {
        if (AbortRequested)
        {
            DisposeState();
            return EndAborted();
        }
        var poll = _pollFn!(_state, new PollContext(Waker, Id, Priority));
        if (!poll.TryGetValue(out var value)) return false;
        DisposeState();
        return Succeed(value);
    }

    protected override bool FailBody(Exception exception)
    {
        DisposeState();
        return base.FailBody(exception);
    }

    private void DisposeState()
    {
        if (_disposeState && _state is IDisposable disposable)
        {
            _disposeState = false;
            disposable.Dispose();
        }
    }

    protected override void ClearAndReturn()
    {
        _state = default!;
        _pollFn = null;
        _disposeState = false;
        SharedPool<HostPollTask<TState, T>>.Return(this);
    }
}
