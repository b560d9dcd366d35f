using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

public class HostWakeTests
{
    /// <summary>A poll-function task that checks it is never polled twice at once and records the last signal it saw.</summary>
    private sealed class Probe
    {
        public long Signals;       // incremented by a waker before each wake
        public long Seen;          // the Signals value the last poll observed
        public long Polls;
        public int InPoll;
        public volatile bool Violation;
        public volatile bool Stop;
        public Waker Waker;
        public readonly ManualResetEventSlim HasWaker = new(false);
    }

    private static Poll<long> PollProbe(Probe p, PollContext cx)
    {
        if (Interlocked.Exchange(ref p.InPoll, 1) == 1) p.Violation = true;
        p.Polls++;
        if (!p.HasWaker.IsSet)
        {
            p.Waker = cx.Waker;
            p.HasWaker.Set();
        }
        long seen = Volatile.Read(ref p.Signals);
        p.Seen = seen;
        bool done = p.Stop && seen == Volatile.Read(ref p.Signals);
        Volatile.Write(ref p.InPoll, 0);
        return done ? Poll<long>.Ready(p.Polls) : Poll<long>.Pending;
    }

    [Fact]
    public void AMillionCrossThreadWakesAreNeitherLostNorDoubled() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        const int Tasks = 64, Threads = 4, WakesPerThread = 250_000;
        var probes = Enumerable.Range(0, Tasks).Select(_ => new Probe()).ToArray();
        var handles = probes.Select(p => s.Schedule(Priority.Normal, p, PollProbe)).ToArray();
        foreach (var p in probes) p.HasWaker.Wait();

        var wakers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            for (int i = 0; i < WakesPerThread; i++)
            {
                var p = probes[random.Next(Tasks)];
                Interlocked.Increment(ref p.Signals);
                p.Waker.Wake();
            }
        })).ToList();
        wakers.ForEach(w => w.Start());
        wakers.ForEach(w => w.Join());

        foreach (var p in probes)
        {
            p.Stop = true;
            Interlocked.Increment(ref p.Signals);
            p.Waker.Wake();
        }
        long polls = 0;
        foreach (var h in handles) polls += s.BlockOn(h);

        Assert.All(probes, p => Assert.False(p.Violation, "a task was polled on two workers at once (queued twice)"));
        Assert.All(probes, p => Assert.Equal(Volatile.Read(ref p.Signals), p.Seen)); // the last wake was not lost
        long signals = probes.Sum(p => p.Signals);
        Assert.Equal((long)Threads * WakesPerThread + Tasks, signals);
        Assert.InRange(polls, Tasks * 2, signals + Tasks); // every poll answers a wake (coalesced wakes poll once)
    });

    [Fact]
    public void WakesBeforeARunCoalesceIntoOnePoll() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var p = new Probe();
        var h = s.Schedule(Priority.Normal, p, PollProbe);
        p.HasWaker.Wait(); // first poll done; the probe now waits for wakes

        // Occupy the only worker, so that the probe cannot run while it is woken.
        using var started = new ManualResetEventSlim(false);
        using var gate = new ManualResetEventSlim(false);
        var hold = s.Spawn(Priority.Critical, () =>
        {
            started.Set();
            gate.Wait();
            return TandemTask.CompletedTask;
        });
        started.Wait();
        long pollsBefore = Volatile.Read(ref p.Polls);
        for (int i = 0; i < 1000; i++)
        {
            Interlocked.Increment(ref p.Signals);
            p.Waker.Wake();
        }
        p.Stop = true;
        Interlocked.Increment(ref p.Signals);
        p.Waker.Wake();
        gate.Set();

        Assert.Equal(pollsBefore + 1, s.BlockOn(h)); // 1001 wakes, one poll
        s.BlockOn(hold);
    });
}
