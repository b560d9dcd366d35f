using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Tandem.Extensions.Hosting;

/// <summary>Adds the Tandem runtime to an application's services.</summary>
public static class TandemServiceCollectionExtensions
{
    /// <summary>
    /// Adds a <see cref="Runtime"/> singleton (the host tier; also registered as <see cref="Tandem.Host.HostScheduler"/>)
    /// configured from the <c>"Tandem"</c> section of the application's configuration (see
    /// <see cref="TandemHostingOptions"/>), whose lifetime follows the host's.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>The options are validated when the host starts: a bad value fails the start with an
    /// <see cref="OptionsValidationException"/> naming the setting (<c>Tandem:WorkerCount</c>) and its range.</item>
    /// <item>The runtime is created as the host starts, with the host's <see cref="System.Diagnostics.Metrics.IMeterFactory"/>
    /// for its meter (<c>"Tandem"</c>), when there is one.</item>
    /// <item>A fault of a task that nobody joined (<see cref="Runtime.UnobservedTaskException"/>) is logged at
    /// <c>Error</c> under the category <c>Tandem.Runtime</c>, with the task's id and the exception.</item>
    /// <item>When the host stops, the runtime is shut down gracefully after every hosted service has stopped (it is an
    /// <see cref="IHostedLifecycleService"/> and shuts down in <see cref="IHostedLifecycleService.StoppedAsync"/>),
    /// within <see cref="TandemHostingOptions.ShutdownTimeout"/> and the host's shutdown timeout; the container disposes
    /// it with the host.</item>
    /// </list>
    /// Calling it again adds nothing more (the options are bound again).
    /// </remarks>
    /// <param name="services">The application's services; the section is read from the <see cref="IConfiguration"/>
    /// registered there (the generic host always registers one).</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddTandem(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<TandemHostingOptions>().BindConfiguration(TandemHostingOptions.SectionName);
        return AddCore(services, TandemHostingOptions.SectionName);
    }

    /// <summary>
    /// Adds the runtime as <see cref="AddTandem(IServiceCollection)"/> does, then applies <paramref name="configure"/> to
    /// the options bound from the <c>"Tandem"</c> section: what the code sets wins over the configuration.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets options in code.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
    public static IServiceCollection AddTandem(this IServiceCollection services, Action<TandemHostingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        AddTandem(services);
        services.Configure(configure);
        return services;
    }

    /// <summary>
    /// Adds the runtime as <see cref="AddTandem(IServiceCollection)"/> does, with the options bound from
    /// <paramref name="configuration"/> (a section of your choice, such as <c>builder.Configuration.GetSection("Scheduler")</c>)
    /// instead of the <c>"Tandem"</c> section.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The configuration to bind <see cref="TandemHostingOptions"/> from; validation
    /// messages name its settings by its path.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
    public static IServiceCollection AddTandem(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TandemHostingOptions>().Bind(configuration);
        return AddCore(services, configuration is IConfigurationSection section ? section.Path : TandemHostingOptions.SectionName);
    }

    private static IServiceCollection AddCore(IServiceCollection services, string sectionPath)
    {
        services.AddOptions<TandemHostingOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TandemHostingOptions>>(new TandemHostingOptionsValidator(sectionPath)));
        services.TryAddSingleton(HostedRuntime.Create);
        services.TryAddSingleton(static sp => (Tandem.Host.HostScheduler)sp.GetRequiredService<Runtime>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TandemRuntimeService>(static sp => new TandemRuntimeService(
            sp.GetRequiredService<Runtime>(),
            sp.GetRequiredService<IOptions<TandemHostingOptions>>().Value,
            HostedRuntime.Logger(sp))));
        return services;
    }
}
