using Tandem.Embedded;

namespace Tandem.Internal.Bridges;

/// <summary>A <see cref="SynchronizationContext"/> whose posts run on a Tandem runtime at one priority
/// (<see cref="Runtime.AsSynchronizationContext"/>).</summary>
internal sealed class BridgeSynchronizationContext(PriorityBridge bridge) : SynchronizationContext
{
    /// <inheritdoc/>
    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        bridge.Enqueue(new PostedCallback(d, state));
    }

    /// <summary>Runs <paramref name="d"/> on the runtime and waits for it: inline when called from one of the runtime's
    /// tasks; otherwise posted, the caller blocking until it ran (its exception is re-thrown here). On the embedded tier
    /// that is until the thread that drives the scheduler runs it.</summary>
    /// <exception cref="InvalidOperationException">Called on the thread that drives an embedded scheduler, outside its
    /// tasks: nothing would run the callback while that thread waits.</exception>
    public override void Send(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (bridge.IsOnRuntime)
        {
            d(state);
            return;
        }
        if (bridge.Runtime is EmbeddedScheduler embedded && embedded.IsDrivenByCurrentThread)
            throw new InvalidOperationException("Send on the thread that drives an embedded scheduler would wait forever (nothing runs the callback meanwhile): use Post, or call Send from one of its tasks.");
        using var done = new ManualResetEventSlim(false);
        var sent = new PostedCallback(d, state, done);
        bridge.Enqueue(sent);
        done.Wait();
        if (sent.Error is { } error) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
    }

    /// <summary>The context itself: it holds no per-use state.</summary>
    /// <returns>This context.</returns>
    public override SynchronizationContext CreateCopy() => this;
}
