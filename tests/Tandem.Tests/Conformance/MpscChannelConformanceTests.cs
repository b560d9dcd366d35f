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

    /// <summary>A receiver aborted while it waits unwinds as aborted, taking nothing, and a new receiver takes its place
    /// (it is not refused as a second receiver) and is woken by the next message.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AReceiverAbortedWhileItWaitsGivesItsPlaceToTheNext(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var channel = new MpscChannel<int>(4);
        var first = SpawnReceiver(rt, channel);
        first.Abort();
        Assert.Throws<TaskAbortedException>(() => rt.BlockOn(first));
        var second = SpawnReceiver(rt, channel);
        Assert.True(channel.TrySend(7));
        Assert.Equal(7, rt.BlockOn(second));
        Assert.Equal(0, channel.Count);
    });

    /// <summary>A receiver aborted after it was resumed for a message, before it ran, takes nothing: the message stays in
    /// the channel for the next receiver.</summary>
    [Fact]
    public void AReceiverAbortedBeforeItRanLeavesTheMessage() => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(Tier.Embedded);
        var channel = new MpscChannel<int>(4);
        var first = SpawnReceiver(rt, channel);
        Assert.True(channel.TrySend(5)); // resumes it: it is queued to run
        first.Abort();
        Assert.Throws<TaskAbortedException>(() => rt.BlockOn(first));
        Assert.Equal(1, channel.Count);
        Assert.Equal(5, rt.BlockOn(rt.Spawn(Priority.Normal, channel, static async c => await c.ReceiveAsync())));
    });

    /// <summary>A receive whose message is already there completes at once, without suspending (outside a task, where
    /// there is no cooperative budget); on an empty channel it does not, until the channel is completed, and reading its
    /// result then throws rather than returning a default message.</summary>
    [Fact]
#pragma warning disable xUnit1031 // the awaiter is the API under test, called directly, not a blocking wait
    public void AReceiveCompletesAtOnceWhenAMessageOrTheCompletionIsThere()
    {
        var channel = new MpscChannel<int>(2);
        Assert.False(channel.ReceiveAsync().GetAwaiter().IsCompleted);
        Assert.Throws<InvalidOperationException>(() => channel.ReceiveAsync().GetAwaiter().GetResult());
        Assert.True(channel.TrySend(3));
        var awaiter = channel.ReceiveAsync().GetAwaiter();
        Assert.True(awaiter.IsCompleted);
        Assert.Equal(3, awaiter.GetResult());
        Assert.False(channel.ReceiveAsync().GetAwaiter().IsCompleted);
        channel.Complete();
        var last = channel.ReceiveAsync().GetAwaiter();
        Assert.True(last.IsCompleted);
        Assert.Throws<ChannelCompletedException>(() => last.GetResult());
    }
#pragma warning restore xUnit1031

    /// <summary>A receiver that keeps finding messages spends its cooperative budget and yields at a receive; it is resumed
    /// for the messages still there, with no further send and the channel still open.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AReceiveDeferredByTheBudgetStillGetsTheMessagesThere(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        const int Messages = 3 * Coop.Budget;
        var channel = new MpscChannel<int>(Messages);
        for (int i = 0; i < Messages; i++) Assert.True(channel.TrySend(i));
        var sum = rt.BlockOn(rt.Spawn(Priority.Normal, channel, static async c =>
        {
            int total = 0;
            for (int i = 0; i < Messages; i++) total += await c.ReceiveAsync(); // always ready: the budget makes some yield
            return total;
        }));
        Assert.Equal(Messages * (Messages - 1) / 2, sum);
        Assert.False(channel.IsCompleted);
    });

    /// <summary>Spawns a task that receives one message from <paramref name="channel"/>, and returns once it waits for it
    /// (it has set its flag, and that poll has ended).</summary>
    private static JoinHandle<int> SpawnReceiver(Runtime rt, MpscChannel<int> channel)
    {
        var started = new int[1];
        var receiver = rt.Spawn(Priority.Normal, (channel, started), static async st =>
        {
            Volatile.Write(ref st.started[0], 1);
            return await st.channel.ReceiveAsync();
        });
        rt.BlockOn(rt.Spawn(Priority.Normal, (receiver, started), static async st =>
        {
            while (Volatile.Read(ref st.started[0]) == 0 || st.receiver.State == TaskState.Running) await Async.Yield();
            return 0;
        }));
        return receiver;
    }

    /// <summary>The largest capacity, 1,048,576, is accepted (the limit is inclusive).</summary>
    [Fact]
    public void TheLargestCapacityIsAccepted() => Assert.Equal(1 << 20, new MpscChannel<byte>(1 << 20).Capacity);

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
        // The median of ten batches: a one-off allocation of the runtime's own on this thread (the JIT tiering a method up
        // mid-run) cannot fail the test, an allocation per cycle still does.
        Assert.Equal(0, AllocationMeter.MedianBytes(Cycle, warmup: 200, cycles: 2000));
        Assert.Equal(0, wrong);
    }
}
