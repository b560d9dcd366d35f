// Installed from the packed Tandem.Extensions.Hosting package by .ci/package-smoke: a generic host with AddTandem and a
// TandemBackgroundService, configured from the "Tandem" section.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tandem;
using Tandem.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Tandem:WorkerCount"] = "2" });
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddTandem();
builder.Services.AddSingleton<Probe>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<Probe>());
using var host = builder.Build();
var probe = host.Services.GetRequiredService<Probe>();
await host.RunAsync(); // until the probe stops the application; disposes the host
Console.WriteLine($"hosting: {probe.Result}");
if (probe.Result != "High on the application's runtime, 2 workers") return 1;
Console.WriteLine("hosting package smoke: ok");
return 0;

sealed class Probe(Runtime runtime, IHostApplicationLifetime lifetime) : TandemBackgroundService(runtime)
{
    public string Result = "not run";

    protected override Priority Priority => Priority.High;

    protected override async TandemTask ExecuteAsync(CancellationToken stoppingToken)
    {
        await Async.Yield();
        var workers = ((Tandem.Host.HostScheduler)Runtime).WorkerCount;
        Result = $"{Async.CurrentPriority} on {(Runtime.Current == Runtime ? "the application's runtime" : "another runtime")}, {workers} workers";
        lifetime.StopApplication();
    }
}
