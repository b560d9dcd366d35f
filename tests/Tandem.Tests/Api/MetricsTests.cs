using System.Diagnostics.Metrics;
using Tandem.Tests.Conformance;

namespace Tandem.Tests.Api;

/// <summary>The runtime's meter ("Tandem") on every tier, read through a <see cref="MeterListener"/> as a collector would.</summary>
public class MetricsTests
{
    /// <summary>Collects every instrument of <paramref name="runtime"/>'s meter once: name → (tags → value).</summary>
    private static Dictionary<string, List<(Dictionary<string, string> Tags, long Value)>> Collect(Runtime runtime)
    {
        var meter = runtime.Metrics!.Meter;
        var seen = new Dictionary<string, List<(Dictionary<string, string>, long)>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter)) l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var map = new Dictionary<string, string>();
            foreach (var tag in tags) map[tag.Key] = tag.Value?.ToString() ?? "";
            lock (seen)
            {
                if (!seen.TryGetValue(instrument.Name, out var list)) seen[instrument.Name] = list = [];
                list.Add((map, value));
            }
        }
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    private static long Sum(Dictionary<string, List<(Dictionary<string, string> Tags, long Value)>> seen, string name, params (string Key, string Value)[] filter) =>
        seen.TryGetValue(name, out var list)
            ? list.Where(m => filter.All(f => m.Tags.TryGetValue(f.Key, out var v) && v == f.Value)).Sum(m => m.Value)
            : 0;

    /// <summary>Tasks finished by outcome and priority, spawned, polls, workers and queues, as the program did them.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void CountsTasksByPriorityAndOutcome(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        rt.BlockOn(Priority.Low, async () =>
        {
            var ok = rt.Spawn(Priority.High, static async () => { await Async.Yield(); return 1; });
            var fails = rt.Spawn(Priority.Normal, static async () =>
            {
                await Async.Yield();
                if (Async.IsInTask) throw new InvalidOperationException("boom");
                return 0;
            });
            var aborted = rt.Spawn(Priority.Normal, static async () => { await Async.Delay(TimeSpan.FromHours(1)); return 0; });
            aborted.Abort();
            await ok;
            try { await fails; } catch (InvalidOperationException) { }
            try { await aborted; } catch (TaskAbortedException) { }
        });
        var seen = Collect(rt);
        Assert.Equal(1, Sum(seen, "tandem.tasks.finished", ("tandem.priority", "high"), ("tandem.outcome", "completed")));
        Assert.Equal(1, Sum(seen, "tandem.tasks.finished", ("tandem.priority", "normal"), ("tandem.outcome", "faulted")));
        Assert.Equal(1, Sum(seen, "tandem.tasks.finished", ("tandem.priority", "normal"), ("tandem.outcome", "aborted")));
        Assert.Equal(1, Sum(seen, "tandem.tasks.finished", ("tandem.priority", "low"), ("tandem.outcome", "completed"))); // the BlockOn
        Assert.Equal(4, Sum(seen, "tandem.tasks.spawned"));
        Assert.Equal(0, Sum(seen, "tandem.tasks.alive"));
        Assert.True(Sum(seen, "tandem.worker.polls") >= 4, "each task was polled at least once");
        Assert.Equal(mode == RuntimeMode.Host ? mode.Workers : 1, Sum(seen, "tandem.workers"));
        Assert.Equal(0, Sum(seen, "tandem.queue.depth"));
        Assert.All(seen.Values.SelectMany(v => v), m => Assert.Equal(mode == RuntimeMode.Host ? "host" : "embedded", m.Tags["tandem.tier"]));
    });

    /// <summary>The embedded tier counts every poll exactly, across loop entries and the allocation windows that spawns and
    /// the loop's exits close early (the windows keep the count).</summary>
    [Fact]
    public void TheEmbeddedTierCountsEveryPoll()
    {
        using var rt = new Tandem.Embedded.EmbeddedScheduler(64);
        const int Tasks = 50, Yields = 3;
        for (int round = 0; round < 2; round++) // two loop entries, so the count carries over a loop's exit
        {
            rt.BlockOn(async () =>
            {
                var handles = new JoinHandle<int>[Tasks];
                for (int i = 0; i < Tasks; i++)
                    handles[i] = Runtime.Current!.Spawn(Priority.Normal, 0, static async _ =>
                    {
                        for (int k = 0; k < Yields; k++) await Async.Yield();
                        return 0;
                    });
                foreach (var handle in handles) await handle;
            });
        }
        // Each task: its first poll and one per yield. The driving task: its first poll and one per join it waited for
        // (at most one per task), so its exact count depends on the order; the tasks' part does not.
        long polls = Sum(Collect(rt), "tandem.worker.polls");
        Assert.InRange(polls, 2 * (Tasks * (Yields + 1) + 1), 2 * (Tasks * (Yields + 1) + 1 + Tasks));
    }

    /// <summary>Unfinished tasks are counted alive at the priority they were spawned at, and queued ones by priority.</summary>
    [Fact]
    public void CountsAliveAndQueuedTasks()
    {
        using var rt = Runtimes.Create(Tier.Embedded);
        var gate = new OneShot<int>();
        var waiting = rt.Spawn(Priority.Critical, gate, static async g => await g.ReceiveAsync());
        var queued = rt.Spawn(Priority.Idle, static () => TandemTask.CompletedTask);
        var seen = Collect(rt); // nothing ran yet: both queued
        Assert.Equal(1, Sum(seen, "tandem.tasks.alive", ("tandem.priority", "critical")));
        Assert.Equal(1, Sum(seen, "tandem.tasks.alive", ("tandem.priority", "idle")));
        Assert.Equal(1, Sum(seen, "tandem.queue.depth", ("tandem.priority", "idle")));
        Assert.Equal(1024, Sum(seen, "tandem.tasks.capacity")); // Runtimes.Create's capacity
        gate.Send(1);
        rt.BlockOn(waiting);
        rt.BlockOn(queued);
        seen = Collect(rt);
        Assert.Equal(0, Sum(seen, "tandem.tasks.alive"));
        Assert.Equal(0, Sum(seen, "tandem.queue.depth"));
    }

    /// <summary>Spawns refused at capacity and faults nobody joined are counted.</summary>
    [Fact]
    public void CountsRejectedSpawnsAndUnobservedFaults()
    {
        using var rt = new Tandem.Embedded.EmbeddedScheduler(maxTasks: 1);
        var gate = new OneShot<int>();
        var holder = rt.Spawn(Priority.Normal, gate, static async g => await g.ReceiveAsync());
        Assert.False(rt.TrySpawn(Priority.Normal, static () => TandemTask.CompletedTask, out _));
        Assert.Equal(1, Sum(Collect(rt), "tandem.spawns.rejected"));
        gate.Send(1);
        rt.BlockOn(holder);
        rt.UnobservedTaskException += (_, _) => { };
        rt.Spawn(Priority.Normal, static () => throw new InvalidOperationException("nobody joins")).Detach();
        rt.RunUntilIdle();
        Assert.Equal(1, Sum(Collect(rt), "tandem.unobserved_exceptions"));
    }

    /// <summary>The host tier reports its blocking pool; the meter comes from the factory given in the options.</summary>
    [Fact]
    public void UsesTheGivenMeterFactoryAndReportsTheBlockingPool()
    {
        var factory = new RecordingMeterFactory();
        using (var rt = Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { WorkerCount = 1, MeterFactory = factory }))
        {
            Assert.Equal(42, ((Tandem.Host.HostScheduler)rt).BlockOn(((Tandem.Host.HostScheduler)rt).SpawnBlocking(() => 42)));
            var seen = Collect(rt);
            Assert.True(Sum(seen, "tandem.blocking.threads") >= 0);
            Assert.True(seen.ContainsKey("tandem.blocking.queue.depth"));
            Assert.Same(factory.Created.Single(), rt.Metrics!.Meter);
        }
        Assert.Equal("Tandem", factory.Created.Single().Name);
    }

    private sealed class RecordingMeterFactory : IMeterFactory
    {
        public List<Meter> Created { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            Created.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Created) meter.Dispose();
        }
    }

    /// <summary>With task times recorded, each poll records its scheduling latency (ready to polled) and its duration, by
    /// priority, on the runtime's clock (a virtual one here: the figures are exact); without, nothing is recorded.</summary>
    [Fact]
    public void RecordsSchedulingLatencyAndPollDurationByPriority()
    {
        var clock = new VirtualClock { AutoAdvance = false };
        using var rt = Runtime.WithMode(RuntimeMode.Embedded, new RuntimeOptions { Clock = clock, RecordTaskTimes = true });
        var meter = rt.Metrics!.Meter;
        var seen = new List<(string Name, double Value, string Priority)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument is Histogram<double>) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "tandem.priority") seen.Add((i.Name, v, (string)tag.Value!));
        });
        listener.Start();
        var task = rt.Spawn(Priority.High, async () =>
        {
            clock.Advance(TimeSpan.FromSeconds(1)); // this poll takes a second of the runtime's clock
            await Async.Yield();
        });
        clock.Advance(TimeSpan.FromSeconds(2)); // ready for two seconds before its first poll
        rt.BlockOn(task);
        var high = seen.Where(m => m.Priority == "high").ToList();
        Assert.Equal(1.0, high.First(m => m.Name == "tandem.task.poll_duration").Value, precision: 6);
        Assert.Equal(2.0, high.First(m => m.Name == "tandem.task.scheduling_latency").Value, precision: 6);
        Assert.Equal(2, high.Count(m => m.Name == "tandem.task.poll_duration")); // two polls: before and after the yield
        Assert.Equal(2, high.Count(m => m.Name == "tandem.task.scheduling_latency"));

        seen.Clear();
        using var untimed = Runtime.WithMode(RuntimeMode.Embedded, new RuntimeOptions { Clock = new VirtualClock() });
        untimed.BlockOn(static async () => await Async.Yield());
        Assert.Empty(seen);
    }
}
