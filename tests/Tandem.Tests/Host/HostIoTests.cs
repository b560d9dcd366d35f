using System.Net;
using System.Net.Sockets;
using System.Text;
using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

/// <summary>Real IO awaited inside host tasks resumes on the scheduler's workers, at the task's priority.</summary>
public class HostIoTests
{
    private const string Prefix = "TandemIo";

    /// <summary>Records where code runs after each await: a worker of this scheduler, at the spawn priority.</summary>
    private sealed class Where(Priority expected)
    {
        private readonly List<string> _wrong = [];

        public int Checks { get; private set; }

        public IReadOnlyList<string> Wrong => _wrong;

        public void Check(string step)
        {
            Checks++;
            string? name = Thread.CurrentThread.Name;
            if (name is null || !name.StartsWith(Prefix + " worker", StringComparison.Ordinal))
                _wrong.Add($"{step}: on thread '{name}'");
            if (!Async.IsInTask) _wrong.Add($"{step}: not in a task");
            else if (Async.CurrentPriority != expected) _wrong.Add($"{step}: priority {Async.CurrentPriority}");
        }
    }

    private static HostScheduler NewScheduler() => new(new HostOptions { WorkerCount = 2, ThreadNamePrefix = Prefix });

    [Theory]
    [InlineData(Priority.High, Priority.Low)]
    [InlineData(Priority.Critical, Priority.Idle)]
    public void LoopbackTcpExchangeResumesOnWorkersAtTheTaskPriority(Priority clientPriority, Priority serverPriority) => Bounded.Run(() =>
    {
        using var s = NewScheduler();
        const int Messages = 50;
        var clientWhere = new Where(clientPriority);
        var serverWhere = new Where(serverPriority);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var server = s.Spawn(serverPriority, async () =>
            {
                using var peer = await listener.AcceptTcpClientAsync();
                serverWhere.Check("accept");
                using var stream = peer.GetStream();
                var buffer = new byte[4];
                int echoed = 0;
                while (true)
                {
                    if (!await ReadExactly(stream, buffer, serverWhere)) return echoed;
                    int n = BitConverter.ToInt32(buffer) + 1;
                    await stream.WriteAsync(BitConverter.GetBytes(n));
                    serverWhere.Check("server write");
                    echoed++;
                }
            });
            var client = s.Spawn(clientPriority, async () =>
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                clientWhere.Check("connect");
                using var stream = tcp.GetStream();
                var buffer = new byte[4];
                int value = 0;
                for (int i = 0; i < Messages; i++)
                {
                    await stream.WriteAsync(BitConverter.GetBytes(value));
                    clientWhere.Check("client write");
                    if (!await ReadExactly(stream, buffer, clientWhere)) throw new IOException("server closed early");
                    value = BitConverter.ToInt32(buffer) + 1;
                }
                tcp.Client.Shutdown(SocketShutdown.Send);
                return value;
            });
            Assert.Equal(2 * Messages, s.BlockOn(client));
            Assert.Equal(Messages, s.BlockOn(server));
        }
        finally
        {
            listener.Stop();
        }
        Assert.Empty(clientWhere.Wrong);
        Assert.Empty(serverWhere.Wrong);
        Assert.True(clientWhere.Checks > 2 * Messages);
        Assert.True(serverWhere.Checks > 2 * Messages);
    });

    private static async TandemTask<bool> ReadExactly(NetworkStream stream, byte[] buffer, Where where)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(read));
            where.Check("read");
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    [Fact]
    public void AsyncFileIoResumesOnWorkersAtTheTaskPriority() => Bounded.Run(() =>
    {
        using var s = NewScheduler();
        var where = new Where(Priority.Low);
        string path = Path.Combine(Path.GetTempPath(), $"tandem-io-{Guid.NewGuid():N}.txt");
        var text = string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i}\n"));
        try
        {
            string readBack = s.BlockOn(Priority.Low, async () =>
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                await using (var write = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true))
                {
                    for (int offset = 0; offset < bytes.Length; offset += 1000)
                    {
                        await write.WriteAsync(bytes.AsMemory(offset, Math.Min(1000, bytes.Length - offset)));
                        where.Check("write");
                    }
                    await write.FlushAsync();
                    where.Check("flush");
                }
                where.Check("dispose");
                await using var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
                var result = new MemoryStream();
                var buffer = new byte[777];
                int n;
                while ((n = await read.ReadAsync(buffer)) > 0)
                {
                    where.Check("read");
                    result.Write(buffer, 0, n);
                }
                return Encoding.UTF8.GetString(result.ToArray());
            });
            Assert.Equal(text, readBack);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Empty(where.Wrong);
        Assert.True(where.Checks > 3);
    });

    [Fact]
    public void TaskRunWithConfigureAwaitFalseInATandemMethodResumesOnAWorker() => Bounded.Run(() =>
    {
        using var s = NewScheduler();
        var where = new Where(Priority.High);
        int total = s.BlockOn(Priority.High, async () =>
        {
            int sum = 0;
            for (int i = 0; i < 20; i++) sum += await OffloadAndComeBack(i, where);
            where.Check("caller");
            return sum;
        });
        Assert.Equal(Enumerable.Range(0, 20).Sum(i => i * 2), total);
        Assert.Empty(where.Wrong);
        Assert.Equal(41, where.Checks);
    });

    private static async TandemTask<int> OffloadAndComeBack(int i, Where where)
    {
        bool onPool = false;
        int doubled = await Task.Run(() =>
        {
            onPool = Thread.CurrentThread.IsThreadPoolThread;
            return i * 2;
        }).ConfigureAwait(false);
        if (!onPool) throw new InvalidOperationException("Task.Run did not run on the thread pool");
        where.Check("after Task.Run");
        await Task.Yield();
        where.Check("after Task.Yield");
        return doubled;
    }

    [Fact]
    public void TaskDelayAndTaskCompletionSourceSetOnAnotherThreadResumeOnAWorker() => Bounded.Run(() =>
    {
        using var s = NewScheduler();
        var where = new Where(Priority.Idle);
        var tcs = new TaskCompletionSource<int>(); // completed inline on the setting thread
        var h = s.Spawn(Priority.Idle, async () =>
        {
            await Task.Delay(5);
            where.Check("Task.Delay");
            int v = await tcs.Task;
            where.Check("TaskCompletionSource");
            return v;
        });
        var setter = new Thread(() => tcs.SetResult(11)) { Name = "not a worker" };
        setter.Start();
        Assert.Equal(11, s.BlockOn(h));
        setter.Join();
        Assert.Empty(where.Wrong);
    });
}
