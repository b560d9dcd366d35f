using Microsoft.Extensions.Hosting;

namespace Tandem.Extensions.Hosting.Tests;

/// <summary>What a test service saw from inside its Tandem task.</summary>
internal sealed record Sighting(Runtime? Runtime, bool InTask, Priority Priority);

/// <summary>Reports where it runs, waits for the stopping token, then — still on the runtime, after the host asked it to
/// stop — awaits a Tandem timer and writes "{Name} done" to the journal. An aborted runtime would make that await throw.</summary>
internal abstract class WindingDownService(Runtime runtime, Journal journal) : TandemBackgroundService(runtime)
{
    public readonly TaskCompletionSource<Sighting> Seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public abstract string Name { get; }

    protected override async TandemTask ExecuteAsync(CancellationToken stoppingToken)
    {
        Seen.TrySetResult(new Sighting(Runtime.Current, Async.IsInTask, Async.CurrentPriority));
        journal.Add($"{Name} started");
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
        journal.Add($"{Name} stopping");
        await Async.Delay(TimeSpan.FromMilliseconds(20)); // a Tandem timer: the runtime is still up
        journal.Add($"{Name} done (priority {Async.CurrentPriority})");
    }
}

internal sealed class HighService(Runtime runtime, Journal journal) : WindingDownService(runtime, journal)
{
    public override string Name => "high-service";

    protected override Priority Priority => Priority.High;
}

internal sealed class IdleService(Runtime runtime, Journal journal) : WindingDownService(runtime, journal)
{
    public override string Name => "idle-service";

    protected override Priority Priority => Priority.Idle;
}

/// <summary>Fails on the runtime, after its first Tandem await.</summary>
internal sealed class FailingService(Runtime runtime) : TandemBackgroundService(runtime)
{
    protected override async TandemTask ExecuteAsync(CancellationToken stoppingToken)
    {
        await Async.Yield();
        throw new InvalidOperationException("the failing service failed");
    }
}

/// <summary>Ends by letting the stopping token's <see cref="OperationCanceledException"/> escape: a normal stop.</summary>
internal sealed class CancelledService(Runtime runtime) : TandemBackgroundService(runtime)
{
    protected override async TandemTask ExecuteAsync(CancellationToken stoppingToken) =>
        await Task.Delay(Timeout.Infinite, stoppingToken);
}

/// <summary>Exposes the host's view of a background service's task.</summary>
internal static class BackgroundServices
{
    public static Task Execution(this BackgroundService service) =>
        service.ExecuteTask ?? throw new InvalidOperationException("The service has not been started.");
}
