using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Api;

public class TaskIdsTests
{
    [Fact]
    public void AllocateIsPositiveAndStrictlyIncreasingOnOneThread()
    {
        long previous = TaskIds.Allocate();
        Assert.True(previous > 0);
        for (int i = 0; i < 1000; i++)
        {
            long next = TaskIds.Allocate();
            Assert.True(next > previous, $"{next} after {previous}");
            previous = next;
        }
    }

    [Fact]
    public void PeekNextDoesNotAllocate()
    {
        long a = TaskIds.PeekNext;
        long b = TaskIds.PeekNext;
        Assert.True(b >= a);
        long allocated = TaskIds.Allocate();
        // Other tests may allocate concurrently, so the id is at least what was peeked.
        Assert.True(allocated >= b);
        Assert.True(TaskIds.PeekNext > allocated);
    }

    [Fact]
    public void UniqueAcrossThreads()
    {
        const int threads = 4, perThread = 10_000;
        var ids = new long[threads][];
        using var start = new Barrier(threads);
        var workers = new Thread[threads];
        Exception? error = null;
        for (int t = 0; t < threads; t++)
        {
            int me = t;
            workers[t] = TestUtil.StartThread(() =>
            {
                var mine = new long[perThread];
                start.SignalAndWait(TestUtil.Bound);
                for (int i = 0; i < perThread; i++) mine[i] = TaskIds.Allocate();
                ids[me] = mine;
            }, e => error = e);
        }
        foreach (var w in workers) TestUtil.JoinOrFail(w);
        Assert.Null(error);
        var all = new HashSet<long>();
        foreach (var mine in ids)
        {
            for (int i = 0; i < perThread; i++)
            {
                Assert.True(mine[i] > 0);
                if (i > 0) Assert.True(mine[i] > mine[i - 1]);
                Assert.True(all.Add(mine[i]), $"id {mine[i]} allocated twice");
            }
        }
        Assert.Equal(threads * perThread, all.Count);
    }

    [Fact]
    public void SpawnedTasksGetFreshIncreasingIds()
    {
        using var s = new EmbeddedScheduler(4);
        long before = TaskIds.Allocate();
        var a = s.Spawn(async () => { await Async.Yield(); return Async.CurrentTaskId; });
        var b = s.Spawn(async () => { await Async.Yield(); return Async.CurrentTaskId; });
        Assert.True(a.Id > before);
        Assert.True(b.Id > a.Id);
        s.RunUntilIdle();
        Assert.Equal(a.Id, a.GetResult());
        Assert.Equal(b.Id, b.GetResult());
        // A reused slot gets a new id.
        var c = s.Spawn(async () => 0);
        Assert.True(c.Id > b.Id);
    }

    [Fact]
    public void IdsTakenInBlocksByEmbeddedSchedulersHostWorkersAndOutsideThreadsNeverCollide() => Bounded.Run(() =>
    {
        // Each embedded scheduler, each host worker and each thread spawning into a host scheduler from outside hands out
        // ids from a block it reserved: across blocks, threads and tiers no id is given twice, and along one scheduler's
        // (one thread's) spawns ids increase.
        const int PerScheduler = 1_000; // several blocks each
        var all = new System.Collections.Concurrent.ConcurrentBag<long>();
        // Spawns PerScheduler tasks one after another, each returning its own id: ids increase, and each is the task's.
        void SpawnInTurn(Func<JoinHandle<long>> spawn, Func<JoinHandle<long>, long> join)
        {
            long previous = 0;
            for (int i = 0; i < PerScheduler; i++)
            {
                var h = spawn();
                Assert.True(h.Id > previous, $"{h.Id} after {previous}");
                previous = h.Id;
                all.Add(h.Id);
                Assert.Equal(h.Id, join(h));
            }
        }
        var embedded = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            using var s = new EmbeddedScheduler(64);
            SpawnInTurn(() => s.Spawn(async () => Async.CurrentTaskId), h =>
            {
                s.RunUntilIdle();
                return h.GetResult();
            });
        })).ToArray();
        using var host = new HostScheduler(2);
        var hostIds = host.BlockOn(async () =>
        {
            using var set = host.CreateJoinSet<long>(PerScheduler);
            for (int i = 0; i < PerScheduler; i++) set.Spawn(Priority.Normal, async () => { await Async.Yield(); return Async.CurrentTaskId; });
            var ids = new List<long>();
            while (!set.IsEmpty) ids.Add(await set.JoinNextAsync());
            return ids;
        });
        var outside = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            SpawnInTurn(() => host.Spawn(async () => Async.CurrentTaskId), h => host.BlockOn(h)))).ToArray();
        Task.WaitAll(embedded);
        Task.WaitAll(outside);
        foreach (var id in hostIds) all.Add(id);
        Assert.Equal(PerScheduler * 5, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(all, id => Assert.True(id > 0));
    });
}
