namespace Tandem.Internal.Host;

/// <summary>Runs a C# async method as a host-tier task (see <see cref="AsyncMethodRunner{TState,T}"/>).</summary>
internal sealed class HostAsyncTask<TState, T> : HostTask<T>, ICompletionListener
{
    private AsyncMethodRunner<TState, T> _runner;

    internal static HostJoinCell<T> Start(HostScheduler scheduler, long id, Priority priority, Thread? spawningThread, TState state, Func<TState, TandemTask<T>> method, out HostTask task)
    {
        var run = Rent<HostAsyncTask<TState, T>>(scheduler, id, priority, spawningThread, out var cell);
        run._runner.Set(state, method);
        task = run;
        return cell;
    }

    void ICompletionListener.OnCompleted(TaskCore? completedBy)
    {
        if (completedBy == this) _runner.CompletedInOwnPoll();
        else _runner.CompletedElsewhere(this, Volatile.Read(ref Generation)); // not reused until this comes (TryClear)
    }

    protected override bool PollBody() => Conclude(_runner.Advance(this, this, out var result, out var error), result, error);

    protected override void ClearAndReturn()
    {
        if (_runner.TryClear(this)) SharedPool<HostAsyncTask<TState, T>>.Return(this);
    }
}
