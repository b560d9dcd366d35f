using System.Diagnostics;
using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

public class HostTimerTests
{
    [Fact]
    public void AHundredThousandConcurrentTimersAllFire() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        const int Timers = 100_000;
        int fired = 0;
        int total = s.BlockOn(async () =>
        {
            using var set = s.CreateJoinSet<int>(Timers);
            for (int i = 0; i < Timers; i++)
                set.Spawn(Priority.Normal, (i, fired: new StrongBox()), static async st =>
                {
                    await Async.Delay(1 + st.i % 50);
                    return 1;
                });
            int sum = 0;
            while (!set.IsEmpty)
            {
                sum += await set.JoinNextAsync();
                fired++;
            }
            return sum;
        });
        Assert.Equal(Timers, total);
        Assert.Equal(Timers, fired);
    }, TimeSpan.FromSeconds(60));

    private sealed class StrongBox;

    [Fact]
    public void DelaysFireInDeadlineOrderAndNotEarly() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var results = s.BlockOn(async () =>
        {
            using var pending = s.CreateFuturesUnordered<(int ms, long start, long end)>();
            foreach (int ms in new[] { 80, 20, 50 }) pending.Push(Sleep(ms));
            var got = new List<(int ms, long start, long end)>();
            await foreach (var x in pending) got.Add(x);
            return got;
        });
        // Each delay's deadline is its own start plus its length: a busy machine may start them apart, so the
        // order to expect is that of the deadlines actually set, and none may end before its deadline.
        var byDeadline = results.OrderBy(r => r.start + r.ms * Stopwatch.Frequency / 1000).Select(r => r.ms);
        Assert.Equal(byDeadline, results.Select(r => r.ms));
        Assert.All(results, r => Assert.True(r.end - r.start >= r.ms * Stopwatch.Frequency / 1000,
            $"a {r.ms} ms delay ended after {(r.end - r.start) * 1000.0 / Stopwatch.Frequency:F2} ms"));

        static async TandemTask<(int, long, long)> Sleep(int ms)
        {
            long start = Stopwatch.GetTimestamp();
            await Async.Delay(ms);
            return (ms, start, Stopwatch.GetTimestamp());
        }
    });

    [Fact]
    public void TimeoutAbortsSlowWorkAndPassesFastWork() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        bool slowFinallyRan = false;
        var result = s.BlockOn(async () =>
        {
            int fast = await s.Timeout(TimeSpan.FromSeconds(10), async () =>
            {
                await Async.Delay(1);
                return 5;
            });
            try
            {
                await s.Timeout(TimeSpan.FromMilliseconds(20), async () =>
                {
                    try
                    {
                        await Async.Delay(TimeSpan.FromHours(1));
                        return 0;
                    }
                    finally
                    {
                        slowFinallyRan = true;
                    }
                });
                return -1;
            }
            catch (TimeoutException)
            {
                return fast;
            }
        });
        Assert.Equal(5, result);
        SpinWait.SpinUntil(() => Volatile.Read(ref slowFinallyRan), TimeSpan.FromSeconds(5));
        Assert.True(slowFinallyRan);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Timeout(TimeSpan.FromSeconds(-1), async () => { await Async.Yield(); return 1; }).GetAwaiter().GetResult());
    });

    [Fact]
    public void IntervalTicksAtItsPeriod() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        long elapsed = s.BlockOn(async () =>
        {
            var interval = Async.Interval(TimeSpan.FromMilliseconds(10));
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < 5; i++) await interval.TickAsync();
            Assert.InRange(interval.Ticks, 5, 100); // more than 5 when this shared machine made the task miss ticks (skipped)
            return sw.ElapsedMilliseconds;
        });
        Assert.True(elapsed >= 49, $"5 ticks of 10 ms took {elapsed} ms");
        Assert.Throws<ArgumentOutOfRangeException>(() => Async.Interval(TimeSpan.Zero));
    });
}
