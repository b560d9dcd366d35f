using Tandem.Core;

namespace Tandem.Embedded;

/// <summary>Runs an <see cref="IFuture{T}"/> as an embedded task, disposing it when the task ends if it is disposable.</summary>
internal sealed class FutureBody<T> : TaskBody<T>
{
    private IFuture<T>? _future;

    internal static FutureBody<T> Create(IFuture<T> future)
    {
        var body = BodyPool<FutureBody<T>>.Rent();
        body._future = future;
        return body;
    }

    internal override bool Poll(EmbeddedTask slot)
    {
        if (slot.AbortRequested)
        {
            State = TaskState.Aborted;
            DisposeFuture();
            return true;
        }
        try
        {
            var poll = _future!.Poll(new PollContext(slot.Waker, slot.Id, slot.Priority));
            if (!poll.TryGetValue(out var value)) return false;
            DisposeFuture();
            return Complete(value);
        }
        catch (Exception e)
        {
            Fail(e);
            DisposeFuture();
            return true;
        }
    }

    private void DisposeFuture()
    {
        var future = _future;
        _future = null;
        (future as IDisposable)?.Dispose();
    }

    protected override void ClearAndReturnTyped()
    {
        _future = null;
        BodyPool<FutureBody<T>>.Return(this);
    }
}
