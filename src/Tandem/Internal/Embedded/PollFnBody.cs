namespace Tandem.Internal.Embedded;

/// <summary>
/// Runs poll-based work as an embedded task: a poll function with its state (the seed's
/// <c>schedule(priority, poll_fn)</c>), or an <see cref="IFuture{T}"/> passed as the state of a poll function
/// that polls it — then disposed when the task ends, if it is disposable.
/// </summary>
internal sealed class PollFnBody<TState, T> : TaskBody<T>
{
    private TState _state = default!;
    private Func<TState, PollContext, Poll<T>>? _pollFn;
    private bool _disposeState;

    internal static PollFnBody<TState, T> Create(TState state, Func<TState, PollContext, Poll<T>> pollFn, bool disposeState)
    {
        var body = BodyPool<PollFnBody<TState, T>>.Rent();
        body._state = state;
        body._pollFn = pollFn;
        body._disposeState = disposeState;
        return body;
    }

    internal override bool Poll(EmbeddedTask slot)
    {
        if (slot.AbortRequested)
        {
            DisposeState();
            State = TaskState.Aborted;
            return true;
        }
        try
        {
            var poll = _pollFn!(_state, new PollContext(slot.Waker, slot.Id, slot.Priority));
            if (!poll.TryGetValue(out var value)) return false;
            DisposeState();
            return Complete(value);
        }
        catch (Exception e)
        {
            Fail(e);
            DisposeState();
            return true;
        }
    }

    private void DisposeState()
    {
        if (_disposeState && _state is IDisposable disposable)
        {
            _disposeState = false;
            disposable.Dispose();
        }
    }

    protected override void ClearAndReturnTyped()
    {
        _state = default!;
        _pollFn = null;
        _disposeState = false;
        BodyPool<PollFnBody<TState, T>>.Return(this);
    }
}
