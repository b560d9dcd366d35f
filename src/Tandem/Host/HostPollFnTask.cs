using Tandem.Core;

namespace Tandem.Host;

/// <summary>Runs a poll function as a host-tier task.</summary>
internal sealed class HostPollFnTask<TState, T> : HostTask
{
    private TState _state = default!;
    private Func<TState, PollContext, Poll<T>>? _pollFn;
    private HostJoinCell<T>? _cell;

    internal static HostJoinCell<T> Start(HostScheduler scheduler, long id, Priority priority, TState state, Func<TState, PollContext, Poll<T>> pollFn, out HostTask task)
    {
        var run = SharedPool<HostPollFnTask<TState, T>>.Rent();
        run.Begin(scheduler, id, priority);
        run._state = state;
        run._pollFn = pollFn;
        var cell = new HostJoinCell<T>(scheduler, run);
        run._cell = cell;
        task = run;
        return cell;
    }

    protected override bool PollBody()
    {
        if (AbortRequested)
        {
            _cell!.Complete(default!, Id, aborted: true);
            return true;
        }
        var poll = _pollFn!(_state, new PollContext(Waker, Id, Priority));
        if (!poll.TryGetValue(out var value)) return false;
        _cell!.Complete(value, Id, aborted: false);
        return true;
    }

    protected override bool FailBody(Exception exception)
    {
        _cell!.Fail(exception, Id, AbortRequested);
        return true;
    }

    protected override void Recycle()
    {
        _state = default!;
        _pollFn = null;
        _cell = null;
        SharedPool<HostPollFnTask<TState, T>>.Return(this);
    }
}
