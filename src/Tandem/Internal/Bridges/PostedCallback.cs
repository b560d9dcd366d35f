namespace Tandem.Internal.Bridges;

/// <summary>A callback posted to a bridge's synchronization context, with its state; <see cref="Done"/> is set when it
/// was sent (<see cref="SynchronizationContext.Send"/>) and the sender waits for it.</summary>
internal sealed class PostedCallback(SendOrPostCallback callback, object? state, ManualResetEventSlim? done = null)
{
    /// <summary>Set once the callback ran, for a sender; null for a post.</summary>
    internal ManualResetEventSlim? Done { get; } = done;

    /// <summary>What a sent callback threw, handed back to its sender.</summary>
    internal Exception? Error { get; private set; }

    /// <summary>Runs the callback (a worker, inside a Tandem task's poll). A post's exception propagates (and is reported
    /// as an unobserved task exception); a send's goes back to its sender.</summary>
    internal void Run()
    {
        if (Done is null)
        {
            callback(state);
            return;
        }
        try
        {
            callback(state);
        }
        catch (Exception e)
        {
            Error = e;
        }
        finally
        {
            Done.Set();
        }
    }
}
