using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Tandem.Extensions.Hosting;

/// <summary>Creates the application's runtime from the validated options, the host's meter factory and its logging.</summary>
internal static class HostedRuntime
{
    /// <summary>The logging category of the runtime's own events (unobserved faults, start, shutdown): <c>Tandem.Runtime</c>.</summary>
    public const string LogCategory = "Tandem.Runtime";

    public static Runtime Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<TandemHostingOptions>>().Value; // throws OptionsValidationException
        var logger = Logger(services);
        var runtime = Runtime.WithMode(options.Mode, new RuntimeOptions
        {
            WorkerCount = options.WorkerCount,
            MeterFactory = services.GetService<IMeterFactory>(),
            RecordTaskTimes = options.RecordTaskTimes,
            StallThreshold = options.StallThreshold,
        });
        runtime.StallDetected += (_, e) => Log.Stall(logger, e.ToString());
        runtime.UnobservedTaskException += (_, e) =>
            Log.UnobservedTaskException(logger, e.TaskId, e.Exception.GetType().FullName ?? e.Exception.GetType().Name, e.Exception.Message, e.Exception);
        return runtime;
    }

    public static ILogger Logger(IServiceProvider services) =>
        services.GetService<ILoggerFactory>()?.CreateLogger(LogCategory) ?? NullLogger.Instance;
}
