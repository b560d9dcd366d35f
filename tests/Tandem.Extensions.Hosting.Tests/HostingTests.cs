using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using HostScheduler = Tandem.Host.HostScheduler;

namespace Tandem.Extensions.Hosting.Tests;

public sealed class HostingTests
{
    private readonly Journal _journal = new();
    private readonly CapturingLoggerProvider _logs;

    public HostingTests() => _logs = new CapturingLoggerProvider(_journal);

    private HostApplicationBuilder Builder(IDictionary<string, string?>? configuration = null) =>
        TestHosts.Builder(_journal, _logs, configuration);

    [Fact]
    public async Task The_runtime_starts_with_the_host_and_is_shut_down_when_it_stops()
    {
        var builder = Builder();
        builder.Services.AddTandem();
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TestHosts.Bound);

        var runtime = host.Services.GetRequiredService<Runtime>();
        Assert.Equal(RuntimeMode.Host, runtime.Mode);
        Assert.Same(runtime, host.Services.GetRequiredService<HostScheduler>());
        Assert.Equal(42, runtime.BlockOn(static async () => { await Async.Yield(); return 42; }));
        Assert.Contains(_logs.Entries, e => e.Category == "Tandem.Runtime" && e.Message.StartsWith("Tandem runtime started: Host tier", StringComparison.Ordinal));

        await host.StopAsync().WaitAsync(TestHosts.Bound);

        Assert.True(((HostScheduler)runtime).IsShutdown);
        Assert.Throws<ObjectDisposedException>(() => runtime.Spawn(Priority.Normal, static async () => { await Async.Yield(); }));
        Assert.Contains(_logs.Entries, e => e.Category == "Tandem.Runtime" && e.Level == LogLevel.Information && e.Message == "Tandem runtime shut down: every task finished");
    }

    [Fact]
    public async Task A_plain_HostBuilder_works_too_and_AddTandem_twice_adds_one_runtime_service()
    {
        using var host = new HostBuilder()
            .ConfigureLogging(l => l.ClearProviders().AddProvider(_logs))
            .ConfigureServices(s => s.AddTandem().AddTandem(o => o.WorkerCount = 2))
            .Build();
        Assert.Single(host.Services.GetServices<IHostedService>());
        await host.StartAsync().WaitAsync(TestHosts.Bound);
        var runtime = host.Services.GetRequiredService<HostScheduler>();
        Assert.Equal(2, runtime.WorkerCount);
        await host.StopAsync().WaitAsync(TestHosts.Bound);
        Assert.True(runtime.IsShutdown);
    }

    [Fact]
    public async Task Options_are_bound_from_the_Tandem_section()
    {
        var builder = Builder(new Dictionary<string, string?>
        {
            ["Tandem:WorkerCount"] = "3",
            ["Tandem:ShutdownTimeout"] = "00:00:07",
            ["Tandem:Mode"] = "Host",
            ["Tandem:LogLifetime"] = "false",
        });
        builder.Services.AddTandem();
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TestHosts.Bound);

        var options = host.Services.GetRequiredService<IOptions<TandemHostingOptions>>().Value;
        Assert.Equal(3, options.WorkerCount);
        Assert.Equal(TimeSpan.FromSeconds(7), options.ShutdownTimeout);
        Assert.False(options.LogLifetime);
        Assert.Equal(3, host.Services.GetRequiredService<HostScheduler>().WorkerCount);

        await host.StopAsync().WaitAsync(TestHosts.Bound);
        Assert.DoesNotContain(_logs.Entries, e => e.Category == "Tandem.Runtime"); // LogLifetime false: nothing to say
    }

    [Fact]
    public async Task Code_configuration_wins_over_the_section_and_unset_workers_mean_one_per_processor()
    {
        var builder = Builder(new Dictionary<string, string?> { ["Tandem:WorkerCount"] = "3", ["Tandem:ShutdownTimeout"] = "00:00:09" });
        builder.Services.AddTandem(o => o.WorkerCount = null);
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TestHosts.Bound);
        Assert.Equal(Environment.ProcessorCount, host.Services.GetRequiredService<HostScheduler>().WorkerCount);
        Assert.Equal(TimeSpan.FromSeconds(9), host.Services.GetRequiredService<IOptions<TandemHostingOptions>>().Value.ShutdownTimeout);
        await host.StopAsync().WaitAsync(TestHosts.Bound);
    }

    [Fact]
    public async Task Options_can_come_from_a_section_of_the_applications_choice()
    {
        var builder = Builder(new Dictionary<string, string?> { ["Scheduler:WorkerCount"] = "2", ["Tandem:WorkerCount"] = "5" });
        builder.Services.AddTandem(builder.Configuration.GetSection("Scheduler"));
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TestHosts.Bound);
        Assert.Equal(2, host.Services.GetRequiredService<HostScheduler>().WorkerCount);
        await host.StopAsync().WaitAsync(TestHosts.Bound);
    }

    [Theory]
    [InlineData("Tandem:WorkerCount", "0", "Tandem:WorkerCount is 0: it must be from 1 to 1024")]
    [InlineData("Tandem:WorkerCount", "1025", "Tandem:WorkerCount is 1025: it must be from 1 to 1024")]
    [InlineData("Tandem:ShutdownTimeout", "-00:00:01", "Tandem:ShutdownTimeout is -00:00:01: it must be from 00:00:00 to 1.00:00:00")]
    [InlineData("Tandem:ShutdownTimeout", "2.00:00:00", "Tandem:ShutdownTimeout is 2.00:00:00: it must be from 00:00:00 to 1.00:00:00")]
    [InlineData("Tandem:Mode", "Embedded", "Tandem:Mode is Embedded: a hosted runtime must be Host")]
    [InlineData("Tandem:StallThreshold", "00:00:00", "Tandem:StallThreshold is 00:00:00: it must be from 00:00:00.001 to 01:00:00")]
    public async Task Bad_configuration_is_rejected_when_the_host_starts(string key, string value, string message)
    {
        var builder = Builder(new Dictionary<string, string?> { [key] = value });
        builder.Services.AddTandem();
        builder.Services.AddHostedService<HighService>(); // would need the runtime: it is never made
        using var host = builder.Build(); // building succeeds: the check is at start

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(TestHosts.Bound));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(typeof(TandemHostingOptions), error.OptionsType);
    }

    [Fact]
    public async Task Every_bad_setting_is_named_and_a_custom_section_by_its_path()
    {
        var builder = Builder(new Dictionary<string, string?> { ["App:Scheduler:WorkerCount"] = "-4", ["App:Scheduler:ShutdownTimeout"] = "3.00:00:00" });
        builder.Services.AddTandem(builder.Configuration.GetSection("App:Scheduler"));
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(TestHosts.Bound));
        Assert.Equal(2, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.StartsWith("App:Scheduler:WorkerCount is -4", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("App:Scheduler:ShutdownTimeout is 3.00:00:00", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_background_service_runs_as_a_task_of_the_runtime_at_its_priority()
    {
        var builder = Builder();
        builder.Services.AddTandem();
        builder.Services.AddSingleton<HighService>().AddHostedService(sp => sp.GetRequiredService<HighService>());
        builder.Services.AddSingleton<IdleService>().AddHostedService(sp => sp.GetRequiredService<IdleService>());
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TestHosts.Bound);

        var runtime = host.Services.GetRequiredService<Runtime>();
        var high = await host.Services.GetRequiredService<HighService>().Seen.Task.WaitAsync(TestHosts.Bound);
        var idle = await host.Services.GetRequiredService<IdleService>().Seen.Task.WaitAsync(TestHosts.Bound);
        Assert.Equal(new Sighting(runtime, true, Priority.High), high);
        Assert.Equal(new Sighting(runtime, true, Priority.Idle), idle);

        await host.StopAsync().WaitAsync(TestHosts.Bound);
        Assert.True(host.Services.GetRequiredService<HighService>().Execution().IsCompletedSuccessfully);
        Assert.True(host.Services.GetRequiredService<IdleService>().Execution().IsCompletedSuccessfully);
        _journal.IndexOf("high-service done (priority High)");
        _journal.IndexOf("idle-service done (priority Idle)");
    }

    [Fact]
    public async Task Background_services_stop_before_the_runtime_shuts_down_whatever_the_registration_order()
    {
        var builder = Builder();
        // One service registered before AddTandem (the host stops hosted services in reverse order of registration, so
        // with a plain hosted service the runtime would be stopped first) and one after.
        builder.Services.AddSingleton<HighService>().AddHostedService(sp => sp.GetRequiredService<HighService>());
        builder.Services.AddTandem();
        builder.Services.AddSingleton<IdleService>().AddHostedService(sp => sp.GetRequiredService<IdleService>());
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TestHosts.Bound);
        await host.Services.GetRequiredService<HighService>().Seen.Task.WaitAsync(TestHosts.Bound);
        await host.Services.GetRequiredService<IdleService>().Seen.Task.WaitAsync(TestHosts.Bound);

        await host.StopAsync().WaitAsync(TestHosts.Bound);

        // Each service awaited a Tandem timer after its stop was asked, and finished normally (not aborted) ...
        Assert.True(host.Services.GetRequiredService<HighService>().Execution().IsCompletedSuccessfully);
        Assert.True(host.Services.GetRequiredService<IdleService>().Execution().IsCompletedSuccessfully);
        // ... before the runtime shut down.
        int shutDown = _journal.IndexOf("Tandem runtime shut down");
        Assert.True(_journal.IndexOf("high-service done") < shutDown, string.Join('\n', _journal.Lines));
        Assert.True(_journal.IndexOf("idle-service done") < shutDown, string.Join('\n', _journal.Lines));
        Assert.True(host.Services.GetRequiredService<HostScheduler>().IsShutdown);
    }

    [Fact]
    public async Task A_failing_background_service_is_logged_and_stops_the_host()
    {
        var builder = Builder();
        builder.Services.AddTandem();
        builder.Services.AddSingleton<FailingService>().AddHostedService(sp => sp.GetRequiredService<FailingService>());
        using var host = builder.Build();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
        await host.StartAsync().WaitAsync(TestHosts.Bound);

        await stopping.Task.WaitAsync(TestHosts.Bound); // BackgroundServiceExceptionBehavior.StopHost, the default

        var execution = host.Services.GetRequiredService<FailingService>().Execution();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => execution.WaitAsync(TestHosts.Bound));
        Assert.Equal("the failing service failed", error.Message);
        var logged = await _logs.WaitForAsync(e => e.Level >= LogLevel.Error && e.Exception is InvalidOperationException { Message: "the failing service failed" }, TestHosts.Bound);
        Assert.Contains("BackgroundService failed", logged.Message, StringComparison.Ordinal);
        await host.StopAsync().WaitAsync(TestHosts.Bound);
    }

    [Fact]
    public async Task A_background_service_that_lets_the_stopping_tokens_cancellation_escape_stops_normally()
    {
        var builder = Builder();
        builder.Services.AddTandem();
        builder.Services.AddSingleton<CancelledService>().AddHostedService(sp => sp.GetRequiredService<CancelledService>());
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TestHosts.Bound);
        await host.StopAsync().WaitAsync(TestHosts.Bound);

        Assert.True(host.Services.GetRequiredService<CancelledService>().Execution().IsCanceled);
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task An_unobserved_task_fault_is_logged_as_an_error_with_the_task_and_its_exception()
    {
        var builder = Builder();
        builder.Services.AddTandem();
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TestHosts.Bound);
        var runtime = host.Services.GetRequiredService<Runtime>();

        var handle = runtime.Spawn(Priority.Low, static async () =>
        {
            await Async.Yield();
            throw new FormatException("nobody joins me");
        });
        long id = handle.Id;
        handle.Detach(); // nobody will join it: its fault is reported when it ends

        var logged = await _logs.WaitForAsync(e => e.Category == "Tandem.Runtime" && e.Level == LogLevel.Error, TestHosts.Bound);
        Assert.Equal(2, logged.EventId.Id);
        Assert.Equal($"Tandem task {id} faulted and nobody joined it: System.FormatException: nobody joins me", logged.Message);
        Assert.IsType<FormatException>(logged.Exception);
        await host.StopAsync().WaitAsync(TestHosts.Bound);
    }

    [Fact]
    public async Task A_stall_is_logged_as_a_warning_naming_the_task()
    {
        var builder = Builder(new Dictionary<string, string?> { ["Tandem:StallThreshold"] = "00:00:00.050", ["Tandem:WorkerCount"] = "2" });
        builder.Services.AddTandem();
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TestHosts.Bound);
        var runtime = host.Services.GetRequiredService<Runtime>();
        using var gate = new ManualResetEventSlim(false);
        var blocker = runtime.Spawn(Priority.Low, async () =>
        {
            Async.NameTask("blocking report");
            await Async.Yield();
            gate.Wait(TestHosts.Bound); // holds its worker: a stall
        });

        var logged = await _logs.WaitForAsync(e => e.Category == "Tandem.Runtime" && e.EventId.Id == 6, TestHosts.Bound);
        gate.Set();
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.StartsWith($"Tandem stall: task {blocker.Id} \"blocking report\" (Low) has held its worker for", logged.Message);
        await blocker;
        await host.StopAsync().WaitAsync(TestHosts.Bound);
    }

    [Fact]
    public async Task The_meter_is_created_through_the_hosts_meter_factory()
    {
        var builder = Builder(new Dictionary<string, string?> { ["Tandem:WorkerCount"] = "3" });
        builder.Services.AddTandem();
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TestHosts.Bound);
        var factory = host.Services.GetRequiredService<IMeterFactory>();

        var instruments = new List<string>();
        int workers = -1;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Other tests' runtimes have meters too; only this host's factory's counts here.
            if (instrument.Meter.Name != "Tandem" || !ReferenceEquals(instrument.Meter.Scope, factory)) return;
            lock (instruments) instruments.Add(instrument.Name);
            l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == "tandem.workers") workers = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();

        lock (instruments)
        {
            Assert.Contains("tandem.workers", instruments);
            Assert.Contains("tandem.tasks.spawned", instruments);
        }
        Assert.Equal(3, workers);
        await host.StopAsync().WaitAsync(TestHosts.Bound);
    }
}

public sealed class ShutdownTimeoutTests
{
    private readonly Journal _journal = new();
    private readonly CapturingLoggerProvider _logs;

    public ShutdownTimeoutTests() => _logs = new CapturingLoggerProvider(_journal);

    /// <summary>Spawns a task stuck in a foreign await that an abort cannot interrupt (it unwinds only when
    /// <paramref name="release"/> is cancelled), and returns once it runs.</summary>
    private static async Task<JoinHandle> SpawnStuckAsync(Runtime runtime, CancellationToken release)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stuck = runtime.Spawn(Priority.Normal, async () =>
        {
            started.SetResult();
            try { await Task.Delay(Timeout.Infinite, release); } catch (OperationCanceledException) { }
            await Async.Yield();
        });
        await started.Task.WaitAsync(TestHosts.Bound);
        return stuck;
    }

    [Fact]
    public async Task A_task_that_does_not_unwind_within_the_shutdown_timeout_is_reported_as_a_warning()
    {
        var builder = TestHosts.Builder(_journal, _logs, new Dictionary<string, string?> { ["Tandem:ShutdownTimeout"] = "00:00:00.1" });
        builder.Services.AddTandem();
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TestHosts.Bound);
        var runtime = host.Services.GetRequiredService<Runtime>();

        using var release = new CancellationTokenSource();
        var stuck = await SpawnStuckAsync(runtime, release.Token);

        await host.StopAsync().WaitAsync(TestHosts.Bound);
        var warning = Assert.Single(_logs.Entries, e => e.Category == "Tandem.Runtime" && e.Level == LogLevel.Warning);
        Assert.Equal("Tandem runtime shut down, but 1 tasks had not finished unwinding within 00:00:00.1000000", warning.Message);

        Assert.False(stuck.IsFinished); // the runtime's threads are gone: nothing will poll it again
        release.Cancel();
    }

    [Fact]
    public async Task When_the_hosts_shutdown_timeout_runs_out_first_the_host_goes_on_and_the_runtime_unwinds_behind_it()
    {
        var builder = TestHosts.Builder(_journal, _logs, new Dictionary<string, string?> { ["Tandem:ShutdownTimeout"] = "00:01:00" });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(200));
        builder.Services.AddTandem();
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TestHosts.Bound);
        var runtime = host.Services.GetRequiredService<Runtime>();

        using var release = new CancellationTokenSource();
        var stuck = await SpawnStuckAsync(runtime, release.Token);

        await host.StopAsync().WaitAsync(TestHosts.Bound); // returns after the host's 200 ms, not the runtime's minute
        Assert.False(stuck.IsFinished);
        var warning = Assert.Single(_logs.Entries, e => e.Category == "Tandem.Runtime" && e.Level == LogLevel.Warning);
        Assert.Equal(5, warning.EventId.Id);
        Assert.True(((HostScheduler)runtime).IsShutdown); // no new spawns, though its task still unwinds

        release.Cancel(); // the runtime's shutdown still waits for it: it unwinds, aborted
        await Assert.ThrowsAsync<TaskAbortedException>(async () => await stuck).WaitAsync(TestHosts.Bound);
    }

    [Fact]
    public async Task A_value_that_does_not_convert_fails_the_start_naming_the_key()
    {
        var builder = TestHosts.Builder(_journal, _logs, new Dictionary<string, string?> { ["Tandem:WorkerCount"] = "many" });
        builder.Services.AddTandem();
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync().WaitAsync(TestHosts.Bound));
        Assert.Contains("Tandem:WorkerCount", error.Message, StringComparison.Ordinal);
    }
}
