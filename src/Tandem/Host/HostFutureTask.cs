using Tandem.Core;

namespace Tandem.Host;

/// <summary>Runs an <see cref="IFuture{T}"/> as a host-tier task, disposing it at the end if it is disposable.</summary>
internal sealed class HostFutureTask<T> : HostTask
{
    private IFuture<T>? _future;
    private HostJoinCell<T>? _cell;

    internal static HostJoinCell<T> Start(HostScheduler scheduler, long id, Priority priority, IFuture<T> future, out HostTask task)
    {
        var run = SharedPool<HostFutureTask<T>>.Rent();
        run.Begin(scheduler, id, priority);
        run._future = future;
        var cell = new HostJoinCell<T>(scheduler, run);
        run._cell = cell;
        task = run;
        return cell;
    }

    protected override bool PollBody()
    {
        if (AbortRequested)
        {
            DisposeFuture();
            _cell!.Complete(default!, Id, aborted: true);
            return true;
        }
        var poll = _future!.Poll(new PollContext(Waker, Id, Priority));
        if (!poll.TryGetValue(out var value)) return false;
        DisposeFuture();
        _cell!.Complete(value, Id, aborted: false);
        return true;
    }

    protected override bool FailBody(Exception exception)
    {
        DisposeFuture();
        _cell!.Fail(exception, Id, AbortRequested);
        return true;
    }

    private void DisposeFuture()
    {
        var future = _future;
        _future = null;
        (future as IDisposable)?.Dispose();
    }

    protected override void Recycle()
    {
        _future = null;
        _cell = null;
        SharedPool<HostFutureTask<T>>.Return(this);
    }
}
