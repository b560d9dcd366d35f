using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Tandem.Extensions.Hosting;

/// <summary>
/// Owns the application runtime's lifetime in the host: creates it as the host starts and shuts it down gracefully in
/// <see cref="StoppedAsync"/>, which the host calls only after every hosted service's <c>StopAsync</c> — so the
/// <see cref="TandemBackgroundService"/>s and anything else that runs on the runtime have stopped first, whatever the
/// order in which they were registered.
/// </summary>
internal sealed class TandemRuntimeService(Runtime runtime, TandemHostingOptions options, ILogger logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.LogLifetime)
            Log.RuntimeStarted(logger, runtime.Mode, runtime is Tandem.Host.HostScheduler host ? host.WorkerCount : 1);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Shuts the runtime down: refuses new spawns, aborts what still runs and waits for it to unwind, up to
    /// <see cref="TandemHostingOptions.ShutdownTimeout"/> and no longer than the host's own shutdown timeout
    /// (<paramref name="cancellationToken"/>).</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        bool finished;
        try
        {
            finished = await runtime.ShutdownAsync(options.ShutdownTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.ShutdownCutShort(logger);
            return;
        }
        if (!finished)
            Log.ShutdownIncomplete(logger, runtime.TaskCount, options.ShutdownTimeout);
        else if (options.LogLifetime)
            Log.RuntimeShutDown(logger);
    }
}
