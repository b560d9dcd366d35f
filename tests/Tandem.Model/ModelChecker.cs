namespace Tandem.Model;

/// <summary>
/// A stateless model checker for the lock-free structures (after CHESS and Tokio's loom): it runs a model's logical
/// threads as real threads of which exactly one runs at a time, switching only at scheduling points — every atomic
/// operation of the structure under test (<see cref="Atomic"/> in the model build) — and explores every schedule whose
/// number of preemptions (switching away from a thread that could go on) is within a bound
/// (<see cref="Explore"/>), or random schedules after PCT (<see cref="ExploreRandom"/>) for set-ups too large to
/// explore whole. A failure throws with the schedule, and <see cref="Replay"/> runs that schedule again exactly.
/// </summary>
/// <remarks>Schedules interleave operations; they do not reorder one thread's memory accesses: the checker explores
/// sequentially consistent executions, so a missing fence between two operations of one thread is not found.</remarks>
public static class ModelChecker
{
    static ModelChecker()
    {
        // The structures' Debug.Assert invariants are properties the models check too: a failed one throws (and so
        // fails the schedule, which is printed) instead of ending the test process.
        System.Diagnostics.Trace.Listeners.Clear();
        System.Diagnostics.Trace.Listeners.Add(new ThrowingListener());
    }

    private sealed class ThrowingListener : System.Diagnostics.TraceListener
    {
        public override void Fail(string? message, string? detailMessage) =>
            throw new InvalidOperationException($"Debug.Assert failed: {message} {detailMessage}".TrimEnd());

        public override void Write(string? message) { }

        public override void WriteLine(string? message) { }
    }

    /// <summary>Called by <see cref="Atomic"/> before each operation: hands control back to the explorer.</summary>
    public static void SchedulingPoint() => LogicalThread.Current?.Pause(yielded: false);

    /// <summary>Called by a spin-wait turn (<see cref="Atomic.SpinOnce"/>): this thread cannot progress until another runs,
    /// so the explorer runs another one first (a spinning thread would otherwise spin through the whole schedule).</summary>
    public static void Yield() => LogicalThread.Current?.Pause(yielded: true);

    /// <summary>
    /// Blocks the calling logical thread until <paramref name="ready"/> holds (a parked worker waiting for its permit):
    /// the explorer does not choose it meanwhile. When every unfinished thread is blocked, the schedule ends there — as a
    /// real program would sleep — and the model's check judges that state (a blocked thread is never resumed).
    /// </summary>
    public static void Block(Func<bool> ready)
    {
        var thread = LogicalThread.Current ?? throw new InvalidOperationException("Block is for a model's logical threads.");
        thread.BlockedUntil = ready;
        thread.Pause(yielded: false);
        thread.BlockedUntil = null;
    }

    /// <summary>Starts another logical thread from a running one (a pool starting a thread): it takes part in the
    /// schedule from the next decision on.</summary>
    public static void Spawn(Action body)
    {
        var current = LogicalThread.Current ?? throw new InvalidOperationException("Spawn is for a model's logical threads.");
        current.Run.Add(body);
    }

    /// <summary>What an exploration did.</summary>
    public sealed record Report(int Schedules, TimeSpan Elapsed);

    /// <summary>
    /// Explores the schedules of the model made by <paramref name="setup"/>: it returns the logical threads' bodies and
    /// a check run after every schedule. Throws <see cref="ModelFailure"/> with the failing schedule.
    /// </summary>
    public static Report Explore(Func<(Action[] Threads, Action Check)> setup, int preemptionBound = 2, int maxSchedules = 200_000)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var stack = new List<(Decision Point, HashSet<int> Tried)>(); // the search: each decision, and the options tried there
        var prefix = new List<int>();
        int schedules = 0;
        while (true)
        {
            var points = ScheduleRun.Execute(setup, new Replaying(prefix), out var failure);
            schedules++;
            if (failure is not null) throw new ModelFailure(failure, points.Select(p => p.Chosen).ToList(), schedules);
            if (schedules >= maxSchedules) throw new InvalidOperationException($"More than {maxSchedules} schedules: lower the bound or the model's size.");
            // The decisions past the prefix are new: each has tried only the option it took.
            for (int d = stack.Count; d < points.Count; d++) stack.Add((points[d], [points[d].Chosen]));
            // Backtrack: the deepest decision with an untried option within the preemption bound.
            prefix = null!;
            while (stack.Count > 0)
            {
                var (point, tried) = stack[^1];
                int option = point.Options.FirstOrDefault(o => !tried.Contains(o)
                    && point.Preemptions + (point.IsPreemption(o) ? 1 : 0) <= preemptionBound, -1);
                if (option >= 0)
                {
                    tried.Add(option);
                    stack[^1] = (point with { Chosen = option }, tried);
                    prefix = stack.Select(n => n.Point.Chosen).ToList();
                    break;
                }
                stack.RemoveAt(stack.Count - 1);
            }
            if (prefix is null) return new Report(schedules, watch.Elapsed);
            // Decisions after the one changed are re-made by the next run.
        }
    }

    /// <summary>
    /// Runs <paramref name="schedules"/> random schedules of the model after PCT (Burckhardt et al., "A randomized
    /// scheduler with probabilistic guarantees of finding bugs"): each thread gets a random priority, the highest-priority
    /// thread that can run always runs, and at <paramref name="depth"/> − 1 random steps the running thread drops below
    /// all others. A bug that needs d ordering constraints is found by one schedule with probability at least
    /// 1/(n·k^(d−1)) for n threads and k steps. The same seed gives the same schedules.
    /// </summary>
    public static Report ExploreRandom(Func<(Action[] Threads, Action Check)> setup, int schedules, int depth = 3, int seed = 1)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var random = new Random(seed);
        // A first run in the default order measures the schedule's length, from which the change points are drawn.
        int steps = Math.Max(1, ScheduleRun.Execute(setup, new Replaying([]), out _).Count);
        for (int i = 0; i < schedules; i++)
        {
            var strategy = new Pct(random, depth, steps);
            var points = ScheduleRun.Execute(setup, strategy, out var failure);
            steps = Math.Max(steps, points.Count);
            if (failure is not null)
                throw new ModelFailure(failure, points.Select(p => p.Chosen).ToList(), i + 1, $"random schedule {i + 1} of seed {seed}");
        }
        return new Report(schedules, watch.Elapsed);
    }

    /// <summary>Runs the model once along <paramref name="schedule"/> (the thread chosen at each decision), as printed by a failure.</summary>
    public static void Replay(Func<(Action[] Threads, Action Check)> setup, IReadOnlyList<int> schedule)
    {
        ScheduleRun.Execute(setup, new Replaying(schedule), out var failure);
        if (failure is not null) throw new ModelFailure(failure, [.. schedule], 1);
    }

    /// <summary>Follows a given prefix of decisions, then the default: go on with the same thread (no preemption), else
    /// the lowest-numbered one.</summary>
    private sealed class Replaying(IReadOnlyList<int> prefix) : IStrategy
    {
        public int Choose(int step, List<int> options, int previous)
        {
            int chosen = step < prefix.Count ? prefix[step] : options.Contains(previous) ? previous : options[0];
            return options.Contains(chosen) ? chosen : options[0]; // a replayed schedule of a changed model
        }
    }

    /// <summary>PCT: random thread priorities, lowered at random change points.</summary>
    private sealed class Pct(Random random, int depth, int steps) : IStrategy
    {
        private readonly Dictionary<int, int> _priority = [];
        private readonly int[] _changePoints = [.. Enumerable.Range(0, depth - 1).Select(_ => random.Next(steps))];

        public int Choose(int step, List<int> options, int previous)
        {
            foreach (int id in options)
                if (!_priority.ContainsKey(id)) _priority[id] = depth + random.Next(1_000_000); // above every lowered one
            int index = Array.IndexOf(_changePoints, step);
            if (index >= 0 && previous >= 0) _priority[previous] = index; // the running thread drops below all others
            return options.MaxBy(id => _priority[id]);
        }
    }
}

/// <summary>How a run picks the thread to run at each decision.</summary>
internal interface IStrategy
{
    /// <summary>Picks one of <paramref name="options"/> at decision <paramref name="step"/>; <paramref name="previous"/>
    /// ran last (−1 at the start).</summary>
    int Choose(int step, List<int> options, int previous);
}

/// <summary>One decision of a run: the threads that could run, the one chosen, the one that ran before, and the
/// preemptions so far.</summary>
internal sealed record Decision(List<int> Options, int Chosen, int Previous, int Preemptions)
{
    /// <summary>True when choosing <paramref name="option"/> switches away from a thread that could go on.</summary>
    public bool IsPreemption(int option) => Previous >= 0 && option != Previous && Options.Contains(Previous);
}

/// <summary>A model's check failed, or a thread threw, on <see cref="Schedule"/>.</summary>
public sealed class ModelFailure(Exception cause, List<int> schedule, int schedulesExplored, string? how = null)
    : Exception($"The model failed after {schedulesExplored} schedules{(how is null ? "" : $" ({how})")}, on the schedule [{string.Join(", ", schedule)}] (replay it with ModelChecker.Replay): {cause.Message}", cause)
{
    /// <summary>The thread chosen at each decision of the failing run.</summary>
    public IReadOnlyList<int> Schedule { get; } = schedule;
}
