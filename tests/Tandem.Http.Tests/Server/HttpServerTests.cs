using System.Diagnostics;
using System.Net.Sockets;

namespace Tandem.Http.Tests.Server;

/// <summary>The HTTP/1.1 server over raw sockets: responses, keep-alive, pipelining, bodies, errors, priorities, stop.</summary>
public class HttpServerTests
{
    /// <summary>A GET is answered with the handler's body and the headers every response carries.</summary>
    [Fact]
    public async Task AnswersWithDateServerAndContentLength()
    {
        await using var server = new TestServer();
        using var client = server.Connect();
        client.Send(TestServer.Get("/plaintext"));
        var response = await client.ReadAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal("Hello, World!", response.Body);
        Assert.Equal("13", response.Headers["content-length"]);
        Assert.Equal("text/plain", response.Headers["content-type"]);
        Assert.Equal("Tandem", response.Headers["server"]);
        Assert.True(DateTimeOffset.TryParse(response.Headers["date"], out _));
        Assert.False(response.Headers.ContainsKey("connection"));
    }

    /// <summary>A keep-alive connection serves request after request; pipelined requests are answered in order.</summary>
    [Fact]
    public async Task KeepsAliveAndAnswersPipelinedRequestsInOrder()
    {
        await using var server = new TestServer();
        using var client = server.Connect();
        client.Send(TestServer.Get("/plaintext"));
        Assert.Equal(200, (await client.ReadAsync()).Status);
        client.Send(TestServer.Get("/plaintext") + TestServer.Get("/nowhere") + TestServer.Get("/priority") + TestServer.Get("/plaintext"));
        Assert.Equal("Hello, World!", (await client.ReadAsync()).Body);
        Assert.Equal(404, (await client.ReadAsync()).Status);
        Assert.Equal("Critical", (await client.ReadAsync()).Body);
        Assert.Equal("Hello, World!", (await client.ReadAsync()).Body);
    }

    /// <summary>Request bytes split at every point, and one byte per write, make the same request.</summary>
    [Fact]
    public async Task ARequestSplitAcrossWritesIsTheSame()
    {
        await using var server = new TestServer();
        var request = TestServer.Ascii("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello");
        foreach (int split in new[] { 1, 7, 20, request.Length - 6, request.Length - 1 })
        {
            using var client = server.Connect();
            client.Send(request[..split]);
            await Task.Yield();
            client.Send(request[split..]);
            Assert.Equal("hello", (await client.ReadAsync()).Body);
        }
        using var trickle = server.Connect();
        foreach (byte b in request) trickle.Send([b]);
        Assert.Equal("hello", (await trickle.ReadAsync()).Body);
    }

    /// <summary>Bodies with Content-Length and chunked (with an extension and trailers), both echoed back.</summary>
    [Fact]
    public async Task ReadsContentLengthAndChunkedBodies()
    {
        await using var server = new TestServer();
        using var client = server.Connect();
        client.Send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n\r\nhello world");
        Assert.Equal("hello world", (await client.ReadAsync()).Body);
        client.Send("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n");
        Assert.Equal("hello world", (await client.ReadAsync()).Body);
        client.Send(TestServer.Get("/plaintext"));
        Assert.Equal(200, (await client.ReadAsync()).Status); // the connection stayed in step
    }

    /// <summary>A body the handler does not read is stepped over: the next request on the connection is served.</summary>
    [Fact]
    public async Task AnUnreadBodyIsSteppedOver()
    {
        await using var server = new TestServer(routes => routes.MapPost("/ignore", static ctx =>
        {
            ctx.Response.Write("ignored"u8);
            return TandemTask.CompletedTask;
        }));
        using var client = server.Connect();
        client.Send("POST /ignore HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\n\r\nabcd" + TestServer.Get("/plaintext")
            + "POST /ignore HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + TestServer.Get("/plaintext"));
        Assert.Equal("ignored", (await client.ReadAsync()).Body);
        Assert.Equal("Hello, World!", (await client.ReadAsync()).Body);
        Assert.Equal("ignored", (await client.ReadAsync()).Body);
        Assert.Equal("Hello, World!", (await client.ReadAsync()).Body);
    }

    /// <summary>Expect: 100-continue gets a 100 before the client sends the body, when the handler reads it.</summary>
    [Fact]
    public async Task AnswersExpectContinue()
    {
        await using var server = new TestServer();
        using var client = server.Connect();
        client.Send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
        Assert.Equal(100, (await client.ReadAsync()).Status);
        client.Send("ping");
        Assert.Equal("ping", (await client.ReadAsync()).Body);
    }

    /// <summary>Connection: close, and HTTP/1.0 without keep-alive, end the connection after the response; HTTP/1.0 with
    /// keep-alive keeps it.</summary>
    [Fact]
    public async Task ClosesWhenAsked()
    {
        await using var server = new TestServer();
        using (var client = server.Connect())
        {
            client.Send(TestServer.Get("/plaintext", "Connection: close\r\n"));
            var response = await client.ReadAsync();
            Assert.Equal("close", response.Headers["connection"]);
            Assert.True(await client.IsClosedAsync());
        }
        using (var client = server.Connect())
        {
            client.Send("GET /plaintext HTTP/1.0\r\n\r\n");
            Assert.Equal(200, (await client.ReadAsync()).Status);
            Assert.True(await client.IsClosedAsync());
        }
        using (var client = server.Connect())
        {
            client.Send("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Assert.Equal(200, (await client.ReadAsync()).Status);
            client.Send("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Assert.Equal(200, (await client.ReadAsync()).Status);
        }
    }

    /// <summary>404 for an unknown path, 405 for a known path with another method; HEAD gets the head without a body.</summary>
    [Fact]
    public async Task AnswersUnknownRoutesAndHead()
    {
        await using var server = new TestServer(routes => routes.Map("HEAD", "/plaintext", static ctx =>
        {
            ctx.Response.Write("Hello, World!"u8);
            return TandemTask.CompletedTask;
        }));
        using var client = server.Connect();
        client.Send(TestServer.Get("/missing"));
        Assert.Equal(404, (await client.ReadAsync()).Status);
        client.Send("DELETE /plaintext HTTP/1.1\r\nHost: test\r\n\r\n");
        Assert.Equal(405, (await client.ReadAsync()).Status);
        client.Send("HEAD /plaintext HTTP/1.1\r\nHost: test\r\n\r\n" + TestServer.Get("/plaintext"));
        var head = await client.ReadAsync(toHead: true);
        Assert.Equal("13", head.Headers["content-length"]);
        // A HEAD response has no body: the next bytes are the next response.
        Assert.Equal("Hello, World!", (await client.ReadAsync()).Body);
    }

    /// <summary>Requests over the limits or malformed are refused with their status code, and their connection closed.</summary>
    [Theory]
    [InlineData(414, "GET /{long} HTTP/1.1\r\nHost: test\r\n\r\n")]
    [InlineData(431, "GET / HTTP/1.1\r\nHost: test\r\n{many}\r\n")]
    [InlineData(413, "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 40000000\r\n\r\n")]
    [InlineData(400, "GET / HTTP/1.1\r\n\r\n")]
    [InlineData(400, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")]
    [InlineData(400, "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData(400, "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n")]
    [InlineData(501, "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: gzip\r\n\r\n")]
    [InlineData(505, "GET / HTTP/2.0\r\nHost: test\r\n\r\n")]
    public async Task RefusesBadRequestsAndClosesTheirConnection(int status, string request)
    {
        request = request.Replace("{long}", new string('a', 9 * 1024))
            .Replace("{many}", string.Concat(Enumerable.Range(0, 101).Select(i => $"X-H{i}: v\r\n")));
        await using var server = new TestServer();
        using var client = server.Connect();
        client.Send(request);
        var response = await client.ReadAsync();
        Assert.Equal(status, response.Status);
        Assert.Equal("close", response.Headers["connection"]);
        Assert.True(await client.IsClosedAsync());
        using var other = server.Connect(); // and nothing else was harmed
        other.Send(TestServer.Get("/plaintext"));
        Assert.Equal(200, (await other.ReadAsync()).Status);
    }

    /// <summary>A handler that throws gets its client a 500 and raises Faulted; the connection goes on.</summary>
    [Fact]
    public async Task AHandlersExceptionBecomesA500AndAnEvent()
    {
        await using var server = new TestServer();
        using var client = server.Connect();
        client.Send(TestServer.Get("/throw") + TestServer.Get("/plaintext"));
        Assert.Equal(500, (await client.ReadAsync()).Status);
        Assert.Equal(200, (await client.ReadAsync()).Status);
        var fault = Assert.Single(server.Faults);
        Assert.Equal("handler failed", fault.Exception.Message);
        Assert.Equal("GET", fault.Method);
        Assert.Equal("/throw", fault.Path);
    }

    /// <summary>A handler that flushes sends its head at once and its body chunked.</summary>
    [Fact]
    public async Task AFlushingHandlerRespondsChunked()
    {
        await using var server = new TestServer(routes => routes.MapGet("/stream", static async ctx =>
        {
            ctx.Response.Write("one,"u8);
            await ctx.Response.FlushAsync();
            ctx.Response.Write("two"u8);
        }));
        using var client = server.Connect();
        client.Send(TestServer.Get("/stream") + TestServer.Get("/plaintext"));
        var response = await client.ReadAsync();
        Assert.Equal("chunked", response.Headers["transfer-encoding"]);
        Assert.Equal("one,two", response.Body);
        Assert.Equal(200, (await client.ReadAsync()).Status);
    }

    /// <summary>A route's timeout cancels its RequestAborted token.</summary>
    [Fact]
    public async Task ARoutesTimeoutCancelsRequestAborted()
    {
        await using var server = new TestServer(routes => routes.MapGet("/slow", static async ctx =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                ctx.Response.StatusCode = 503;
            }
        }, timeout: TimeSpan.FromMilliseconds(50)));
        using var client = server.Connect();
        client.Send(TestServer.Get("/slow") + TestServer.Get("/plaintext"));
        Assert.Equal(503, (await client.ReadAsync()).Status);
        Assert.Equal(200, (await client.ReadAsync()).Status); // the next request's token is a fresh one
    }

    /// <summary>
    /// Priorities under overload, on one worker: while eight connections keep a Normal route spinning, a Critical route's
    /// request is read at High priority and served ahead of the queued work — it is answered while most of that work
    /// still waits.
    /// </summary>
    [Fact]
    public async Task ACriticalRouteIsServedAheadOfQueuedWork()
    {
        int done = 0, doneWhenHealthRan = -1;
        await using var server = new TestServer(routes => routes
            .MapGet("/work", ctx =>
            {
                var end = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 50; // 20 ms of CPU
                while (Stopwatch.GetTimestamp() < end) { }
                Interlocked.Increment(ref done);
                return TandemTask.CompletedTask;
            })
            .MapGet("/health", ctx =>
            {
                // Read on the one worker itself: how many /work handlers ran before this one (the client's own timing,
                // on a loaded machine, does not enter into it).
                doneWhenHealthRan = Volatile.Read(ref done);
                ctx.Response.Write("ok"u8);
                return TandemTask.CompletedTask;
            }, Priority.Critical), workers: 1);
        var workers = Enumerable.Range(0, 8).Select(_ => server.Connect()).ToList();
        foreach (var c in workers) c.Send(TestServer.Get("/work"));
        using var health = server.Connect();
        health.Send(TestServer.Get("/health"));
        Assert.Equal("ok", (await health.ReadAsync()).Body);
        int finishedBefore = Volatile.Read(ref doneWhenHealthRan);
        Assert.True(finishedBefore < 6, $"/health was served only after {finishedBefore} of 8 work requests");
        foreach (var c in workers)
        {
            Assert.Equal(200, (await c.ReadAsync()).Status);
            c.Dispose();
        }
    }

    /// <summary>A stop lets a request in progress finish (answered with Connection: close) and closes idle connections.</summary>
    [Fact]
    public async Task AStopLetsTheRequestInProgressFinish()
    {
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = new TestServer(routes => routes.MapGet("/slow", async ctx =>
        {
            running.SetResult();
            await release.Task;
            ctx.Response.Write("finished"u8);
        }));
        using var idle = server.Connect();
        idle.Send(TestServer.Get("/plaintext"));
        Assert.Equal(200, (await idle.ReadAsync()).Status);
        using var busy = server.Connect();
        busy.Send(TestServer.Get("/slow"));
        await running.Task.WaitAsync(RawClient.Bound);
        var stop = server.Server.StopAsync(RawClient.Bound);
        Assert.True(await idle.IsClosedAsync());
        release.SetResult();
        var response = await busy.ReadAsync();
        Assert.Equal("finished", response.Body);
        Assert.Equal("close", response.Headers["connection"]);
        Assert.True(await stop.WaitAsync(RawClient.Bound));
        server.Runtime.Dispose();
    }

    /// <summary>Route and option misuse fails at once, naming the argument.</summary>
    [Fact]
    public void RejectsBadRoutesAndOptions()
    {
        var routes = new HttpRoutes().MapGet("/a", static _ => TandemTask.CompletedTask);
        Assert.Throws<ArgumentException>(() => routes.MapGet("/a", static _ => TandemTask.CompletedTask));
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => routes.MapGet("a", static _ => TandemTask.CompletedTask)).ParamName);
        Assert.Equal("HeadersTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new HttpServerOptions { HeadersTimeout = TimeSpan.Zero }).ParamName);
        Assert.Equal("MaxConnections", Assert.Throws<ArgumentOutOfRangeException>(() => new HttpServerOptions { MaxConnections = 0 }).ParamName);
    }

    /// <summary>The plaintext route allocates nothing per request in steady state (whole process; the least of five runs,
    /// as the test host's own messaging allocates in bursts).</summary>
    [Fact]
    public async Task PlaintextRequestsAllocateNothing()
    {
        await using var server = new TestServer();
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(server.Server.LocalEndPoint);
        var request = TestServer.Ascii(TestServer.Get("/plaintext"));
        var buffer = new byte[4096];
        void Requests(int n)
        {
            for (int i = 0; i < n; i++)
            {
                socket.Send(request);
                int got = 0;
                while (got < 100) got += socket.Receive(buffer, got, buffer.Length - got, SocketFlags.None);
                // one response: its head (with a Date of fixed length) and the 13-byte body
                while (buffer.AsSpan(0, got).IndexOf("Hello, World!"u8) < 0) got += socket.Receive(buffer, got, buffer.Length - got, SocketFlags.None);
            }
        }
        await Task.Run(() => Requests(2_000)).WaitAsync(RawClient.Bound);
        const int Measured = 3_000;
        double perRequest = double.MaxValue;
        for (int run = 0; run < 5 && perRequest >= 4; run++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            await Task.Run(() => Requests(Measured)).WaitAsync(RawClient.Bound);
            perRequest = Math.Min(perRequest, (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Measured);
        }
        // The least object is 24 bytes, so a mean under 4 bytes means fewer than one allocation in six requests: nothing
        // on the request path allocates. What does remain is the process's own background (tiered compilation's call
        // counting and rejit, the runtime's timers), a few kilobytes a run whatever the request count.
        Assert.True(perRequest < 4, $"{perRequest:F1} bytes allocated per request");
    }

    /// <summary>Query parameters are found by name, percent-decoded; a missing one is null.</summary>
    [Fact]
    public async Task ReadsQueryParameters()
    {
        await using var server = new TestServer(routes => routes.MapGet("/q", static ctx =>
        {
            ctx.Response.Write($"{ctx.Request.GetQuery("a")}|{ctx.Request.GetQuery("b")}|{ctx.Request.GetQuery("none") ?? "null"}");
            return TandemTask.CompletedTask;
        }));
        using var client = server.Connect();
        client.Send(TestServer.Get("/q?a=1&b=x%20y+z"));
        Assert.Equal("1|x y z|null", (await client.ReadAsync()).Body);
    }

    /// <summary>A client that closes its connection while its request's handler is suspended cancels RequestAborted.</summary>
    [Fact]
    public async Task AClientThatGoesAwayCancelsRequestAborted()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new TestServer(routes => routes.MapGet("/wait", async ctx =>
        {
            started.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted.SetResult();
            }
        }));
        using (var client = server.Connect())
        {
            client.Send(TestServer.Get("/wait"));
            await started.Task.WaitAsync(RawClient.Bound);
        } // the client goes away
        await aborted.Task.WaitAsync(RawClient.Bound);
        using var next = server.Connect(); // and the server goes on
        next.Send(TestServer.Get("/plaintext"));
        Assert.Equal(200, (await next.ReadAsync()).Status);
    }

    /// <summary>While a suspended handler runs, the client's next pipelined request, sent meanwhile, is kept for after it.</summary>
    [Fact]
    public async Task ARequestSentDuringASuspendedHandlerIsServedNext()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new TestServer(routes => routes.MapGet("/hold", async ctx =>
        {
            started.TrySetResult();
            await release.Task;
            ctx.Response.Write("held"u8);
        }));
        using var client = server.Connect();
        client.Send(TestServer.Get("/hold"));
        await started.Task.WaitAsync(RawClient.Bound);
        client.Send(TestServer.Get("/plaintext")); // read ahead while /hold waits
        release.SetResult();
        Assert.Equal("held", (await client.ReadAsync()).Body);
        Assert.Equal("Hello, World!", (await client.ReadAsync()).Body);
    }

    /// <summary>A head that does not complete within the headers timeout closes its connection, however the client
    /// trickles it; an idle keep-alive connection is closed after the keep-alive timeout.</summary>
    [Fact]
    public async Task TimeoutsCloseSlowAndIdleConnections()
    {
        await using var server = new TestServer(options: new HttpServerOptions
        {
            HeadersTimeout = TimeSpan.FromMilliseconds(300),
            KeepAliveTimeout = TimeSpan.FromMilliseconds(300),
        });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using (var slow = server.Connect())
        {
            slow.Send("GET /plaintext HTTP/1.1\r\n");
            var trickle = Task.Run(async () =>
            {
                // One header byte every 50 ms: each read would re-arm a per-read timer; the head's timer is not re-armed.
                try
                {
                    foreach (char c in "X-Slow: a long header value that keeps coming\r\n")
                    {
                        slow.Send(c.ToString());
                        await Task.Delay(50);
                    }
                }
                catch (System.Net.Sockets.SocketException)
                {
                    // closed by the server, as it should be
                }
            });
            Assert.True(await slow.IsClosedAsync());
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"the slow head's connection closed after {watch.Elapsed}");
            await trickle.WaitAsync(RawClient.Bound);
        }
        using var idle = server.Connect();
        idle.Send(TestServer.Get("/plaintext"));
        Assert.Equal(200, (await idle.ReadAsync()).Status);
        Assert.True(await idle.IsClosedAsync()); // nothing more sent: closed after the keep-alive timeout
    }
}
