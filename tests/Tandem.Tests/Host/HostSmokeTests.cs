using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

public class HostSmokeTests
{
    [Fact]
    public void SpawnAndBlockOn() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var h = s.Spawn(async () =>
        {
            await Async.Yield();
            await Async.Delay(5);
            return 7;
        });
        Assert.Equal(7, s.BlockOn(h));
    });

    [Fact]
    public void ManyTasksAllRun() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        int count = 0;
        int total = s.BlockOn(async () =>
        {
            var handles = new JoinHandle<int>[10_000];
            for (int i = 0; i < handles.Length; i++)
                handles[i] = s.Spawn(Priority.Normal, i, async i =>
                {
                    Interlocked.Increment(ref count);
                    await Async.Yield();
                    return i;
                });
            int sum = 0;
            foreach (var h in handles) sum += await h;
            return sum;
        });
        Assert.Equal(10_000, count);
        Assert.Equal(Enumerable.Range(0, 10_000).Sum(), total);
    });

    [Fact]
    public void ForeignAwaitResumesOnWorker() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var workerNames = s.BlockOn(async () =>
        {
            var before = Thread.CurrentThread.Name;
            await Task.Delay(10);
            var after = Thread.CurrentThread.Name;
            await Task.Run(() => Thread.Sleep(1)).ConfigureAwait(false);
            var third = Thread.CurrentThread.Name;
            return (before, after, third);
        });
        Assert.StartsWith("Tandem worker", workerNames.before);
        Assert.StartsWith("Tandem worker", workerNames.after);
        Assert.StartsWith("Tandem worker", workerNames.third);
    });

    [Fact]
    public void ShutdownJoinsThreads() => Bounded.Run(() =>
    {
        var s = new HostScheduler(2);
        s.BlockOn(async () => { await Async.Delay(1); });
        var threads = s.LiveThreads.ToList();
        Assert.NotEmpty(threads);
        Assert.True(s.Shutdown(TimeSpan.FromSeconds(5)));
        Assert.All(threads, t => Assert.False(t.IsAlive));
        Assert.Throws<ObjectDisposedException>(() => s.Spawn(async () => { await Async.Yield(); }));
    });
}
