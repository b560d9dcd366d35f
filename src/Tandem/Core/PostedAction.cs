namespace Tandem.Core;

/// <summary>
/// A continuation from a non-Tandem async builder (an <c>async Task</c> method, a synchronization
/// context post), queued on the task it belongs to so that it runs on the scheduler.
/// This is the one resumption that allocates; Tandem's own builder never needs it.
/// </summary>
internal sealed class PostedAction : Resumable
{
    private readonly SendOrPostCallback _callback;
    private readonly object? _state;

    internal PostedAction(TaskCore? owner, SendOrPostCallback callback, object? state)
    {
        SetOwner(owner);
        _callback = callback;
        _state = state;
    }

    internal static PostedAction ForAction(TaskCore? owner, Action action) =>
        new(owner, static s => ((Action)s!)(), action);

    internal override void Run()
    {
        if (InWaitList) Owner!.RemoveWait(this);
        _callback(_state);
    }
}
