namespace Tandem.Extensions.Hosting;

/// <summary>
/// How <see cref="TandemServiceCollectionExtensions.AddTandem(Microsoft.Extensions.DependencyInjection.IServiceCollection)"/>
/// builds the application's <see cref="Runtime"/>. Bound from the <c>"Tandem"</c> configuration section (for example
/// <c>"Tandem": { "WorkerCount": 4, "ShutdownTimeout": "00:00:10" }</c> in <c>appsettings.json</c>, or the environment
/// variable <c>Tandem__WorkerCount=4</c>) and validated when the host starts: a value out of range stops the start with an
/// <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> that names the setting and its range.
/// </summary>
public sealed class TandemHostingOptions
{
    /// <summary>The configuration section the options are bound from by default: <c>"Tandem"</c>.</summary>
    public const string SectionName = "Tandem";

    /// <summary>The longest <see cref="ShutdownTimeout"/>: one day.</summary>
    public static readonly TimeSpan MaxShutdownTimeout = TimeSpan.FromDays(1);

    /// <summary>
    /// The tier (default and only valid value: <see cref="RuntimeMode.Host"/>). <see cref="RuntimeMode.Embedded"/> is
    /// rejected when the host starts: the embedded tier is driven by one thread, and only that thread may spawn on it,
    /// while an application's services, controllers and background services call into the runtime from many threads.
    /// For an embedded loop inside a hosted application (a game or control loop), create one with
    /// <see cref="Runtime.WithMode"/> and drive it from a thread of your own.
    /// </summary>
    public RuntimeMode Mode { get; set; } = RuntimeMode.Host;

    /// <summary>Worker threads of the host tier: 1 to 1,024; unset (the default) for one per processor.</summary>
    public int? WorkerCount { get; set; }

    /// <summary>
    /// How long the runtime's graceful shutdown waits, when the host stops, for its tasks to unwind after they were
    /// aborted and for its threads to exit (0 to one day; default 30 seconds, the generic host's own default). A task
    /// still inside a foreign await (a socket, <c>Task.Delay</c>) when the time is up is left behind: the runtime's
    /// threads exit and nothing polls it again; a warning says how many were. The host's shutdown timeout bounds the
    /// wait as well: when the host's time runs out first, the host goes on stopping while the runtime's shutdown goes
    /// on in the background, up to this timeout.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Records when tasks are spawned, readied and polled, so that the <c>Tandem</c> meter's scheduling-latency
    /// and poll-duration histograms fill and task snapshots show ages (default false: it reads the clock at every spawn
    /// and poll).</summary>
    public bool RecordTaskTimes { get; set; }

    /// <summary>Turns on the runtime's stall detector: a poll that holds its worker longer than this, or a ready task that
    /// waits this long for a poll, is logged as a warning (category <c>Tandem.Runtime</c>, event id 6) naming the task.
    /// 1 ms to 1 hour; unset (the default) leaves it off.</summary>
    public TimeSpan? StallThreshold { get; set; }

    /// <summary>Logs a line at <c>Information</c> when the runtime starts and when it has shut down (default true).</summary>
    public bool LogLifetime { get; set; } = true;
}
