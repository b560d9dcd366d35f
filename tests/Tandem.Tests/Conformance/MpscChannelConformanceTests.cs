using Tandem;

namespace Tandem.Tests.Conformance;

/// <summary>The multi-producer, single-consumer channel on both tiers.</summary>
public class MpscChannelConformanceTests
{
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ManyProducerTasksOneConsumerEveryMessageOnce(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var channel = new MpscChannel<int>(64);
        const int Producers = 8, PerProducer = 500;
        long sum = rt.BlockOn(async () =>
        {
            for (int p = 0; p < Producers; p++)
                _ = rt.Spawn(Priority.Normal, (channel, p), static async st =>
                {
                    for (int i = 0; i < PerProducer; i++)
                    {
                        while (!st.channel.TrySend(st.p * PerProducer + i)) await Async.Yield(); // full: let the consumer run
                    }
                });
            long total = 0;
            for (int n = 0; n < Producers * PerProducer; n++) total += await channel.ReceiveAsync();
            return total;
        });
        Assert.Equal((long)Producers * PerProducer * (Producers * PerProducer - 1) / 2, sum);
        Assert.Equal(0, channel.Count);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void SendsFromOtherThreadsWakeTheReceiver(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var channel = new MpscChannel<int>(1024);
        var receiver = rt.Spawn(async () =>
        {
            int count = 0;
            try
            {
                while (true)
                {
                    await channel.ReceiveAsync();
                    count++;
                }
            }
            catch (ChannelCompletedException)
            {
                return count;
            }
        });
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 250; i++)
                while (!channel.TrySend(i)) Thread.Yield();
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        channel.Complete();
        Assert.Equal(1000, rt.BlockOn(receiver));
    });

    [Fact]
    public void BoundsAndCompletion()
    {
        Assert.Equal("capacity", Assert.Throws<ArgumentOutOfRangeException>(() => new MpscChannel<int>(0)).ParamName);
        var channel = new MpscChannel<string>(2);
        Assert.True(channel.TrySend("a"));
        Assert.True(channel.TrySend("b"));
        Assert.False(channel.TrySend("c")); // full: refused, nothing lost
        Assert.Equal(2, channel.Count);
        Assert.True(channel.TryReceive(out var first));
        Assert.Equal("a", first);
        channel.Complete();
        Assert.False(channel.TrySend("d"));
        Assert.True(channel.IsCompleted);
        Assert.True(channel.TryReceive(out var second)); // what was sent before completion is still received
        Assert.Equal("b", second);
        Assert.False(channel.TryReceive(out _));
    }

    [Fact]
    public void SendingAndReceivingAllocateNothingOnTheEmbeddedTier()
    {
        using var rt = new Tandem.Embedded.EmbeddedScheduler(16);
        var channel = new MpscChannel<int>(16);
        int wrong = 0;
        void Cycle()
        {
            var consumer = rt.Spawn(Priority.Normal, channel, static async c =>
            {
                int sum = 0;
                for (int i = 0; i < 10; i++) sum += await c.ReceiveAsync();
                return sum;
            });
            var producer = rt.Spawn(Priority.Normal, channel, static async c =>
            {
                for (int i = 0; i < 10; i++)
                {
                    c.TrySend(i);
                    await Async.Yield();
                }
                return 0;
            });
            if (rt.BlockOn(consumer) != 45) wrong++;
            rt.BlockOn(producer);
        }
        for (int i = 0; i < 200; i++) Cycle();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2000; i++) Cycle();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, wrong);
    }
}
