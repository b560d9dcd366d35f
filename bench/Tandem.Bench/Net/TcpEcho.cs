using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Tandem.Net;

namespace Tandem.Bench.Net;

/// <summary>
/// TCP round trips over loopback: <c>connections</c> client threads (blocking sockets, the same for every server) each
/// send 64 bytes and wait for them back, for a number of seconds, against an echo server — Tandem's <see cref="TcpServer"/>
/// on the host tier, or the same loop as plain <c>async</c> code on the .NET ThreadPool. Reports round trips per second
/// and the round trip's p50 and p99. Run it with and without <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> to see
/// what the socket engine's hand-off to the ThreadPool costs (see docs/PERFORMANCE.md, "From socket to task").
/// </summary>
internal static class TcpEcho
{
    private const int MessageBytes = 64;

    internal static int Run(string impl, int seconds, int connections, int workers)
    {
        Func<(IPEndPoint EndPoint, Action Stop)> start = impl switch
        {
            "tandem-host" => () => StartTandem(workers),
            "dotnet-threadpool" => StartThreadPool,
            _ => throw new ArgumentException($"unknown impl '{impl}': tandem-host or dotnet-threadpool"),
        };
        var (endPoint, stop) = start();
        var samples = new List<long>[connections];
        var deadline = Stopwatch.GetTimestamp() + seconds * Stopwatch.Frequency;
        var warmEnd = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 2; // half a second of warm-up, not counted
        var threads = Enumerable.Range(0, connections).Select(c => new Thread(() =>
        {
            var mine = samples[c] = new List<long>(1 << 16);
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Connect(endPoint);
            var message = new byte[MessageBytes];
            var reply = new byte[MessageBytes];
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                if (start > deadline) break;
                socket.Send(message);
                for (int got = 0; got < MessageBytes;) got += socket.Receive(reply, got, MessageBytes - got, SocketFlags.None);
                if (start > warmEnd) mine.Add(Stopwatch.GetTimestamp() - start);
            }
        }) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        stop();
        var all = samples.SelectMany(s => s).ToArray();
        Array.Sort(all);
        double Us(double q) => all[Math.Min(all.Length - 1, (int)(q * all.Length))] * 1e6 / Stopwatch.Frequency;
        double measured = seconds - 0.5;
        bool inline = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1";
        Console.Out.WriteLine($"{{\"impl\":\"{impl}\",\"shape\":\"tcp_echo\",\"connections\":{connections},\"workers\":{workers},\"inline_completions\":{(inline ? "true" : "false")}," +
                              $"\"round_trips_per_s\":{all.Length / measured:F0},\"p50_us\":{Us(0.50):F1},\"p99_us\":{Us(0.99):F1}}}");
        return 0;
    }

    private static (IPEndPoint, Action) StartTandem(int workers)
    {
        var runtime = Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { WorkerCount = workers });
        var server = TcpServer.Start(runtime, static async connection =>
        {
            var buffer = new byte[4096];
            int n;
            while ((n = await connection.ReceiveAsync(buffer)) > 0) await connection.SendAsync(buffer.AsMemory(0, n));
        });
        return (server.LocalEndPoint, () =>
        {
            server.StopAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
            runtime.Dispose();
        });
    }

    private static (IPEndPoint, Action) StartThreadPool()
    {
        var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(512);
        var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Socket socket;
                try { socket = await listener.AcceptAsync(stop.Token); }
                catch (Exception) { return; }
                socket.NoDelay = true;
                _ = Task.Run(async () =>
                {
                    using var s = socket;
                    var buffer = new byte[4096];
                    int n;
                    try
                    {
                        while ((n = await s.ReceiveAsync(buffer)) > 0) await s.SendAsync(buffer.AsMemory(0, n));
                    }
                    catch (SocketException) { }
                });
            }
        });
        return ((IPEndPoint)listener.LocalEndPoint!, () =>
        {
            stop.Cancel();
            listener.Dispose();
        });
    }
}
