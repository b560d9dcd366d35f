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

    /// <summary>Reading the result before anything was sent throws at once: it neither returns a default value nor waits,
    /// and takes nothing, so the value sent afterwards is still there to read.</summary>
    [Fact]
#pragma warning disable xUnit1031 // the awaiter is the API under test, called directly, not a blocking wait
    public void ReadingTheResultBeforeTheSendThrows() => Bounded.Run(() =>
    {
        var channel = new OneShot<int>();
        var awaiter = channel.ReceiveAsync().GetAwaiter();
        Assert.False(awaiter.IsCompleted);
        Assert.Throws<InvalidOperationException>(() => awaiter.GetResult());
        Assert.True(channel.TrySend(3));
        Assert.Equal(3, awaiter.GetResult());
    });
#pragma warning restore xUnit1031

    /// <summary>A receiver aborted while it waits frees its place as it unwinds: a value sent afterwards stays in the
    /// channel, the channel can be reset (nobody waits on it), and it works again.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AChannelWhoseAbortedReceiverHasUnwoundCanBeSentToAndReset(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var channel = new OneShot<int>();
        var started = new int[1];
        var receiver = rt.Spawn(Priority.Normal, (channel, started), static async st =>
        {
            Volatile.Write(ref st.started[0], 1);
            return await st.channel.ReceiveAsync();
        });
        WaitUntilSuspended(rt, receiver, started);
        receiver.Abort();
        Assert.Throws<TaskAbortedException>(() => rt.BlockOn(receiver));
        Assert.True(channel.TrySend(5));
        channel.Reset();
        Assert.False(channel.IsSent);
        var next = rt.Spawn(Priority.Normal, channel, static async c => await c.ReceiveAsync());
        Assert.True(channel.TrySend(6));
        Assert.Equal(6, rt.BlockOn(next));
    });

    /// <summary>A receiver resumed by the send but aborted before it ran gives up without the value: the value stays for
    /// the next receiver, and the channel can be reset (nobody waits on it any more).</summary>
    [Fact]
    public void AChannelWhoseReceiverWasAbortedAfterTheSendResumedItCanBeReset() => Bounded.Run(() =>
    {
        using var s = new Tandem.Embedded.EmbeddedScheduler(new Tandem.Embedded.EmbeddedOptions { Clock = new VirtualClock() });
        var channel = new OneShot<int>();
        var receiver = s.Spawn(Priority.Normal, channel, static async c => await c.ReceiveAsync());
        s.RunUntilIdle(); // it waits
        Assert.True(channel.TrySend(5)); // resumes it: it is queued to run
        receiver.Abort();
        s.RunUntilIdle();
        Assert.Throws<TaskAbortedException>(() => receiver.GetResult());
        Assert.True(channel.IsSent);
        channel.Reset();
        Assert.False(channel.IsSent);
        Assert.True(channel.TrySend(6));
        Assert.Equal(6, s.BlockOn(s.Spawn(Priority.Normal, channel, static async c => await c.ReceiveAsync())));
    });

    /// <summary>A receiver whose wait an abort claimed, and to which a value is sent before it unwinds (by its own task,
    /// from a finally block that runs first), gives its place up as it unwinds: the channel can be reset.</summary>
    [Fact]
    public void AChannelSentToBetweenItsReceiversAbortAndItsUnwindingCanBeReset() => Bounded.Run(() =>
    {
        using var s = new Tandem.Embedded.EmbeddedScheduler(new Tandem.Embedded.EmbeddedOptions { Clock = new VirtualClock() });
        var channel = new OneShot<int>();
        var task = s.Spawn(Priority.Normal, channel, static async c =>
        {
            var receiving = Receive(c); // suspends at the receive, in this task
            try
            {
                await Async.Delay(TimeSpan.FromDays(1));
            }
            finally
            {
                c.TrySend(9); // the abort claimed both waits; this unwinds first
            }
            return await receiving;
        });
        s.RunUntilIdle();
        task.Abort();
        s.RunUntilIdle();
        Assert.Throws<TaskAbortedException>(() => task.GetResult());
        Assert.True(channel.IsSent);
        channel.Reset();
        Assert.False(channel.IsSent);
    });

    /// <summary>Resetting the channel after the send resumed its receiver, before that receiver ran, throws: the receiver
    /// is still receiving (it has not taken the value), and it does take it afterwards.</summary>
    [Fact]
    public void ResettingBeforeTheResumedReceiverRanThrows() => Bounded.Run(() =>
    {
        using var s = new Tandem.Embedded.EmbeddedScheduler(new Tandem.Embedded.EmbeddedOptions { Clock = new VirtualClock() });
        var channel = new OneShot<int>();
        var receiver = s.Spawn(Priority.Normal, channel, static async c => await c.ReceiveAsync());
        s.RunUntilIdle(); // it waits
        Assert.True(channel.TrySend(4)); // resumes it: it is queued to run
        Assert.Throws<InvalidOperationException>(() => channel.Reset());
        Assert.Equal(4, s.BlockOn(receiver));
        channel.Reset();
        Assert.False(channel.IsSent);
    });

    /// <summary>Reset frees the place of a receiver whose wait an abort claimed, even before that receiver unwinds (here
    /// its own task resets the channel from a finally block that runs first).</summary>
    [Fact]
    public void ResetFreesThePlaceOfAReceiverThatGaveUpBeforeItUnwinds() => Bounded.Run(() =>
    {
        using var s = new Tandem.Embedded.EmbeddedScheduler(new Tandem.Embedded.EmbeddedOptions { Clock = new VirtualClock() });
        var channel = new OneShot<int>();
        var task = s.Spawn(Priority.Normal, channel, static async c =>
        {
            var receiving = Receive(c); // suspends at the receive, in this task
            try
            {
                await Async.Delay(TimeSpan.FromDays(1));
            }
            finally
            {
                c.Reset(); // the abort claimed both waits; this unwinds first: the receiver gave up, nobody waits
            }
            return await receiving;
        });
        s.RunUntilIdle();
        task.Abort();
        s.RunUntilIdle();
        Assert.Throws<TaskAbortedException>(() => task.GetResult()); // not the reset's InvalidOperationException
        Assert.True(channel.TrySend(2));
        Assert.Equal(2, s.BlockOn(s.Spawn(Priority.Normal, channel, static async c => await c.ReceiveAsync())));
    });

    /// <summary>A receiver registering while the previous one has given up (an abort claimed its wait) but not yet
    /// unwound takes its place, and the send resumes the new one: here the registration is made directly through the
    /// awaiter, from a finally block of the aborted task that runs before the old receiver unwinds.</summary>
    [Fact]
    public void AReceiverTakesThePlaceOfOneThatGaveUpBeforeItUnwound() => Bounded.Run(() =>
    {
        using var s = new Tandem.Embedded.EmbeddedScheduler(new Tandem.Embedded.EmbeddedOptions { Clock = new VirtualClock() });
        var channel = new OneShot<int>();
        var resumed = new int[1];
        var task = s.Spawn(Priority.Normal, (channel, resumed), static async st =>
        {
            var receiving = Receive(st.channel); // suspends at the receive, in this task
            try
            {
                await Async.Delay(TimeSpan.FromDays(1));
            }
            finally
            {
                // The abort claimed both waits; this unwinds first: the old receiver is gone, and this one registers.
                st.channel.ReceiveAsync().GetAwaiter().UnsafeOnCompleted(() => Volatile.Write(ref st.resumed[0], 1));
            }
            return await receiving;
        });
        s.RunUntilIdle();
        task.Abort();
        s.RunUntilIdle();
        Assert.Throws<TaskAbortedException>(() => task.GetResult()); // the registration was not refused
        Assert.Equal(0, Volatile.Read(ref resumed[0])); // and not resumed before the send
        Assert.True(channel.TrySend(8));
        // Its task has finished, so the continuation runs on the thread pool.
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref resumed[0]) == 1, TestUtil.Bound), "the new receiver was never resumed");
    });

    /// <summary>A second receive after the value was taken throws, and leaves no receiver behind: the channel can be reset
    /// and reused.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ASecondReceiveThrowsAndLeavesTheChannelResettable(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var channel = new OneShot<int>();
        var receiver = rt.Spawn(Priority.Normal, channel, static async c =>
        {
            int first = await c.ReceiveAsync();
            try
            {
                await c.ReceiveAsync();
                return "received twice";
            }
            catch (InvalidOperationException)
            {
                return $"{first}, then refused";
            }
        });
        Assert.True(channel.TrySend(3));
        Assert.Equal("3, then refused", rt.BlockOn(receiver));
        channel.Reset();
        Assert.False(channel.IsSent);
        var next = rt.Spawn(Priority.Normal, channel, static async c => await c.ReceiveAsync());
        Assert.True(channel.TrySend(4));
        Assert.Equal(4, rt.BlockOn(next));
    });

    /// <summary>A receive that finds the value there once the task's cooperative budget has run out queues the task's
    /// resumption and registers nothing: an abort before the task runs again unwinds it once, and the value stays for the
    /// next receiver.</summary>
    [Fact]
    public void AReceiveDeferredByTheBudgetThenAbortedUnwindsOnceAndLeavesTheValue() => Bounded.Run(() =>
    {
        using var s = new Tandem.Embedded.EmbeddedScheduler(new Tandem.Embedded.EmbeddedOptions { Clock = new VirtualClock() });
        var channels = new OneShot<int>[2 * Coop.Budget];
        for (int i = 0; i < channels.Length; i++)
        {
            channels[i] = new OneShot<int>();
            channels[i].Send(i);
        }
        var reached = new int[1];
        var task = s.Spawn(Priority.Normal, (channels, reached), static async st =>
        {
            int sum = 0;
            for (int i = 0; i < st.channels.Length; i++)
            {
                Volatile.Write(ref st.reached[0], i);
                sum += await st.channels[i].ReceiveAsync(); // ready every time: the budget makes one of them yield
            }
            return sum;
        });
        Assert.True(s.PollNext());
        int deferred = reached[0];
        Assert.InRange(deferred, 1, channels.Length - 2); // the poll ended at a receive, not at the end
        task.Abort();
        s.RunUntilIdle();
        Assert.Throws<TaskAbortedException>(() => task.GetResult());
        Assert.True(channels[deferred].IsSent);
        Assert.Equal(deferred, s.BlockOn(s.Spawn(Priority.Normal, channels[deferred], static async c => await c.ReceiveAsync())));
        channels[deferred].Reset();
    });

    private static async TandemTask<int> Receive(OneShot<int> c) => await c.ReceiveAsync();

    /// <summary>Returns once <paramref name="task"/> has set its flag in <paramref name="started"/> and ended that poll:
    /// it is suspended at the await that follows.</summary>
    private static void WaitUntilSuspended(Runtime rt, JoinHandle<int> task, int[] started) =>
        rt.BlockOn(rt.Spawn(Priority.Normal, (task, started), static async st =>
        {
            while (Volatile.Read(ref st.started[0]) == 0 || st.task.State == TaskState.Running) await Async.Yield();
            return 0;
        }));

    /// <summary>A send that finds the receiver's claim before the receiver has published its resumption waits for the
    /// publication and resumes it, and a receiver that finds the send claimed before the value is written waits for the
    /// value: a sender thread races a registering thread, round after round, its delay swept across the registration
    /// (a send that resumed no one would leave its round's receiver waiting for ever).</summary>
    [Fact]
    public void ASendRacingTheReceiversRegistrationResumesTheReceiver() => Bounded.Run(() =>
    {
        var channel = new OneShot<int>();
        var round = new int[1]; // the round whose receiver is registering; the sender sends its number once
        var resumed = new int[1];
        int stop = 0;
        var sender = new Thread(() =>
        {
            var random = new Random(12345);
            int sent = 0;
            while (Volatile.Read(ref stop) == 0)
            {
                int r = Volatile.Read(ref round[0]);
                if (r == sent) continue;
                Thread.SpinWait(random.Next(48)); // lands the send anywhere from before the registration to after it
                Assert.True(channel.TrySend(r));
                sent = r;
            }
        }) { IsBackground = true };
        sender.Start();
        int rounds = 0;
        try
        {
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(2);
            while (rounds < 2_000 || (rounds < 200_000 && DateTime.UtcNow < until)) // about one round in a hundred hits the window
            {
                int r = ++rounds;
                channel.Reset(); // the previous round's send has ended: its receiver had its value
                Volatile.Write(ref round[0], r);
                var awaiter = channel.ReceiveAsync().GetAwaiter();
                if (awaiter.IsCompleted) Volatile.Write(ref resumed[0], r);
                else awaiter.UnsafeOnCompleted(() => Volatile.Write(ref resumed[0], r)); // run by whichever thread resumes it
                Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref resumed[0]) == r, TestUtil.Bound), $"round {r}: the receiver was never resumed");
#pragma warning disable xUnit1031 // the awaiter is the API under test, read once resumed, not a blocking wait
                Assert.Equal(r, awaiter.GetResult());
#pragma warning restore xUnit1031
            }
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            sender.Join();
        }
    });

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
        // The median of ten batches: a one-off allocation of the runtime's own on this thread (the JIT tiering a method up
        // mid-run) cannot fail the test, an allocation per cycle still does.
        Assert.Equal(0, AllocationMeter.MedianBytes(Cycle, warmup: 200, cycles: 2000));
        Assert.Equal(0, wrong);
    }
}
