using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

public class HostSpawnTests
{
    [Fact]
    public void SpawningFromManyThreadsRunsEveryTaskExactlyOnce() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        const int Threads = 4, PerThread = 25_000;
        var runs = new int[Threads * PerThread];
        var handles = new JoinHandle<int>[Threads * PerThread];
        var spawners = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                int id = t * PerThread + i;
                handles[id] = s.Spawn(Priority.Normal, (runs, id), static async st =>
                {
                    Interlocked.Increment(ref st.runs[st.id]);
                    await Async.Yield(); // lets other workers steal between the halves
                    return st.id;
                });
            }
        })).ToList();
        spawners.ForEach(t => t.Start());
        spawners.ForEach(t => t.Join());
        for (int id = 0; id < handles.Length; id++) Assert.Equal(id, s.BlockOn(handles[id]));
        Assert.All(runs, r => Assert.Equal(1, r));
        Assert.Equal(0, s.TaskCount);
    });

    [Fact]
    public void SpawnsFromInsideTasksAreStolenByIdleWorkers() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var threads = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        using var bothWorkersSeen = new ManualResetEventSlim(false);
        bool allSawBoth = s.BlockOn(async () =>
        {
            // Every task is spawned on this worker; each holds its worker until a task has run on the other
            // one, which can only happen if the idle worker steals from this worker's queue.
            var handles = new JoinHandle<bool>[64];
            for (int i = 0; i < handles.Length; i++)
                handles[i] = s.Spawn(Priority.Normal, (threads, bothWorkersSeen), static st =>
                {
                    st.threads.TryAdd(Environment.CurrentManagedThreadId, true);
                    if (st.threads.Count >= 2) st.bothWorkersSeen.Set();
                    return new TandemTask<bool>(st.bothWorkersSeen.Wait(TimeSpan.FromSeconds(20)));
                });
            bool all = true;
            foreach (var h in handles) all &= await h;
            return all;
        });
        Assert.True(allSawBoth);
        Assert.Equal(2, threads.Count);
    });

    [Fact]
    public void ChainedSpawnsOfDepthTenThousandComplete() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        int depth = s.BlockOn(s.Spawn(Priority.Normal, (s, n: 10_000), Chain));

        static async TandemTask<int> Chain((HostScheduler s, int n) st)
        {
            if (st.n == 0) return 0;
            return 1 + await st.s.Spawn(Priority.Normal, (st.s, st.n - 1), Chain);
        }
        Assert.Equal(10_000, depth);
    });

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Equal("workerCount", Assert.Throws<ArgumentOutOfRangeException>(() => new HostScheduler(0)).ParamName);
        Assert.Equal("workerCount", Assert.Throws<ArgumentOutOfRangeException>(() => new HostScheduler(HostOptions.MaxWorkers + 1)).ParamName);
        Assert.Equal("WorkerCount", Assert.Throws<ArgumentOutOfRangeException>(() => new HostScheduler(new HostOptions { WorkerCount = -1 })).ParamName);
        Assert.Equal("MaxBlockingThreads", Assert.Throws<ArgumentOutOfRangeException>(() => new HostScheduler(new HostOptions { MaxBlockingThreads = 0 })).ParamName);
        Assert.Equal("GlobalQueueInterval", Assert.Throws<ArgumentOutOfRangeException>(() => new HostScheduler(new HostOptions { GlobalQueueInterval = 0 })).ParamName);
        Assert.Throws<ArgumentNullException>(() => new HostScheduler(null!));
        using var s = new HostScheduler(1);
        Assert.Equal("priority", Assert.Throws<ArgumentOutOfRangeException>(() => s.Spawn((Priority)7, async () => { await Async.Yield(); })).ParamName);
        Assert.Throws<ArgumentNullException>(() => s.Spawn(Priority.Normal, (Func<TandemTask>)null!));
    }
}
