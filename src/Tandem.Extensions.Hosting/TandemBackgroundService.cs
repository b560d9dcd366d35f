using Microsoft.Extensions.Hosting;

namespace Tandem.Extensions.Hosting;

/// <summary>
/// A long-running hosted service whose work is a Tandem task: like <see cref="BackgroundService"/>, but
/// <see cref="ExecuteAsync"/> returns a <see cref="TandemTask"/> and runs on the application's <see cref="Runtime"/> at
/// the service's <see cref="TandemBackgroundServiceBase.Priority"/>, so every <c>await</c> in it resumes on the runtime's
/// workers at that priority.
/// </summary>
/// <remarks>
/// <para>Register it with <c>services.AddHostedService&lt;MyService&gt;()</c> beside
/// <see cref="TandemServiceCollectionExtensions.AddTandem(Microsoft.Extensions.DependencyInjection.IServiceCollection)"/>;
/// its constructor takes the <see cref="Runtime"/> from dependency injection.</para>
/// <para><b>Lifetime.</b> When the host starts, the service's task is spawned. When the host stops, the stopping token
/// is cancelled and the host waits, within its shutdown timeout, for the task to end. The runtime itself shuts down
/// only after every hosted service has stopped, whatever the order of registration, so the task can still await
/// Tandem timers and join other tasks while it winds down.</para>
/// <para><b>Failure.</b> The service is a <see cref="BackgroundService"/> to the host: an exception that ends
/// <see cref="ExecuteAsync"/> is logged by the host and, with <c>HostOptions.BackgroundServiceExceptionBehavior</c> at
/// its default <c>StopHost</c>, stops the application; <see cref="BackgroundService.ExecuteTask"/> carries it. Ending
/// with an <see cref="OperationCanceledException"/> (the stopping token's) is a normal stop.</para>
/// </remarks>
/// <example>
/// <code>
/// sealed class Heartbeat(Runtime runtime) : TandemBackgroundService(runtime)
/// {
///     protected override Priority Priority => Priority.High;
///
///     protected override async TandemTask ExecuteAsync(CancellationToken stoppingToken)
///     {
///         while (!stoppingToken.IsCancellationRequested)
///             await Async.Delay(TimeSpan.FromSeconds(1));
///     }
/// }
/// </code>
/// </example>
public abstract class TandemBackgroundService : TandemBackgroundServiceBase
{
    /// <summary>Creates the service on <paramref name="runtime"/>.</summary>
    /// <param name="runtime">The application's runtime (from dependency injection, registered by <c>AddTandem</c>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="runtime"/> is null.</exception>
    protected TandemBackgroundService(Runtime runtime) : base(runtime) { }

    /// <summary>The service's work, run as a Tandem task on <see cref="TandemBackgroundServiceBase.Runtime"/> at
    /// <see cref="TandemBackgroundServiceBase.Priority"/> when the host starts.</summary>
    /// <param name="stoppingToken">Cancelled when the host stops: return (or throw <see cref="OperationCanceledException"/>)
    /// soon after.</param>
    /// <returns>The work; when it ends, the service has ended.</returns>
    protected new abstract TandemTask ExecuteAsync(CancellationToken stoppingToken);

    private protected sealed override TandemTask RunOnTandem(CancellationToken stoppingToken) => ExecuteAsync(stoppingToken);
}
