using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

public class HostStressTests
{
    [Fact]
    public void PingPongThroughChainedSpawnsAndJoins() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(4);
        const int Pairs = 1000, RoundTrips = 100;
        long pongs = 0;
        var pairs = new JoinHandle<int>[Pairs];
        for (int p = 0; p < Pairs; p++)
        {
            // The ping side hands its value to a freshly spawned pong, which hands it back through its handle.
            pairs[p] = s.Spawn(Priorities.FromInt32(p % Priorities.Count), p, async p =>
            {
                int value = 0;
                for (int r = 0; r < RoundTrips; r++)
                {
                    var pong = s.Spawn(Priorities.FromInt32((p + r) % Priorities.Count), value, async v =>
                    {
                        if (v % 3 == 0) await Async.Yield();
                        Interlocked.Increment(ref pongs);
                        return v + 1;
                    });
                    value = await pong + 1;
                }
                return value;
            });
        }
        var results = s.BlockOn(async () =>
        {
            var all = new int[Pairs];
            for (int p = 0; p < Pairs; p++) all[p] = await pairs[p];
            return all;
        });
        Assert.All(results, v => Assert.Equal(2 * RoundTrips, v));
        Assert.Equal((long)Pairs * RoundTrips, pongs);
        Assert.True(SpinWait.SpinUntil(() => s.TaskCount == 0, TestUtil.Bound));
    }, TimeSpan.FromSeconds(60));

    [Fact]
    public void PingPongBetweenLongLivedTasksThroughSignals() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(4);
        const int Pairs = 1000, RoundTrips = 100;
        long hits = 0;
        var handles = new List<JoinHandle<int>>();
        for (int p = 0; p < Pairs; p++)
        {
            var toPong = new AsyncSignal();
            var toPing = new AsyncSignal();
            var box = new int[1]; // the ball: written by one side before it signals the other
            handles.Add(s.Spawn(Priorities.FromInt32(p % Priorities.Count), async () =>
            {
                for (int r = 0; r < RoundTrips; r++)
                {
                    box[0]++;
                    toPong.Set();
                    await toPing.WaitAsync();
                    Interlocked.Increment(ref hits);
                }
                return box[0];
            }));
            handles.Add(s.Spawn(Priorities.FromInt32((p + 2) % Priorities.Count), async () =>
            {
                for (int r = 0; r < RoundTrips; r++)
                {
                    await toPong.WaitAsync();
                    box[0]++;
                    Interlocked.Increment(ref hits);
                    toPing.Set();
                }
                return box[0];
            }));
        }
        var results = handles.Select(s.BlockOn).ToList();
        for (int i = 0; i < results.Count; i += 2)
        {
            Assert.Equal(2 * RoundTrips, results[i]); // ping sees the last pong
            Assert.Equal(2 * RoundTrips, results[i + 1]); // nobody touches the ball after pong's last hit
        }
        Assert.Equal(2L * Pairs * RoundTrips, hits);
    }, TimeSpan.FromSeconds(60));

    [Fact]
    public void MixedPrioritiesWithRandomYieldsRunEveryTaskExactlyOnce() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(4);
        const int N = 20_000;
        var runs = new int[N];
        var ends = new int[N];
        var handles = new JoinHandle<long>[N];
        // Spawned from outside and from inside tasks, at every level.
        for (int i = 0; i < N / 2; i++) handles[i] = SpawnOne(s, i, runs, ends);
        var spawner = s.Spawn(Priority.High, async () =>
        {
            for (int i = N / 2; i < N; i++)
            {
                handles[i] = SpawnOne(s, i, runs, ends);
                if (i % 100 == 0) await Async.Yield();
            }
        });
        s.BlockOn(spawner);
        long sum = 0;
        foreach (var h in handles) sum += s.BlockOn(h);
        Assert.Equal((long)N * (N - 1) / 2, sum);
        for (int i = 0; i < N; i++)
        {
            Assert.True(runs[i] == 1, $"task {i} started {runs[i]} times");
            Assert.True(ends[i] == 1, $"task {i} ended {ends[i]} times");
        }
        Assert.True(SpinWait.SpinUntil(() => s.TaskCount == 0, TestUtil.Bound));
    }, TimeSpan.FromSeconds(60));

    private static JoinHandle<long> SpawnOne(HostScheduler s, int i, int[] runs, int[] ends) =>
        s.Spawn(Priorities.FromInt32(i % Priorities.Count), i, async i =>
        {
            Interlocked.Increment(ref runs[i]);
            var random = new Random(i);
            int yields = random.Next(0, 8);
            for (int y = 0; y < yields; y++)
            {
                if (random.Next(10) == 0) await Async.Delay(random.Next(0, 3));
                else await Async.Yield();
            }
            Interlocked.Increment(ref ends[i]);
            return (long)i;
        });

    [Fact]
    public void CrossPriorityWakesFromManyThreadsAreNotLost() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(3);
        const int Tasks = 200, Rounds = 200;
        var signals = Enumerable.Range(0, Tasks).Select(_ => new AsyncSignal()).ToArray();
        long consumed = 0;
        var handles = Enumerable.Range(0, Tasks).Select(t => s.Spawn(Priorities.FromInt32(t % Priorities.Count), t, async t =>
        {
            for (int r = 0; r < Rounds; r++)
            {
                await signals[t].WaitAsync();
                Interlocked.Increment(ref consumed);
            }
            return t;
        })).ToArray();
        // Each round sets every signal once from four outside threads, then waits until every task consumed its
        // set (an auto-reset signal keeps one set: pacing the rounds keeps two sets of one signal from merging).
        for (int r = 0; r < Rounds; r++)
        {
            Parallel.For(0, 4, part =>
            {
                for (int t = part; t < Tasks; t += 4) signals[t].Set();
            });
            long target = (long)(r + 1) * Tasks;
            Assert.True(SpinWait.SpinUntil(() => Interlocked.Read(ref consumed) == target, TestUtil.Bound),
                $"round {r}: {target - Interlocked.Read(ref consumed)} wakes were lost");
        }
        Assert.Equal(Enumerable.Range(0, Tasks), handles.Select(h => s.BlockOn(h)));
    }, TimeSpan.FromSeconds(60));
}
