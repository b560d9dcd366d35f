using System.Diagnostics;
using System.Net;
using Tandem.Http;

namespace Tandem.Bench.Net;

/// <summary>
/// The HTTP contract of ../shared/ANCHORS.md: <c>http-server --port P</c> serves /plaintext, /json, /work?us=N (N µs of
/// CPU at Normal priority), /health (at Critical priority) and POST /echo on a host runtime with one worker per core;
/// prints "listening on P" once it accepts connections; stops when its standard input closes or on SIGTERM.
/// </summary>
/// <remarks>The socket engine's inline completions are turned on (before any socket exists) unless
/// <c>--no-inline-completions</c> is given: what docs/PERFORMANCE.md recommends for a Tandem server (one hand-off from
/// the socket engine to the task, not two).</remarks>
internal static class HttpBenchServer
{
    internal static int Run(int port, bool inlineCompletions)
    {
        if (inlineCompletions) Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
        bool measure = Environment.GetEnvironmentVariable("TANDEM_BENCH_LATENCY") == "1";
        using var runtime = Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { RecordTaskTimes = measure });
        using var latency = measure ? new LatencyRecorder() : null;
        var routes = new HttpRoutes()
            .MapGet("/plaintext", static ctx =>
            {
                ctx.Response.ContentType = "text/plain";
                ctx.Response.Write("Hello, World!"u8);
                return TandemTask.CompletedTask;
            })
            .MapGet("/json", static ctx =>
            {
                ctx.Response.ContentType = "application/json";
                ctx.Response.Write("{\"message\":\"Hello, World!\"}"u8);
                return TandemTask.CompletedTask;
            })
            .MapGet("/work", static ctx =>
            {
                int us = int.TryParse(ctx.Request.GetQuery("us"), out int n) ? n : 0;
                long end = Stopwatch.GetTimestamp() + us * Stopwatch.Frequency / 1_000_000;
                while (Stopwatch.GetTimestamp() < end) { }
                ctx.Response.ContentType = "text/plain";
                ctx.Response.Write("done"u8);
                return TandemTask.CompletedTask;
            })
            .MapGet("/health", static ctx =>
            {
                ctx.Response.ContentType = "text/plain";
                ctx.Response.Write("ok"u8);
                return TandemTask.CompletedTask;
            }, Priority.Critical)
            .MapPost("/echo", static async ctx =>
            {
                var body = await ctx.Request.ReadBodyAsync();
                ctx.Response.ContentType = "application/octet-stream";
                ctx.Response.Write(body.Span);
            });
        var server = HttpServer.Start(runtime, routes, new HttpServerOptions { EndPoint = new IPEndPoint(IPAddress.Any, port) });
        Console.Out.WriteLine($"listening on {server.LocalEndPoint.Port}");
        Console.Out.Flush();
        var stop = new ManualResetEventSlim();
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Set();
        });
        new Thread(() =>
        {
            try
            {
                while (Console.In.Read() >= 0) { }
            }
            catch (IOException)
            {
            }
            stop.Set();
        }) { IsBackground = true }.Start();
        stop.Wait();
        server.StopAsync(TimeSpan.FromSeconds(2)).GetAwaiter().GetResult();
        latency?.Report();
        return 0;
    }

    /// <summary>
    /// With <c>TANDEM_BENCH_LATENCY=1</c>: the runtime's scheduling-latency histogram (ready → polled) by priority, as
    /// percentiles on standard error at the end — the part of a request's wait that is Tandem's own, to set beside what
    /// the client measures end to end.
    /// </summary>
    private sealed class LatencyRecorder : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private readonly Dictionary<string, List<double>> _samples = [];

        public LatencyRecorder()
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Tandem" && instrument.Name == "tandem.task.scheduling_latency") l.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key != "tandem.priority") continue;
                    lock (_samples)
                    {
                        if (!_samples.TryGetValue((string)tag.Value!, out var list)) _samples[(string)tag.Value!] = list = [];
                        list.Add(seconds);
                    }
                }
            });
            _listener.Start();
        }

        public void Report()
        {
            lock (_samples)
            {
                foreach (var (priority, list) in _samples)
                {
                    list.Sort();
                    double P(double f) => list[Math.Min(list.Count - 1, (int)(f * list.Count))] * 1000;
                    Console.Error.WriteLine($"# scheduling latency {priority}: {list.Count} polls, p50 {P(0.5):F3} ms, p99 {P(0.99):F3} ms, p99.9 {P(0.999):F3} ms, max {list[^1] * 1000:F3} ms");
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
