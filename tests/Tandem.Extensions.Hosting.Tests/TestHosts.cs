using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Tandem.Extensions.Hosting.Tests;

/// <summary>Builds real generic hosts (<see cref="Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder()"/>) with
/// in-memory configuration and captured logging.</summary>
internal static class TestHosts
{
    /// <summary>How long any single wait of a test may take before it fails (never a sleep: an upper bound).</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    public static HostApplicationBuilder Builder(Journal journal, CapturingLoggerProvider logs, IDictionary<string, string?>? configuration = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = Environments.Development,
        });
        if (configuration is not null) builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton(journal);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = Bound);
        return builder;
    }
}
