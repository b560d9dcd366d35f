using System.Text;

namespace Tandem.Http.Tests.Server;

/// <summary>A host runtime with an HTTP server on it, with the routes most tests use; disposed at the test's end.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    public Runtime Runtime { get; }
    public HttpServer Server { get; }
    public List<HttpServerFaultEventArgs> Faults { get; } = [];

    public TestServer(Action<HttpRoutes>? extra = null, HttpServerOptions? options = null, int workers = 2)
    {
        Runtime = Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { WorkerCount = workers });
        var routes = new HttpRoutes()
            .MapGet("/plaintext", static ctx =>
            {
                ctx.Response.ContentType = "text/plain";
                ctx.Response.Write("Hello, World!"u8);
                return TandemTask.CompletedTask;
            })
            .MapPost("/echo", static async ctx =>
            {
                var body = await ctx.Request.ReadBodyAsync();
                ctx.Response.Write(body.Span);
            })
            .MapGet("/priority", static ctx =>
            {
                ctx.Response.Write(Async.CurrentPriority.ToString());
                return TandemTask.CompletedTask;
            }, Priority.Critical)
            .MapGet("/throw", static _ => throw new InvalidOperationException("handler failed"));
        extra?.Invoke(routes);
        Server = HttpServer.Start(Runtime, routes, options);
        Server.Faulted += (_, e) => { lock (Faults) Faults.Add(e); };
    }

    public RawClient Connect() => new(Server.LocalEndPoint);

    public static string Get(string path, string extraHeaders = "") => $"GET {path} HTTP/1.1\r\nHost: test\r\n{extraHeaders}\r\n";

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync(TimeSpan.FromSeconds(5));
        Runtime.Dispose();
    }

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
