namespace Tandem.Model;

/// <summary>
/// A stateless model checker for the lock-free structures (after CHESS and Tokio's loom): it runs a model's logical
/// threads as real threads of which exactly one runs at a time, switching only at scheduling points — every atomic
/// operation of the structure under test (<see cref="Atomic"/> in the model build) — and explores every schedule whose
/// number of preemptions (switching away from a thread that could go on) is within a bound. A failure throws with the
/// schedule, and <see cref="Replay"/> runs that schedule again exactly.
/// </summary>
public static class ModelChecker
{
    [ThreadStatic] private static LogicalThread? t_current;

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
    public static void SchedulingPoint() => t_current?.Pause(yielded: false);

    /// <summary>Called by a spin-wait turn (<see cref="Atomic.SpinOnce"/>): this thread cannot progress until another runs,
    /// so the explorer runs another one first (a spinning thread would otherwise spin through the whole schedule).</summary>
    public static void Yield() => t_current?.Pause(yielded: true);

    /// <summary>
    /// Blocks the calling logical thread until <paramref name="ready"/> holds (a parked worker waiting for its permit):
    /// the explorer does not choose it meanwhile. When every unfinished thread is blocked, the schedule ends there — as a
    /// real program would sleep — and the model's check judges that state (a blocked thread is never resumed).
    /// </summary>
    public static void Block(Func<bool> ready)
    {
        var thread = t_current ?? throw new InvalidOperationException("Block is for a model's logical threads.");
        thread.BlockedUntil = ready;
        thread.Pause(yielded: false);
        thread.BlockedUntil = null;
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
            var points = Run(setup, prefix, out var failure);
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
                    && point.Preemptions + (IsPreemption(point, o) ? 1 : 0) <= preemptionBound, -1);
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

    /// <summary>Runs the model once along <paramref name="schedule"/> (the thread chosen at each decision), as printed by a failure.</summary>
    public static void Replay(Func<(Action[] Threads, Action Check)> setup, IReadOnlyList<int> schedule)
    {
        Run(setup, schedule, out var failure);
        if (failure is not null) throw new ModelFailure(failure, [.. schedule], 1);
    }

    private const int MaxSteps = 10_000;

    private sealed record Decision(List<int> Options, int Chosen, int Previous, int Preemptions);

    private static bool IsPreemption(Decision point, int option) => point.Previous >= 0 && option != point.Previous && point.Options.Contains(point.Previous);

    private static List<Decision> Run(Func<(Action[] Threads, Action Check)> setup, IReadOnlyList<int> prefix, out Exception? failure)
    {
        var (bodies, check) = setup();
        var threads = bodies.Select((body, i) => new LogicalThread(i, body)).ToArray();
        foreach (var thread in threads) thread.Start();
        var points = new List<Decision>();
        int previous = -1, preemptions = 0;
        failure = null;
        while (true)
        {
            var runnable = threads.Where(t => !t.Finished && (t.BlockedUntil is null || t.BlockedUntil())).ToList();
            if (runnable.Count == 0)
            {
                foreach (var t in threads) t.Abandon(); // all asleep (or done): the end state the check judges
                break;
            }
            if (points.Count > MaxSteps)
            {
                failure = new InvalidOperationException($"No end after {MaxSteps} steps: a livelock, or a spin without Atomic.SpinOnce.");
                foreach (var t in threads) t.Abandon();
                return points;
            }
            // A thread that yielded in a spin waits until another one has run.
            var options = runnable.Where(t => !t.Yielded).Select(t => t.Id).ToList();
            if (options.Count == 0) options = runnable.Select(t => t.Id).ToList();
            // Along the prefix first; then the default: go on with the same thread (no preemption), else the lowest.
            int chosen = points.Count < prefix.Count ? prefix[points.Count]
                : options.Contains(previous) ? previous : options[0];
            if (!options.Contains(chosen)) chosen = options[0]; // a replayed schedule of a changed model
            var point = new Decision(options, chosen, previous, preemptions);
            if (IsPreemption(point, chosen)) preemptions++;
            points.Add(point);
            if (Environment.GetEnvironmentVariable("MODEL_TRACE") == "1") Console.Error.WriteLine($"step {points.Count}: thread {chosen} of [{string.Join(",", options)}] yielded [{string.Join(",", threads.Where(t => t.Yielded).Select(t => t.Id))}]");
            threads[chosen].RunUntilNextPoint();
            foreach (var other in threads)
                if (other.Id != chosen) other.Yielded = false; // someone else ran: a spinner may look again
            if (threads[chosen].Error is { } error)
            {
                failure = error;
                foreach (var t in threads) t.Abandon();
                return points;
            }
            previous = chosen;
        }
        try
        {
            check();
        }
        catch (Exception e)
        {
            failure = e;
        }
        return points;
    }

    /// <summary>A logical thread: a real thread that runs only between two scheduling points, when the explorer says.</summary>
    private sealed class LogicalThread(int id, Action body)
    {
        private readonly SemaphoreSlim _go = new(0);
        private readonly SemaphoreSlim _paused = new(0);
        private Thread? _thread;
        private volatile bool _abandoned;

        public int Id { get; } = id;

        public bool Finished { get; private set; }

        /// <summary>Set while blocked (<see cref="Block"/>): chosen only once this holds.</summary>
        public Func<bool>? BlockedUntil { get; set; }

        /// <summary>Paused in a spin: not chosen again until another thread has run.</summary>
        public bool Yielded { get; set; }

        public Exception? Error { get; private set; }

        public void Start()
        {
            _thread = new Thread(() =>
            {
                t_current = this;
                _go.Wait(); // the first step starts when chosen
                if (!_abandoned)
                {
                    try { body(); }
                    catch (OperationCanceledException) when (_abandoned) { }
                    catch (Exception e) { Error = e; }
                }
                Finished = true;
                t_current = null;
                _paused.Release();
            }) { IsBackground = true, Name = $"model thread {Id}" };
            _thread.Start();
        }

        /// <summary>Lets the thread run to its next scheduling point (or its end), and waits for it there.</summary>
        public void RunUntilNextPoint()
        {
            _go.Release();
            if (!_paused.Wait(TimeSpan.FromSeconds(10)))
                throw new TimeoutException($"Model thread {Id} did not reach a scheduling point in 10 s (a wait outside the model?).");
        }

        /// <summary>Called on the thread itself at a scheduling point.</summary>
        public void Pause(bool yielded)
        {
            Yielded = yielded;
            _paused.Release();
            _go.Wait();
            if (_abandoned) throw new OperationCanceledException("schedule abandoned");
        }

        public void Abandon()
        {
            if (Finished) return;
            _abandoned = true;
            _go.Release();
            _paused.Wait(TimeSpan.FromSeconds(10));
        }
    }
}

/// <summary>A model's check failed, or a thread threw, on <see cref="Schedule"/>.</summary>
public sealed class ModelFailure(Exception cause, List<int> schedule, int schedulesExplored)
    : Exception($"The model failed after {schedulesExplored} schedules, on the schedule [{string.Join(", ", schedule)}] (replay it with ModelChecker.Replay): {cause.Message}", cause)
{
    /// <summary>The thread chosen at each decision of the failing run.</summary>
    public IReadOnlyList<int> Schedule { get; } = schedule;
}
