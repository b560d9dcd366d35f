using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Tandem;
using Tandem.Http;

// A small service on Tandem: a key-value store over HTTP, a Critical health route that answers even while the store's
// Low-priority background compaction and a flood of requests keep every worker busy, and a graceful stop.
//   dotnet run --project samples/Tandem.Service                 serves on port 8080 until Ctrl+C
//   dotnet run --project samples/Tandem.Service -- --self-test  starts on a free port, drives itself, prints, stops
bool selfTest = args.Contains("--self-test");
int port = selfTest ? 0 : 8080;

using var runtime = Runtime.WithMode(RuntimeMode.Host);
var store = new ConcurrentDictionary<string, string>();
long compactions = 0;

var routes = new HttpRoutes()
    .MapGet("/health", ctx =>
    {
        ctx.Response.ContentType = "text/plain";
        ctx.Response.Write($"ok: {store.Count} items, {Interlocked.Read(ref compactions)} compactions");
        return TandemTask.CompletedTask;
    }, Priority.Critical)
    .MapGet("/item", ctx =>
    {
        string key = ctx.Request.GetQuery("key") ?? "";
        if (store.TryGetValue(key, out var value)) ctx.Response.Write(value);
        else ctx.Response.StatusCode = 404;
        return TandemTask.CompletedTask;
    })
    .MapPost("/item", async ctx =>
    {
        string key = ctx.Request.GetQuery("key") ?? "";
        var body = await ctx.Request.ReadBodyAsync();
        store[key] = Encoding.UTF8.GetString(body.Span);
        ctx.Response.StatusCode = 201;
    });

var server = HttpServer.Start(runtime, routes, new HttpServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, port) });
Console.WriteLine($"listening on http://{server.LocalEndPoint}");

// Background work at Low priority: a compaction pass every 50 ms, each a few milliseconds of CPU. It yields between
// slices, so anything of a higher priority runs first.
using var stop = new CancellationTokenSource();
var compactor = runtime.Spawn(Priority.Low, async () =>
{
    while (!stop.IsCancellationRequested)
    {
        for (int slice = 0; slice < 10; slice++)
        {
            long end = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 2_000; // 0.5 ms of CPU
            while (Stopwatch.GetTimestamp() < end) { }
            await Async.Yield();
        }
        Interlocked.Increment(ref compactions);
        await Async.Delay(TimeSpan.FromMilliseconds(50));
    }
});

if (selfTest)
{
    using var http = new HttpClient { BaseAddress = new Uri($"http://{server.LocalEndPoint}") };
    for (int i = 0; i < 20; i++) await http.PostAsync($"/item?key=k{i}", new StringContent($"value {i}"));
    // A flood of Normal requests while the health check is measured.
    var flood = Enumerable.Range(0, 200).Select(i => http.GetStringAsync($"/item?key=k{i % 20}")).ToList();
    var watch = Stopwatch.StartNew();
    string health = await http.GetStringAsync("/health");
    Console.WriteLine($"/health answered in {watch.Elapsed.TotalMilliseconds:F1} ms during the flood: {health}");
    await Task.WhenAll(flood);
    Console.WriteLine($"/item?key=k7 -> {await http.GetStringAsync("/item?key=k7")}");
}
else
{
    var stopped = new TaskCompletionSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stopped.TrySetResult();
    };
    await stopped.Task;
}

stop.Cancel();
bool graceful = await server.StopAsync(TimeSpan.FromSeconds(5));
runtime.BlockOn(compactor);
Console.WriteLine(graceful ? "stopped" : "stopped (some connections were reset)");
