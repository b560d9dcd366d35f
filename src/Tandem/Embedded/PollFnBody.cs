using Tandem.Core;

namespace Tandem.Embedded;

/// <summary>Runs a poll function (the seed's <c>schedule(priority, poll_fn)</c>) as an embedded task.</summary>
internal sealed class PollFnBody<TState, T> : TaskBody<T>
{
    private TState _state = default!;
    private Func<TState, PollContext, Poll<T>>? _pollFn;

    internal static PollFnBody<TState, T> Create(TState state, Func<TState, PollContext, Poll<T>> pollFn)
    {
        var body = BodyPool<PollFnBody<TState, T>>.Rent();
        body._state = state;
        body._pollFn = pollFn;
        return body;
    }

    internal override bool Poll(EmbeddedTask slot)
    {
        if (slot.AbortRequested)
        {
            State = TaskState.Aborted;
            return true;
        }
        try
        {
            var poll = _pollFn!(_state, new PollContext(slot.Waker, slot.Id, slot.Priority));
            return poll.TryGetValue(out var value) && Complete(value);
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    protected override void ClearAndReturnTyped()
    {
        _state = default!;
        _pollFn = null;
        BodyPool<PollFnBody<TState, T>>.Return(this);
    }
}
