using Tandem;

namespace Tandem.Tests.Conformance;

/// <summary>The cooperative budget: a task whose awaits keep completing at once still lets the peers of its level run.</summary>
public class CoopBudgetConformanceTests
{
    // One thread for both tasks (the embedded tier, a one-worker host), where starving is certain without the budget;
    // with more workers the peer may simply run elsewhere, or wait for the operating system to run its worker.
    [Theory]
    [MemberData(nameof(Runtimes.SingleThreaded), MemberType = typeof(Runtimes))]
    public void AConsumerWhoseChannelIsAlwaysFullDoesNotStarveItsPeer(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        const int Messages = 20_000;
        var channel = new MpscChannel<int>(Messages);
        for (int i = 0; i < Messages; i++) Assert.True(channel.TrySend(i));
        channel.Complete();
        int consumed = 0;
        var seenByPeer = new List<int>();
        rt.BlockOn(Priority.Low, async () =>
        {
            var consumer = rt.Spawn(Priority.Normal, async () =>
            {
                try
                {
                    while (true)
                    {
                        await channel.ReceiveAsync(); // always ready: without a budget it would never suspend
                        Volatile.Write(ref consumed, consumed + 1);
                    }
                }
                catch (ChannelCompletedException)
                {
                }
            });
            var peer = rt.Spawn(Priority.Normal, async () =>
            {
                for (int step = 0; step < 5; step++)
                {
                    lock (seenByPeer) seenByPeer.Add(Volatile.Read(ref consumed));
                    await Async.Yield();
                }
            });
            await consumer;
            await peer;
        });
        Assert.Equal(Messages, consumed);
        // The peer ran while the consumer still had most of its messages to take, not only after it had taken them all.
        Assert.True(seenByPeer.Count(c => c < Messages) >= 3, $"the peer saw {string.Join(", ", seenByPeer)} of {Messages}");
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void JoiningManyFinishedTasksYieldsNow(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode, maxTasks: 2048);
        int polls = rt.BlockOn(async () =>
        {
            var handles = Enumerable.Range(0, 1000).Select(i => rt.Spawn(Priority.Normal, i, static i => new TandemTask<int>(i))).ToArray();
            await Async.Yield();
            while (!handles.All(h => h.IsFinished)) await Async.Yield();
            int sum = 0;
            foreach (var handle in handles) sum += await handle; // all finished: each await is ready at once
            return sum;
        });
        Assert.Equal(999 * 1000 / 2, polls);
    });
}
