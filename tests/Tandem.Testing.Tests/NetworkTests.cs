using System.Text;

namespace Tandem.Testing.Tests;

/// <summary>The simulated network: connections in memory, on virtual time, with seeded latency, order and drops.</summary>
public class NetworkTests
{
    private static async TandemTask<string> ReadAll(Stream stream)
    {
        var buffer = new byte[64];
        var text = new StringBuilder();
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0) text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        return text.ToString();
    }

    /// <summary>An echo server and a client: bytes arrive in order after the configured latency, a close reaches the
    /// peer as the end of the stream, and the same seed gives the same trace.</summary>
    [Fact]
    public void EchoOverASimulatedConnection()
    {
        static async TandemTask Body(Simulation sim)
        {
            sim.Network.MinLatency = TimeSpan.FromMilliseconds(2);
            sim.Network.MaxLatency = TimeSpan.FromMilliseconds(8);
            using var listener = sim.Network.Listen("echo:7");
            var server = sim.Runtime.Spawn(async () =>
            {
                await using var connection = await listener.AcceptAsync();
                var buffer = new byte[16];
                int n;
                while ((n = await connection.ReadAsync(buffer)) > 0) await connection.WriteAsync(buffer.AsMemory(0, n));
            });
            var client = await sim.Network.ConnectAsync("echo:7");
            var started = sim.Elapsed;
            for (int i = 0; i < 5; i++) await client.WriteAsync(Encoding.ASCII.GetBytes($"msg{i};"));
            var reply = new StringBuilder();
            var buffer = new byte[64];
            while (reply.Length < 25) reply.Append(Encoding.ASCII.GetString(buffer, 0, await client.ReadAsync(buffer)));
            Assert.Equal("msg0;msg1;msg2;msg3;msg4;", reply.ToString()); // in order within the connection
            Assert.InRange(sim.Elapsed - started, TimeSpan.FromMilliseconds(4), TimeSpan.FromMilliseconds(16 * 5));
            client.Dispose();
            await server; // the server saw the end of the stream
        }
        var first = Simulation.Run(5, Body);
        Assert.Contains(first.Trace.Lines, l => l.Contains("net: c1 connected to echo:7", StringComparison.Ordinal));
        Assert.Equal(first.Trace, Simulation.Replay(5, Body).Trace);
        Simulation.Explore(50, Body);
    }

    /// <summary>Messages sent at the same moment on different connections arrive in an order the seed picks.</summary>
    [Fact]
    public void ConnectionsAreReorderedBySeed()
    {
        var orders = new HashSet<string>();
        for (int seed = 0; seed < 30; seed++)
        {
            string order = "";
            Simulation.Run(seed, async sim =>
            {
                using var listener = sim.Network.Listen("log:1");
                var server = sim.Runtime.Spawn(async () =>
                {
                    var readers = new List<JoinHandle<string>>();
                    for (int i = 0; i < 3; i++)
                    {
                        var connection = await listener.AcceptAsync();
                        readers.Add(sim.Runtime.Spawn(async () =>
                        {
                            var text = await ReadAll(connection);
                            order += text;
                            return text;
                        }));
                    }
                    foreach (var r in readers) await r;
                });
                var clients = new List<Stream>();
                for (int i = 0; i < 3; i++) clients.Add(await sim.Network.ConnectAsync("log:1"));
                for (int i = 0; i < 3; i++) await clients[i].WriteAsync(Encoding.ASCII.GetBytes(((char)('a' + i)).ToString()));
                foreach (var c in clients) c.Dispose();
                await server;
            });
            orders.Add(order);
        }
        Assert.True(orders.Count >= 3, $"only {orders.Count} arrival orders in 30 seeds");
    }

    /// <summary>With a drop probability, some seeds drop a connection: both ends fail with IOException, and the trace says so.</summary>
    [Fact]
    public void ConnectionsAreDropped()
    {
        int dropped = 0;
        for (int seed = 0; seed < 30; seed++)
        {
            bool failed = false;
            var result = Simulation.Run(seed, async sim =>
            {
                sim.Network.DropProbability = 0.2;
                using var listener = sim.Network.Listen("svc:1");
                var server = sim.Runtime.Spawn(async () =>
                {
                    using var connection = await listener.AcceptAsync();
                    try { await ReadAll(connection); }
                    catch (IOException) { }
                });
                using var client = await sim.Network.ConnectAsync("svc:1");
                try
                {
                    for (int i = 0; i < 5; i++) await client.WriteAsync(new byte[] { 1, 2, 3 });
                }
                catch (IOException e)
                {
                    failed = true;
                    Assert.Contains("reset", e.Message);
                }
                client.Dispose();
                await server;
            });
            Assert.Equal(failed, result.Trace.Lines.Any(l => l.Contains("dropped", StringComparison.Ordinal)));
            if (failed) dropped++;
        }
        Assert.InRange(dropped, 3, 29);
    }

    /// <summary>Connecting where nothing listens is refused; a read nobody answers is reported as a deadlock on the
    /// simulated network, not as an escape.</summary>
    [Fact]
    public void RefusedAndUnansweredConnections()
    {
        Simulation.Run(1, async sim =>
        {
            await Assert.ThrowsAsync<IOException>(async () => await sim.Network.ConnectAsync("nowhere:1"));
        });
        var e = Assert.Throws<SimulationFailedException>(() => Simulation.Run(1, async sim =>
        {
            using var listener = sim.Network.Listen("quiet:1");
            var server = sim.Runtime.Spawn(async () => { using var c = await listener.AcceptAsync(); await listener.AcceptAsync(); });
            using var client = await sim.Network.ConnectAsync("quiet:1");
            _ = await client.ReadAsync(new byte[1]);
        }));
        var deadlock = Assert.IsType<SimulationDeadlockException>(e.InnerException);
        Assert.Contains("simulated network", deadlock.Message);
    }
}
