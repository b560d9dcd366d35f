using System.ComponentModel;
using Microsoft.Extensions.Hosting;

namespace Tandem.Extensions.Hosting;

/// <summary>
/// The part of <see cref="TandemBackgroundService"/> that is a <see cref="BackgroundService"/>: derive from
/// <see cref="TandemBackgroundService"/>, not from this class (its constructor is not accessible outside this assembly).
/// </summary>
/// <remarks>Being a <see cref="BackgroundService"/> is what lets the generic host treat a Tandem background service as
/// its own: it logs an exception that ends <c>ExecuteAsync</c> and applies
/// <c>HostOptions.BackgroundServiceExceptionBehavior</c> (by default it stops the application). The class exists only
/// because C# cannot both seal <see cref="BackgroundService"/>'s <c>Task ExecuteAsync</c> and declare the
/// <see cref="TandemTask"/>-returning <c>ExecuteAsync</c> in one class.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class TandemBackgroundServiceBase : BackgroundService
{
    private protected TandemBackgroundServiceBase(Runtime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        Runtime = runtime;
    }

    /// <summary>The runtime the service runs on (the application's, from dependency injection).</summary>
    protected Runtime Runtime { get; }

    /// <summary>The priority of the service's task (default <see cref="Tandem.Priority.Normal"/>). Read once, when the
    /// host starts the service.</summary>
    protected virtual Priority Priority => Priority.Normal;

    /// <summary>Spawns the service's Tandem <c>ExecuteAsync</c> on <see cref="Runtime"/> at <see cref="Priority"/> and
    /// returns a task that ends as it does: completed, faulted with its exception, or cancelled (when it ends with an
    /// <see cref="OperationCanceledException"/>, for example from the stopping token, or is aborted).</summary>
    /// <param name="stoppingToken">Cancelled when the host stops the service.</param>
    /// <returns>The task the host watches (<see cref="BackgroundService.ExecuteTask"/>).</returns>
    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var priority = Priority;
        if (!Enum.IsDefined(priority))
            throw new InvalidOperationException($"{GetType().Name}.Priority is {priority}: a priority is Critical, High, Normal, Low or Idle.");
        var handle = Runtime.Spawn(priority, (Service: this, Token: stoppingToken), static s => s.Service.RunOnTandem(s.Token));
        await handle;
    }

    /// <summary>Runs the derived class's <c>ExecuteAsync</c> (inside the Tandem task).</summary>
    /// <param name="stoppingToken">Cancelled when the host stops the service.</param>
    /// <returns>The service's work.</returns>
    private protected abstract TandemTask RunOnTandem(CancellationToken stoppingToken);
}
