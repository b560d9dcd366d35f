using System.Collections.Concurrent;
using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

public class HostPriorityTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void CriticalWorkStartsAheadOfQueuedNormalWork(int workers) => Bounded.Run(() =>
    {
        using var s = new HostScheduler(workers);
        using var gate = new ManualResetEventSlim(false);
        using var bothBlocked = new CountdownEvent(workers);
        // Saturate the pool: both workers are busy with Normal work...
        var blockers = Enumerable.Range(0, workers).Select(_ => s.Spawn(Priority.Normal, () =>
        {
            bothBlocked.Signal();
            gate.Wait();
            return TandemTask.CompletedTask;
        })).ToList();
        bothBlocked.Wait();

        // ...with a backlog of Normal tasks behind it; then Critical tasks arrive.
        var starts = new ConcurrentQueue<Priority>();
        var handles = new List<JoinHandle>();
        for (int i = 0; i < 1000; i++) handles.Add(s.Spawn(Priority.Normal, starts, Record));
        for (int i = 0; i < 20; i++) handles.Add(s.Spawn(Priority.Critical, starts, Record));
        gate.Set();
        foreach (var h in handles) s.BlockOn(h);
        blockers.ForEach(s.BlockOn);

        var order = starts.ToArray();
        int lastCritical = Array.LastIndexOf(order, Priority.Critical);
        if (workers == 1)
        {
            // One worker: strictly every Critical task before any queued Normal one.
            Assert.Equal(19, lastCritical);
        }
        else
        {
            // Several workers: a worker that finds no Critical work left starts Normal work while another may
            // still be starting its last Critical task (and this machine is shared, so a thread can stall
            // there). Without priorities the Critical tasks would start last, after position 1000.
            Assert.InRange(lastCritical, 19, 99);
        }

        static TandemTask Record(ConcurrentQueue<Priority> starts)
        {
            starts.Enqueue(Async.CurrentPriority);
            return TandemTask.CompletedTask;
        }
    });

    [Fact]
    public void EachWorkerRunsTheHighestPriorityItCanSee() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var order = s.BlockOn(Priority.Idle, async () =>
        {
            var log = new ConcurrentQueue<string>();
            var handles = new List<JoinHandle>();
            // Spawned from inside a task on the only worker: all queued locally, none runs until we yield.
            foreach (var p in new[] { Priority.Idle, Priority.Low, Priority.Normal, Priority.High, Priority.Critical })
                for (int i = 0; i < 3; i++)
                    handles.Add(s.Spawn(p, (log, p, i), static st =>
                    {
                        st.log.Enqueue($"{st.p}{st.i}");
                        return TandemTask.CompletedTask;
                    }));
            foreach (var h in handles) await h;
            return log.ToArray();
        });
        // Levels strictly in order. Within a level the order may differ from FIFO: the task spawned last
        // sits in the worker's LIFO slot (the locality optimisation) and may run first.
        Assert.Equal(15, order.Length);
        var levels = order.Select(x => (int)Enum.Parse<Priority>(x[..^1])).ToArray();
        Assert.Equal(levels.Order().ToArray(), levels);
    });

    [Fact]
    public void AYieldingTaskGoesBehindItsPeers() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var log = s.BlockOn(Priority.Low, async () =>
        {
            var q = new ConcurrentQueue<string>();
            var hs = new List<JoinHandle>();
            foreach (var name in new[] { "a", "b", "c" })
                hs.Add(s.Spawn(Priority.High, (q, name), static async st =>
                {
                    for (int i = 0; i < 3; i++)
                    {
                        st.q.Enqueue($"{st.name}{i}");
                        await Async.Yield();
                    }
                }));
            foreach (var h in hs) await h;
            return q.ToArray();
        });
        // Round-robin: every task of the level runs once before any runs again.
        Assert.Equal(9, log.Length);
        for (int round = 0; round < 3; round++)
        {
            var slice = log.Skip(3 * round).Take(3).ToArray();
            Assert.All(slice, x => Assert.Equal(round, x[1] - '0'));
            Assert.Equal(3, slice.Select(x => x[0]).Distinct().Count());
        }
    });
}
