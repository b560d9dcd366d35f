using System.Diagnostics.Metrics;

namespace Tandem.Internal.Diagnostics;

/// <summary>
/// A runtime's <see cref="Meter"/> ("Tandem"): observable instruments only, each reading the tier's counters when a
/// listener collects (<see cref="IMetricsSource"/>), so a runtime nobody listens to does no metrics work at all.
/// </summary>
internal sealed class RuntimeMetrics : IDisposable
{
    /// <summary>The meter's name, for <c>dotnet-counters monitor --counters Tandem</c> and OpenTelemetry's <c>AddMeter</c>.</summary>
    internal const string MeterName = "Tandem";

    private static readonly string[] s_outcomes = ["completed", "faulted", "aborted"];
    private static readonly string[] s_priorities = ["critical", "high", "normal", "low", "idle"];

    private readonly Meter _meter;
    private readonly IMetricsSource _source;
    private readonly KeyValuePair<string, object?> _tier;
    private long _unobserved;

    internal RuntimeMetrics(IMetricsSource source, RuntimeMode mode, IMeterFactory? factory)
    {
        _source = source;
        _meter = factory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        _tier = new("tandem.tier", mode == RuntimeMode.Embedded ? "embedded" : "host");
        _meter.CreateObservableUpDownCounter("tandem.workers", () => new Measurement<int>(_source.WorkerCount, _tier),
            "{worker}", "Worker threads (1 on the embedded tier).");
        _meter.CreateObservableUpDownCounter("tandem.tasks.alive", Alive, "{task}", "Unfinished tasks, by the priority they were spawned at.");
        _meter.CreateObservableCounter("tandem.tasks.spawned", Spawned, "{task}", "Tasks spawned since the start, by priority.");
        _meter.CreateObservableCounter("tandem.tasks.finished", Finished, "{task}", "Tasks finished since the start, by priority and outcome.");
        _meter.CreateObservableUpDownCounter("tandem.queue.depth", Queues, "{task}",
            "Tasks queued to run, by priority and queue (local: a worker's own, or the embedded tier's; global: shared).");
        _meter.CreateObservableCounter("tandem.worker.polls", () => new Measurement<long>(_source.ReadWorkerCounters().Polls, _tier), "{poll}", "Polls of tasks since the start.");
        _meter.CreateObservableCounter("tandem.worker.steals", () => new Measurement<long>(_source.ReadWorkerCounters().Steals, _tier), "{steal}", "Tasks taken from another worker's queue (host tier).");
        _meter.CreateObservableCounter("tandem.worker.parks", () => new Measurement<long>(_source.ReadWorkerCounters().Parks, _tier), "{park}", "Times a worker went to sleep for lack of work (host tier).");
        _meter.CreateObservableUpDownCounter("tandem.timers.active", () => new Measurement<int>(_source.ActiveTimers, _tier), "{timer}", "Timers waiting to fire.");
        _meter.CreateObservableCounter("tandem.unobserved_exceptions", () => new Measurement<long>(Volatile.Read(ref _unobserved), _tier), "{exception}",
            "Faults no joiner saw, reported through UnobservedTaskException.");
        _meter.CreateObservableUpDownCounter("tandem.blocking.threads", () => Blocking(b => b.Threads), "{thread}", "Blocking-pool threads (host tier).");
        _meter.CreateObservableUpDownCounter("tandem.blocking.idle_threads", () => Blocking(b => b.Idle), "{thread}", "Blocking-pool threads waiting for work (host tier).");
        _meter.CreateObservableUpDownCounter("tandem.blocking.queue.depth", () => Blocking(b => b.Queued), "{job}", "Blocking jobs waiting for a thread (host tier).");
        _meter.CreateObservableUpDownCounter("tandem.tasks.capacity", Capacity, "{task}", "The fixed task capacity (embedded tier).");
        // Recorded as they happen, and only by a runtime that records task times (RecordTaskTimes): the one pair of
        // instruments that are not observable.
        var buckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.000_001, 0.000_005, 0.000_01, 0.000_05, 0.000_1, 0.000_5, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] };
        _latency = _meter.CreateHistogram("tandem.task.scheduling_latency", "s",
            "Time from a task being ready (spawned or woken) to its poll starting, by priority (RecordTaskTimes).", advice: buckets);
        _pollDuration = _meter.CreateHistogram("tandem.task.poll_duration", "s",
            "Time one poll of a task held its worker, by priority (RecordTaskTimes).", advice: buckets);
        _meter.CreateObservableCounter("tandem.spawns.rejected", () => new Measurement<long>(_source.RejectedSpawns, _tier), "{spawn}",
            "Spawns refused because the runtime was at its task capacity.");
    }

    /// <summary>Records a task's scheduling latency — from ready to polled — in seconds (its poller's thread; only when the
    /// runtime records task times). Allocation-free: the tags are cached strings.</summary>
    internal void RecordSchedulingLatency(Priority priority, double seconds) =>
        _latency.Record(seconds, _tier, Tag("tandem.priority", s_priorities[(int)priority]));

    /// <summary>Records how long one poll held its worker, in seconds (as <see cref="RecordSchedulingLatency"/>).</summary>
    internal void RecordPollDuration(Priority priority, double seconds) =>
        _pollDuration.Record(seconds, _tier, Tag("tandem.priority", s_priorities[(int)priority]));

    private readonly Histogram<double> _latency;
    private readonly Histogram<double> _pollDuration;

    /// <summary>The meter, for tests and integrations.</summary>
    internal Meter Meter => _meter;

    /// <summary>Where an outcome is counted: 0 completed, 1 faulted, 2 aborted.</summary>
    internal static int OutcomeIndex(TaskState outcome) => outcome switch
    {
        TaskState.Completed => 0,
        TaskState.Faulted => 1,
        _ => 2,
    };

    /// <summary>Counts a fault reported as unobserved (a cold path: one atomic increment).</summary>
    internal void CountUnobserved() => Interlocked.Increment(ref _unobserved);

    private IEnumerable<Measurement<long>> Alive()
    {
        Span<long> alive = stackalloc long[Priorities.Count];
        Span<long> finished = stackalloc long[Priorities.Count * 3];
        _source.ReadTasks(alive, finished);
        var result = new Measurement<long>[Priorities.Count];
        for (int p = 0; p < Priorities.Count; p++) result[p] = new(alive[p], _tier, Tag("tandem.priority", s_priorities[p]));
        return result;
    }

    private IEnumerable<Measurement<long>> Spawned()
    {
        Span<long> alive = stackalloc long[Priorities.Count];
        Span<long> finished = stackalloc long[Priorities.Count * 3];
        _source.ReadTasks(alive, finished);
        var result = new Measurement<long>[Priorities.Count];
        for (int p = 0; p < Priorities.Count; p++)
            result[p] = new(alive[p] + finished[p * 3] + finished[p * 3 + 1] + finished[p * 3 + 2], _tier, Tag("tandem.priority", s_priorities[p]));
        return result;
    }

    private IEnumerable<Measurement<long>> Finished()
    {
        Span<long> alive = stackalloc long[Priorities.Count];
        Span<long> finished = stackalloc long[Priorities.Count * 3];
        _source.ReadTasks(alive, finished);
        var result = new Measurement<long>[Priorities.Count * 3];
        for (int p = 0; p < Priorities.Count; p++)
            for (int o = 0; o < 3; o++)
                result[p * 3 + o] = new(finished[p * 3 + o], _tier, Tag("tandem.priority", s_priorities[p]), Tag("tandem.outcome", s_outcomes[o]));
        return result;
    }

    private IEnumerable<Measurement<long>> Queues()
    {
        Span<long> local = stackalloc long[Priorities.Count];
        Span<long> global = stackalloc long[Priorities.Count];
        _source.ReadQueues(local, global);
        var result = new List<Measurement<long>>(Priorities.Count * 2);
        for (int p = 0; p < Priorities.Count; p++)
        {
            result.Add(new(local[p], _tier, Tag("tandem.priority", s_priorities[p]), Tag("tandem.queue", "local")));
            if (_source.ReadBlockingPool() is not null) result.Add(new(global[p], _tier, Tag("tandem.priority", s_priorities[p]), Tag("tandem.queue", "global")));
        }
        return result;
    }

    private IEnumerable<Measurement<int>> Blocking(Func<(int Threads, int Idle, int Queued), int> pick) =>
        _source.ReadBlockingPool() is { } pool ? [new Measurement<int>(pick(pool), _tier)] : [];

    private IEnumerable<Measurement<int>> Capacity() =>
        _source.Capacity is { } capacity ? [new Measurement<int>(capacity, _tier)] : [];

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    public void Dispose() => _meter.Dispose();
}
