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
        using var runtime = Runtime.WithMode(RuntimeMode.Host);
        if (Environment.GetEnvironmentVariable("TANDEM_BENCH_WORKER_NICE") is { } nice && int.TryParse(nice, out int niceness))
            LowerWorkerPriority(runtime, niceness);
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
        return 0;
    }

    /// <summary>
    /// An experiment of the network issue's second round (<c>TANDEM_BENCH_WORKER_NICE=N</c>, Linux): raises the nice value
    /// of every worker thread by <paramref name="niceness"/>, so that the socket engine's thread (nice 0) preempts a busy
    /// worker as soon as it wakes, instead of waiting for the worker's time slice to end.
    /// </summary>
    private static void LowerWorkerPriority(Runtime runtime, int niceness)
    {
        int workers = ((Tandem.Host.HostScheduler)runtime).WorkerCount;
        using var started = new CountdownEvent(workers);
        using var release = new ManualResetEventSlim();
        var handles = new List<JoinHandle>();
        for (int i = 0; i < workers; i++)
        {
            // Each task holds its worker until all have started, so that every worker runs one of them.
            handles.Add(runtime.Spawn(Priority.Critical, (started, release, niceness), static s =>
            {
                if (setpriority(0, gettid(), s.niceness) != 0)
                    Console.Error.WriteLine($"setpriority failed: {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
                s.started.Signal();
                s.release.Wait();
                return TandemTask.CompletedTask;
            }));
        }
        started.Wait();
        release.Set();
        foreach (var handle in handles) runtime.BlockOn(handle);
        Console.Error.WriteLine($"# {workers} worker(s) at nice {niceness}");
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, int who, int prio);

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int gettid();
}
