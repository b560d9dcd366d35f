using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

/// <summary>The host tier's allocation budget: at most 64 bytes per spawn, nothing per yield or per wake.</summary>
public class HostAllocationTests
{
    private sealed class Counter { public int Value; }

    [Fact]
    public void SpawnAllocatesAtMost64Bytes() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        // Measured inside a task on the (only) worker, so the bytes counted are the spawning thread's own.
        var measure = s.Spawn(Priority.Normal, (s, counter: new Counter()), static async st =>
        {
            const int PerRound = 1000;
            var handles = new JoinHandle<int>[PerRound];
            long bytes = 0;
            for (int round = 0; round < 30; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < PerRound; i++)
                    handles[i] = st.s.Spawn(Priority.Normal, st.counter, static async c =>
                    {
                        await Async.Yield();
                        return ++c.Value;
                    });
                long after = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < PerRound; i++) await handles[i];
                if (round >= 20) bytes += after - before;
            }
            return bytes / (10 * PerRound);
        });
        Assert.InRange(s.BlockOn(measure), 0, 64);
    });

    [Fact]
    public void YieldAllocatesNothing() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        long bytes = s.BlockOn(s.Spawn(Priority.Normal, 0, static async _ =>
        {
            for (int i = 0; i < 20_000; i++) await Async.Yield();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 50_000; i++) await Async.Yield();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }));
        Assert.Equal(0, bytes);
    });

    [Fact]
    public void JoinWakeAllocatesNothing() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        long bytes = s.BlockOn(s.Spawn(Priority.Normal, s, static async s =>
        {
            // Warm-up, then: spawn with a pre-made handle array and await each: the join wake must not allocate
            // beyond the spawn's own cell (measured separately above), so count only the await part.
            long total = 0;
            for (int round = 0; round < 40; round++)
            {
                var h = s.Spawn(Priority.High, 0, static async _ =>
                {
                    await Async.Yield();
                    return 1;
                });
                long before = GC.GetAllocatedBytesForCurrentThread();
                await h;
                if (round >= 20) total += GC.GetAllocatedBytesForCurrentThread() - before;
            }
            return total;
        }));
        Assert.Equal(0, bytes);
    });

    [Fact]
    public void DelayAndChannelWakesAllocateNothing() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var channel = new MpscChannel<int>(8);
        var oneShot = new OneShot<int>();
        long bytes = s.BlockOn(s.Spawn(Priority.Normal, (channel, oneShot), static async st =>
        {
            long total = 0;
            for (int round = 0; round < 400; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                await Async.Delay(TimeSpan.FromMilliseconds(0.01)); // a real timer-wheel entry, recycled once warm
                st.channel.TrySend(round);
                total += await st.channel.ReceiveAsync() - round;
                st.oneShot.Reset();
                st.oneShot.Send(round);
                total += await st.oneShot.ReceiveAsync() - round;
                if (round >= 200) total += GC.GetAllocatedBytesForCurrentThread() - before;
            }
            return total;
        }));
        Assert.Equal(0, bytes);
    });
}
