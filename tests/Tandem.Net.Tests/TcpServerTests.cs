using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tandem.Net.Tests;

/// <summary>The TCP server through its public API, on the host tier: serving, limits, faults and the graceful stop.</summary>
public class TcpServerTests
{
    private static Runtime NewRuntime() => Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { WorkerCount = 2 });

    /// <summary>A client's bytes come back over IPv4 loopback, IPv6 loopback, and a dual-mode IPv6 listener reached over IPv4.</summary>
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::1", "::1")]
    [InlineData("::", "127.0.0.1")]
    public async Task EchoesOverLoopback(string listenOn, string connectTo)
    {
        if (!Socket.OSSupportsIPv6 && listenOn.Contains(':')) return;
        using var runtime = NewRuntime();
        var server = TcpServer.Start(runtime, Echo.Handler, new TcpServerOptions { EndPoint = new IPEndPoint(IPAddress.Parse(listenOn), 0) });
        var target = new IPEndPoint(IPAddress.Parse(connectTo), server.LocalEndPoint.Port);
        Assert.Equal("hello, tandem", await Echo.RoundTrip(target, "hello, tandem").WaitAsync(Echo.Bound));
        Assert.True(await server.StopAsync(Echo.Bound));
        Assert.Equal(0, server.ConnectionCount);
    }

    /// <summary>Many clients at once are each served their own bytes; the stop finds every connection ended.</summary>
    [Fact]
    public async Task ServesManyClientsAtOnce()
    {
        using var runtime = NewRuntime();
        var server = TcpServer.Start(runtime, Echo.Handler);
        var replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Echo.RoundTrip(server.LocalEndPoint, $"client {i}"))).WaitAsync(Echo.Bound);
        for (int i = 0; i < 50; i++) Assert.Equal($"client {i}", replies[i]);
        Assert.Equal(50, server.ConnectionsAccepted);
        Assert.True(await server.StopAsync(Echo.Bound));
        Assert.Equal(0, server.ConnectionCount);
    }

    /// <summary>Connection handlers run as Tandem tasks at the priority chosen for the client; the accept loop at its own.</summary>
    [Fact]
    public async Task ConnectionsRunAtTheirPriority()
    {
        using var runtime = NewRuntime();
        var seen = new TaskCompletionSource<(bool InTask, Priority Priority)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = TcpServer.Start(runtime, connection =>
        {
            seen.TrySetResult((Async.IsInTask, Async.CurrentPriority));
            return Echo.Handler(connection);
        }, new TcpServerOptions { SelectPriority = _ => Priority.Critical });
        await Echo.RoundTrip(server.LocalEndPoint, "x").WaitAsync(Echo.Bound);
        var (inTask, priority) = await seen.Task.WaitAsync(Echo.Bound);
        Assert.True(inTask);
        Assert.Equal(Priority.Critical, priority);
        await server.StopAsync(Echo.Bound);
    }

    /// <summary>In a task snapshot the accept loop and each connection's task are named after their end points, and a
    /// connection waiting for its client's bytes shows it.</summary>
    [Fact]
    public async Task TaskSnapshotsNameTheAcceptLoopAndEachConnection()
    {
        using var runtime = NewRuntime();
        var server = TcpServer.Start(runtime, Echo.Handler);
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(server.LocalEndPoint).WaitAsync(Echo.Bound);
        int port = ((IPEndPoint)client.LocalEndPoint!).Port;
        TaskInfo? connectionTask = null;
        var deadline = DateTime.UtcNow + Echo.Bound;
        while (connectionTask is not { Activity: TaskActivity.Waiting, Polls: > 0 } && DateTime.UtcNow < deadline)
        {
            connectionTask = runtime.GetTaskSnapshot().FirstOrDefault(t => t.Name?.StartsWith("tcp connection ", StringComparison.Ordinal) == true && t.Name.EndsWith($":{port}", StringComparison.Ordinal));
            if (connectionTask is not { Activity: TaskActivity.Waiting, Polls: > 0 }) await Task.Yield();
        }
        Assert.True(connectionTask is not null, string.Join("; ", runtime.GetTaskSnapshot()));
        Assert.Equal(TaskActivity.Waiting, connectionTask.Activity);
        Assert.Contains(runtime.GetTaskSnapshot(), t => t.Name == $"tcp accept {server.LocalEndPoint}");
        client.Dispose();
        Assert.True(await server.StopAsync(Echo.Bound));
    }

    /// <summary>At the connection limit the next client is not served until a connection ends; then it is.</summary>
    [Fact]
    public async Task TheConnectionLimitHoldsTheNextClientBack()
    {
        using var runtime = NewRuntime();
        var firstRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int handlers = 0;
        var server = TcpServer.Start(runtime, async connection =>
        {
            if (Interlocked.Increment(ref handlers) == 1)
            {
                firstRunning.SetResult();
                await releaseFirst.Task;
            }
            else secondRunning.SetResult();
            await Echo.Handler(connection);
        }, new TcpServerOptions { MaxConnections = 1 });
        using var first = await TcpConnection.ConnectAsync(server.LocalEndPoint);
        await firstRunning.Task.WaitAsync(Echo.Bound);
        var second = Echo.RoundTrip(server.LocalEndPoint, "second"); // connects: the system's backlog takes it
        // Not served while the first holds the only place (an observation window, not a synchronisation).
        Assert.NotSame(secondRunning.Task, await Task.WhenAny(secondRunning.Task, Task.Delay(200)));
        releaseFirst.SetResult();
        first.ShutdownSend();
        await Echo.ReadToEnd(first).WaitAsync(Echo.Bound);
        Assert.Equal("second", await second.WaitAsync(Echo.Bound));
        await server.StopAsync(Echo.Bound);
    }

    /// <summary>A stop cancels each connection's Closing token; a handler that finishes on it ends gracefully, and the
    /// stop reports every connection ended in time. New clients are refused afterwards.</summary>
    [Fact]
    public async Task AGracefulStopLetsConnectionsFinish()
    {
        using var runtime = NewRuntime();
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = TcpServer.Start(runtime, async connection =>
        {
            var closing = new TaskCompletionSource();
            using var registration = connection.Closing.Register(() => closing.TrySetResult());
            running.SetResult();
            await closing.Task;
            await connection.SendAsync("bye"u8.ToArray());
        });
        using var client = await TcpConnection.ConnectAsync(server.LocalEndPoint);
        await running.Task.WaitAsync(Echo.Bound);
        Assert.True(await server.StopAsync(Echo.Bound));
        Assert.Equal("bye", await Echo.ReadToEnd(client).WaitAsync(Echo.Bound));
        Assert.Equal(0, server.ConnectionCount);
        await Assert.ThrowsAnyAsync<SocketException>(async () => await TcpConnection.ConnectAsync(server.LocalEndPoint));
    }

    /// <summary>A connection that ignores the stop is aborted at the deadline: the stop says so, nothing is left, and
    /// the abort is not reported as the handler's fault.</summary>
    [Fact]
    public async Task AConnectionThatIgnoresTheStopIsAbortedAtTheDeadline()
    {
        using var runtime = NewRuntime();
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var faults = new List<Exception>();
        var server = TcpServer.Start(runtime, async connection =>
        {
            running.SetResult();
            await Async.Delay(TimeSpan.FromHours(1));
        });
        server.Faulted += (_, e) => { lock (faults) faults.Add(e.Exception); };
        using var client = await TcpConnection.ConnectAsync(server.LocalEndPoint);
        await running.Task.WaitAsync(Echo.Bound);
        Assert.False(await server.StopAsync(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(0, server.ConnectionCount);
        Assert.Empty(faults);
        var buffer = new byte[16];
        try
        {
            Assert.Equal(0, await client.ReceiveAsync(buffer).AsTask().WaitAsync(Echo.Bound)); // closed, or reset:
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>A handler that throws closes its connection only: the exception reaches <see cref="TcpServer.Faulted"/>
    /// with the connection, and the server goes on serving.</summary>
    [Fact]
    public async Task AHandlersExceptionReachesFaultedAndTheServerGoesOn()
    {
        using var runtime = NewRuntime();
        var fault = new TaskCompletionSource<TcpServerFaultEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        var server = TcpServer.Start(runtime, connection =>
            Interlocked.Increment(ref calls) == 1 ? Throw() : Echo.Handler(connection));
        server.Faulted += (_, e) => fault.TrySetResult(e);
        using (var client = await TcpConnection.ConnectAsync(server.LocalEndPoint))
        {
            var reported = await fault.Task.WaitAsync(Echo.Bound);
            Assert.Equal("handler failed", reported.Exception.Message);
            Assert.NotNull(reported.Connection);
            Assert.Equal("", await Echo.ReadToEnd(client).WaitAsync(Echo.Bound)); // the server closed it
        }
        Assert.Equal("still here", await Echo.RoundTrip(server.LocalEndPoint, "still here").WaitAsync(Echo.Bound));
        await server.StopAsync(Echo.Bound);

        static async TandemTask Throw()
        {
            await Async.Yield();
            throw new InvalidOperationException("handler failed");
        }
    }

    /// <summary>With nobody handling <see cref="TcpServer.Faulted"/>, a handler's exception reaches the runtime's
    /// unobserved-exception event: never swallowed.</summary>
    [Fact]
    public async Task AnUnhandledHandlerExceptionReachesTheRuntime()
    {
        using var runtime = NewRuntime();
        var unobserved = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        runtime.UnobservedTaskException += (_, e) => unobserved.TrySetResult(e.Exception);
        var server = TcpServer.Start(runtime, _ => throw new InvalidOperationException("nobody listens"));
        using var client = await TcpConnection.ConnectAsync(server.LocalEndPoint);
        var exception = await unobserved.Task.WaitAsync(Echo.Bound);
        Assert.Contains("nobody listens", exception.ToString());
        await server.StopAsync(Echo.Bound);
    }

    /// <summary>Nothing is read ahead of the handler: a client sending to a handler that does not read is held back by
    /// the system's buffers (a few megabytes at most), not absorbed by the server.</summary>
    [Fact]
    public async Task AHandlerThatDoesNotReadHoldsTheClientBack()
    {
        using var runtime = NewRuntime();
        var server = TcpServer.Start(runtime, async connection =>
        {
            var closing = new TaskCompletionSource();
            using var registration = connection.Closing.Register(() => closing.TrySetResult());
            await closing.Task;
        });
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        client.Connect(server.LocalEndPoint);
        client.Blocking = false;
        var chunk = new byte[64 * 1024];
        long sent = 0;
        while (sent < 256L * 1024 * 1024)
        {
            try
            {
                sent += client.Send(chunk);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                break;
            }
        }
        Assert.True(sent < 64L * 1024 * 1024, $"{sent:N0} bytes were taken from a client whose handler reads nothing");
        Assert.True(await server.StopAsync(Echo.Bound));
    }

    /// <summary>A runtime shut down under a running server ends within its timeout: the accept loop ends (closing the
    /// listening socket) and a connection whose handler waits in a receive is reset and unwinds.</summary>
    [Fact]
    public async Task ARuntimeShutdownEndsTheServer()
    {
        var runtime = NewRuntime();
        var server = TcpServer.Start(runtime, Echo.Handler);
        using var client = await TcpConnection.ConnectAsync(server.LocalEndPoint);
        await client.SendAsync("x"u8.ToArray());
        var buffer = new byte[1];
        Assert.Equal(1, await client.ReceiveAsync(buffer).AsTask().WaitAsync(Echo.Bound)); // the handler waits in its next receive
        Assert.True(runtime.Shutdown(Echo.Bound));
        Assert.Equal(0, server.ConnectionCount);
        await Assert.ThrowsAnyAsync<SocketException>(async () => await TcpConnection.ConnectAsync(server.LocalEndPoint));
    }

    /// <summary>Options out of range name the option and its valid range.</summary>
    [Fact]
    public void BadOptionsNameTheirRange()
    {
        var backlog = Assert.Throws<ArgumentOutOfRangeException>(() => new TcpServerOptions { Backlog = 0 });
        Assert.Equal("Backlog", backlog.ParamName);
        Assert.Contains("between 1 and 65,535", backlog.Message);
        var max = Assert.Throws<ArgumentOutOfRangeException>(() => new TcpServerOptions { MaxConnections = 0 });
        Assert.Equal("MaxConnections", max.ParamName);
        using var runtime = NewRuntime();
        var priority = Assert.Throws<ArgumentOutOfRangeException>(() => TcpServer.Start(runtime, Echo.Handler, new TcpServerOptions { AcceptPriority = (Priority)42 }));
        Assert.Equal("AcceptPriority", priority.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = TcpServer.Start(runtime, Echo.Handler).StopAsync(TimeSpan.FromSeconds(-1)); });
    }

    /// <summary>A second stop returns the first one's result; a stop of a server with no connections is at once graceful.</summary>
    [Fact]
    public async Task StopTwiceReturnsTheFirstResult()
    {
        using var runtime = NewRuntime();
        var server = TcpServer.Start(runtime, Echo.Handler);
        var first = server.StopAsync(Echo.Bound);
        var second = server.StopAsync(TimeSpan.Zero);
        Assert.True(await first);
        Assert.True(await second);
    }

    /// <summary>A steady stream of round trips allocates nothing per round trip on the server: a receive and a send
    /// awaited inside a Tandem task, the receive resuming the task without the synchronization context's post. Measured over the whole process, client included (the client here is a
    /// blocking socket, which allocates nothing per call).</summary>
    [Fact]
    public async Task RoundTripsAllocateNothingInSteadyState()
    {
        using var runtime = NewRuntime();
        var server = TcpServer.Start(runtime, Echo.Handler);
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.Connect(server.LocalEndPoint);
        var message = new byte[64];
        var reply = new byte[64];
        void RoundTrips(int n)
        {
            for (int i = 0; i < n; i++)
            {
                client.Send(message);
                for (int got = 0; got < message.Length;) got += client.Receive(reply, got, reply.Length - got, SocketFlags.None);
            }
        }
        await Task.Run(() => RoundTrips(2_000)).WaitAsync(Echo.Bound); // warm-up: pools, JIT
        // The count is the whole process's: the test host's own messaging allocates now and then, in bursts. The least
        // of five runs is the server's figure (an allocation per round trip would show in every run).
        const int Measured = 5_000;
        double perRoundTrip = double.MaxValue;
        for (int run = 0; run < 5 && perRoundTrip >= 1; run++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            await Task.Run(() => RoundTrips(Measured)).WaitAsync(Echo.Bound);
            perRoundTrip = Math.Min(perRoundTrip, (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Measured);
        }
        client.Shutdown(SocketShutdown.Send);
        Assert.True(perRoundTrip < 1, $"{perRoundTrip:F1} bytes allocated per round trip");
        await server.StopAsync(Echo.Bound);
    }
}
