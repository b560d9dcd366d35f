using Tandem;

namespace Tandem.Tests.Conformance;

/// <summary>The one-shot channel on both tiers.</summary>
public class OneShotConformanceTests
{
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void PingPongThroughOneShotChannels(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        int total = rt.BlockOn(async () =>
        {
            int sum = 0;
            for (int i = 0; i < 100; i++)
            {
                var ping = new OneShot<int>();
                var pong = new OneShot<int>();
                _ = rt.Spawn(Priority.Normal, (ping, pong), static async p =>
                {
                    int x = await p.ping.ReceiveAsync();
                    p.pong.Send(x + 1);
                });
                ping.Send(i);
                sum += await pong.ReceiveAsync();
            }
            return sum;
        });
        Assert.Equal(Enumerable.Range(1, 100).Sum(), total);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ASendFromAnotherThreadWakesTheReceiver(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var channel = new OneShot<string>();
        var receiver = rt.Spawn(async () => await channel.ReceiveAsync());
        var sender = new Thread(() => channel.Send("from afar"));
        sender.Start();
        Assert.Equal("from afar", rt.BlockOn(receiver));
        sender.Join();
    });

    [Fact]
#pragma warning disable xUnit1031 // the awaiter is the API under test, called directly, not a blocking wait
    public void OneValueOnceAndResetForReuse()
    {
        var channel = new OneShot<int>();
        Assert.False(channel.IsSent);
        Assert.True(channel.TrySend(1));
        Assert.False(channel.TrySend(2));
        Assert.Throws<InvalidOperationException>(() => channel.Send(3));
        Assert.True(channel.IsSent);
        var awaiter = channel.ReceiveAsync().GetAwaiter();
        Assert.True(awaiter.IsCompleted);
        Assert.Equal(1, awaiter.GetResult());
        Assert.Throws<InvalidOperationException>(() => awaiter.GetResult()); // received once
        channel.Reset();
        Assert.False(channel.IsSent);
        Assert.True(channel.TrySend(4));
        Assert.Equal(4, channel.ReceiveAsync().GetAwaiter().GetResult());
    }
#pragma warning restore xUnit1031

    [Fact]
    public void ReceivingFromAPooledChannelAllocatesNothingOnTheEmbeddedTier()
    {
        using var rt = new Tandem.Embedded.EmbeddedScheduler(64);
        var channels = new OneShot<int>[2];
        for (int i = 0; i < channels.Length; i++) channels[i] = new OneShot<int>();
        int wrong = 0;
        void Cycle()
        {
            foreach (var c in channels) c.Reset();
            var h = rt.Spawn(Priority.Normal, (rt, channels), static async st =>
            {
                var pong = st.rt.Spawn(Priority.Normal, st.channels, static async c =>
                {
                    c[1].Send(await c[0].ReceiveAsync() + 1);
                    return 0;
                });
                st.channels[0].Send(41);
                int answer = await st.channels[1].ReceiveAsync();
                await pong;
                return answer;
            });
            if (rt.BlockOn(h) != 42) wrong++; // no Assert inside the measured loop: xunit's comparers allocate
        }
        for (int i = 0; i < 200; i++) Cycle();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2000; i++) Cycle();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, wrong);
    }
}
