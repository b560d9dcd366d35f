using Tandem.Core;

namespace Tandem.Host;

/// <summary>
/// A C# async method running as a host-tier task: the first poll calls it; later polls run the
/// resumptions its awaits queued on the task, until the method's task completes.
/// </summary>
internal sealed class HostAsyncTask<TState, T> : HostTask<T>
{
    private readonly Action _onMethodCompleted;
    private TState _state = default!;
    private Func<TState, TandemTask<T>>? _method;
    private TandemTask<T> _running;
    private bool _started;
    private bool _methodCompleted;

    public HostAsyncTask() => _onMethodCompleted = () => _methodCompleted = true;

    internal static HostJoinCell<T> Start(HostScheduler scheduler, long id, Priority priority, TState state, Func<TState, TandemTask<T>> method, out HostTask task)
    {
        var run = Rent<HostAsyncTask<TState, T>>(scheduler, id, priority, out var cell);
        run._state = state;
        run._method = method;
        task = run;
        return cell;
    }

    protected override bool PollBody()
    {
        if (_started)
        {
            RunReady();
            return _methodCompleted && Finish();
        }
        if (AbortRequested) return EndAborted();
        _started = true;
        try
        {
            _running = _method!(_state);
        }
        catch (Exception e)
        {
            return FailBody(e);
        }
        if (!_running.IsCompleted)
        {
            _running.GetAwaiter().UnsafeOnCompleted(_onMethodCompleted);
            if (!_methodCompleted) return false;
        }
        return Finish();
    }

    private bool Finish()
    {
        T result;
        try
        {
            result = _running.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            return FailBody(e);
        }
        return Succeed(result);
    }

    protected override void ClearAndReturn()
    {
        _state = default!;
        _method = null;
        _running = default;
        _started = false;
        _methodCompleted = false;
        SharedPool<HostAsyncTask<TState, T>>.Return(this);
    }
}
