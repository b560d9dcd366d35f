using Tandem.Host;

namespace Tandem.Bench.Soak;

/// <summary>
/// One round of the soak's mixed workload on one runtime, run as a task: spawns and joins, a join set, channels,
/// timers and timeouts (finishing early and expiring), aborts, blocking work (host), foreign awaits, and injected faults
/// that must reach a joiner or the unobserved-exception event. Every task it spawns is accounted for.
/// </summary>
internal static class SoakRound
{
    internal static async TandemTask RunAsync(Runtime rt, SoakCounters c, int round)
    {
        // A detached task that faults at its first poll must reach the unobserved-exception event. Spawned first, at a
        // higher priority, so that it has run long before the round (and a shutdown after it) ends.
        c.Inject();
        c.Spawn();
        rt.Spawn(Priority.High, static () => throw new InjectedFault()).Detach();

        // Plain spawns that yield, sleep and return; one in seven faults and is joined.
        var handles = new JoinHandle<int>[16];
        for (int i = 0; i < handles.Length; i++)
        {
            bool faults = (round + i) % 7 == 0;
            if (faults) c.Inject();
            c.Spawn();
            handles[i] = rt.Spawn(Priority.Normal, (i, faults), static async st =>
            {
                await Async.Yield();
                if (st.i % 3 == 0) await Async.Delay(TimeSpan.FromMilliseconds(1));
                if (st.faults) throw new InjectedFault();
                return st.i;
            });
        }
        foreach (var handle in handles)
        {
            try { await handle; }
            catch (InjectedFault) { c.Surface(); }
            c.End();
        }

        // A join set, with one member aborted through its handle.
        using (var set = rt.CreateJoinSet<int>(8))
        {
            var victim = set.Spawn(Priority.Low, static async () => { await Async.Delay(TimeSpan.FromSeconds(30)); return -1; });
            c.Spawn();
            for (int i = 0; i < 6; i++)
            {
                c.Spawn();
                set.Spawn(Priority.Normal, i, static async i => { await Async.Yield(); return i; });
            }
            victim.Abort();
            while (!set.IsEmpty)
            {
                try { await set.JoinNextAsync(); }
                catch (TaskAbortedException) { }
                c.End();
            }
        }

        // A producer and a consumer on an MPSC channel; a one-shot reply.
        var channel = new MpscChannel<int>(64);
        var reply = new OneShot<int>();
        c.Spawn(2);
        var consumer = rt.Spawn(Priority.Normal, (channel, reply), static async st =>
        {
            int sum = 0;
            try { while (true) sum += await st.channel.ReceiveAsync(); }
            catch (ChannelCompletedException) { }
            st.reply.Send(sum);
        });
        var producer = rt.Spawn(Priority.Normal, channel, static async ch =>
        {
            for (int i = 1; i <= 100; i++)
                while (!ch.TrySend(i)) await Async.Yield();
            ch.Complete();
        });
        await producer;
        c.End();
        if (await reply.ReceiveAsync() != 5050) throw new InvalidOperationException("the channel lost a message");
        await consumer;
        c.End();

        // Timeouts: one finishes early, one expires and aborts its work.
        c.Spawn();
        await rt.Timeout(TimeSpan.FromSeconds(30), static async () => { await Async.Yield(); return 1; });
        c.End();
        c.Spawn();
        try { await rt.Timeout(TimeSpan.FromMilliseconds(1), static async () => { await Async.Delay(TimeSpan.FromSeconds(30)); return 1; }); }
        catch (TimeoutException) { }
        c.End();

        // A foreign await.
        await Task.Delay(1);

        // Blocking work on the host tier's pool, one in four faulting.
        if (rt is HostScheduler host)
        {
            bool faults = round % 4 == 0;
            if (faults) c.Inject();
            c.Spawn();
            try { await host.SpawnBlocking(() => faults ? throw new InjectedFault() : Environment.TickCount); }
            catch (InjectedFault) { c.Surface(); }
            c.End();
        }
    }
}
