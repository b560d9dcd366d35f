using System.Collections.Concurrent;
using System.Diagnostics;
using Tandem.Internal.Tasks;

namespace Tandem.Testing;

/// <summary>The schedule policy of one run: every choice from the seed's random stream, every choice recorded.</summary>
internal sealed class SeededChooser : IScheduleChooser
{
    private readonly SimulationOptions _options;
    private readonly ScheduleStrategy _strategy;
    private readonly long[] _changePoints;
    private readonly Dictionary<long, TaskMark> _tasks = [];
    private readonly List<string?> _taskNames = [];
    private readonly int _thread;
    private SeedRandom _random;
    private long _step;
    private int _changesMade;

    internal readonly List<TraceEvent> Events = [];
    internal readonly List<string> Notes = [];

    /// <summary>What came from other threads (any thread adds; the simulation's reads).</summary>
    internal readonly ConcurrentQueue<string> Escapes = new();

    internal EmbeddedScheduler? Runtime;

    /// <summary>The test body's task id: never the target of an injected abort.</summary>
    internal long RootId;

    /// <summary>Ready picks imposed on the run (a shrunk schedule): pick k is <c>_script[k]</c> when that many tasks are
    /// ready, and the front of the queue (first ready, first run) past its end. The seed still makes every other choice.</summary>
    private readonly int[]? _script;

    /// <summary>The position of every ready pick made, in order.</summary>
    internal readonly List<int> Picks = [];

    internal SeededChooser(long seed, SimulationOptions options, int[]? script = null)
    {
        _script = script;
        _options = options;
        _random = new SeedRandom(seed);
        _thread = Environment.CurrentManagedThreadId;
        _strategy = options.Strategy;
        if (_strategy == ScheduleStrategy.Mixed) _strategy = _random.Next(2) == 0 ? ScheduleStrategy.RandomWalk : ScheduleStrategy.Pct;
        int depth = 0;
        long window = 0;
        if (_strategy == ScheduleStrategy.Pct)
        {
            depth = 1 + _random.Next(options.PctDepth);
            window = 8L << _random.Next(8); // 8 to 1,024 polls: a short run gets its changes early, a long one spread out
            _changePoints = new long[depth - 1];
            for (int i = 0; i < _changePoints.Length; i++) _changePoints[i] = 1 + _random.NextInclusive(window - 1);
            Array.Sort(_changePoints);
        }
        else
        {
            _changePoints = [];
        }
        Events.Add(new TraceEvent(TraceKind.Schedule, script is null ? 0 : 1, (int)_strategy, depth, window));
    }

    internal bool ShuffleTimers => _options.ShuffleTimers;

    internal string ScheduleDescription => SimulationTrace.ScheduleName(Events[0]) + (_script is null ? "" : ", ready picks imposed by a shrunk schedule");

    internal SimulationTrace BuildTrace() => new([.. Events], [.. Notes], [.. _taskNames]);

    internal void Record(TraceKind kind, int task, int a, int b, long value, long value2 = 0) =>
        Events.Add(new TraceEvent(kind, task, a, b, value, value2));

    internal void Note(string text)
    {
        Notes.Add(text);
        Record(TraceKind.Note, 0, Notes.Count - 1, 0, 0);
    }

    /// <summary>Uniform in [0, <paramref name="max"/>) from the run's stream (the clock's timer order, the network).</summary>
    internal int Next(int max) => _random.Next(max);

    internal double NextDouble() => _random.NextDouble();

    internal long NextInclusive(long max) => _random.NextInclusive(max);

    internal void Shuffle<T>(Span<T> items) => _random.Shuffle(items);

    private sealed class TaskMark(int ordinal, double rank)
    {
        internal readonly int Ordinal = ordinal;
        internal double Rank = rank;
    }

    private TaskMark Mark(EmbeddedTask task)
    {
        if (!_tasks.TryGetValue(task.Id, out var mark))
        {
            mark = new TaskMark(_tasks.Count + 1, 1 + _random.NextDouble());
            _tasks.Add(task.Id, mark);
            _taskNames.Add(null);
        }
        if (task.Name is { } name) _taskNames[mark.Ordinal - 1] = name;
        return mark;
    }

    internal int OrdinalOf(EmbeddedTask task) => Mark(task).Ordinal;

    public int ChooseReady(ReadOnlySpan<EmbeddedTask> ready)
    {
        _step++;
        int chosen = 0;
        if (ready.Length > 1)
        {
            switch (_strategy)
            {
                case ScheduleStrategy.RandomWalk:
                    chosen = _random.Next(ready.Length);
                    break;
                case ScheduleStrategy.Pct:
                    double best = double.MinValue;
                    for (int i = 0; i < ready.Length; i++)
                    {
                        double rank = Mark(ready[i]).Rank;
                        if (rank > best) (best, chosen) = (rank, i);
                    }
                    break;
            }
        }
        if (_script is not null)
        {
            int k = Picks.Count;
            chosen = k < _script.Length && _script[k] < ready.Length ? _script[k] : 0;
        }
        Picks.Add(chosen);
        var task = ready[chosen];
        var mark = Mark(task);
        if (_changesMade < _changePoints.Length && _changePoints[_changesMade] <= _step)
        {
            // A priority change point: the task running now drops below every other, so the next pick preempts it.
            _changesMade++;
            mark.Rank = -_changesMade;
        }
        Record(TraceKind.Poll, mark.Ordinal, chosen, ready.Length, (long)task.Priority);
        if (_options.AbortProbability > 0 && task.Id != RootId && _random.NextDouble() < _options.AbortProbability)
        {
            Record(TraceKind.Abort, mark.Ordinal, 0, 0, 0);
            task.RequestAbort(Volatile.Read(ref task.Generation));
        }
        return chosen;
    }

    public void OrderTimers(Span<ClaimableWait> due, long deadline)
    {
        if (due.Length > 1 && _options.ShuffleTimers)
        {
            Span<int> order = due.Length <= 64 ? stackalloc int[due.Length] : new int[due.Length];
            for (int i = 0; i < order.Length; i++) order[i] = i;
            _random.Shuffle(order);
            var copy = due.ToArray();
            for (int i = 0; i < order.Length; i++) due[i] = copy[order[i]];
            for (int i = 0; i < order.Length; i++) Record(TraceKind.Timer, 0, order[i], order.Length, deadline);
        }
        else if (due.Length > 1)
        {
            for (int i = 0; i < due.Length; i++) Record(TraceKind.Timer, 0, i, due.Length, deadline);
        }
    }

    public void OrderWakes(Span<int> slots)
    {
        if (Environment.CurrentManagedThreadId != _thread) return; // a shutdown on another thread: no more choices
        if (slots.Length > 1 && _options.ShuffleWakes) _random.Shuffle(slots);
        if (slots.Length > 1)
            for (int i = 0; i < slots.Length; i++) Record(TraceKind.Wake, i, slots[i], slots.Length, 0);
    }

    public TimeSpan AdjustDelay(TimeSpan delay)
    {
        var current = TaskCore.Current as EmbeddedTask;
        if (_options.DelayFaultProbability > 0 && current is not null && current.Id != RootId
            && _random.NextDouble() < _options.DelayFaultProbability)
        {
            Record(TraceKind.DelayFault, Mark(current).Ordinal, 0, 0, delay.Ticks);
            current.RequestAbort(Volatile.Read(ref current.Generation));
        }
        if (_options.DelayJitter > TimeSpan.Zero && delay > TimeSpan.Zero)
        {
            long extra = _random.NextInclusive(_options.DelayJitter.Ticks);
            Record(TraceKind.Jitter, current is null ? 0 : Mark(current).Ordinal, 0, 0, delay.Ticks, extra);
            return delay + TimeSpan.FromTicks(extra);
        }
        return delay;
    }

    public void OnWakeFromOtherThread(int index)
    {
        if (Environment.CurrentManagedThreadId == _thread) return; // the simulation's thread between polls: a clock timer's callback
        string what = $"a wake for the task in slot {index} came from thread {Environment.CurrentManagedThreadId}"
            + (Thread.CurrentThread.IsThreadPoolThread ? " (a thread-pool thread)" : Thread.CurrentThread.Name is { } n ? $" ('{n}')" : "");
        if (Runtime is { } rt && rt.TryGetTaskAt(index, out long id))
        {
            try
            {
                if (rt.GetTaskSnapshot().FirstOrDefault(t => t.Id == id) is { } info)
                    what += $": it waits in {info.Method ?? "?"} on {info.WaitingOn ?? "?"}";
            }
            catch (ObjectDisposedException)
            {
                // The run is over.
            }
        }
        Escapes.Enqueue(what + "\n    from: " + ForeignFrames());
    }

    /// <summary>The first frames of the waking thread's stack that are not Tandem's: what completed the escaped await.</summary>
    private static string ForeignFrames()
    {
        var frames = new StackTrace(2, false).GetFrames();
        var names = new List<string>();
        foreach (var f in frames)
        {
            var m = DiagnosticMethodInfo.Create(f);
            string? type = m?.DeclaringTypeName;
            if (m is null || type is null || type.StartsWith("Tandem.", StringComparison.Ordinal)) continue;
            names.Add($"{type}.{m.Name}");
            if (names.Count == 4) break;
        }
        return names.Count == 0 ? "(unknown)" : string.Join(" <- ", names);
    }
}
