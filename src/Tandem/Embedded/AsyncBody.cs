using Tandem.Core;

namespace Tandem.Embedded;

/// <summary>
/// Runs a C# async method as an embedded task: the first poll calls it; later polls run the
/// resumptions its awaits queued on the task, until the method's task completes.
/// </summary>
internal sealed class AsyncBody<TState, T> : TaskBody<T>
{
    private readonly Action _onMethodCompleted;
    private TState _state = default!;
    private Func<TState, TandemTask<T>>? _method;
    private TandemTask<T> _running;
    private bool _started;
    private bool _methodCompleted;

    public AsyncBody() => _onMethodCompleted = () => _methodCompleted = true;

    internal static AsyncBody<TState, T> Create(TState state, Func<TState, TandemTask<T>> method)
    {
        var body = BodyPool<AsyncBody<TState, T>>.Rent();
        body._state = state;
        body._method = method;
        return body;
    }

    internal override bool Poll(EmbeddedTask slot)
    {
        if (!_started)
        {
            if (slot.AbortRequested)
            {
                State = TaskState.Aborted;
                return true;
            }
            _started = true;
            try
            {
                _running = _method!(_state);
            }
            catch (Exception e)
            {
                return Fail(e);
            }
            if (!_running.IsCompleted)
            {
                _running.GetAwaiter().UnsafeOnCompleted(_onMethodCompleted);
                if (!_methodCompleted) return false;
            }
            return Finish();
        }

        slot.RunReady();
        return _methodCompleted && Finish();
    }

    private bool Finish()
    {
        try
        {
            return Complete(_running.GetAwaiter().GetResult());
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    protected override void ClearAndReturnTyped()
    {
        _state = default!;
        _method = null;
        _running = default;
        _started = false;
        _methodCompleted = false;
        BodyPool<AsyncBody<TState, T>>.Return(this);
    }
}
