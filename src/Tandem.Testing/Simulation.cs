using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Text;

namespace Tandem.Testing;

/// <summary>
/// Deterministic simulation testing: runs a test body on an embedded-tier runtime under a seeded scheduler and a
/// virtual clock. <see cref="Run"/> runs one seed, <see cref="Explore(int, Func{Simulation, TandemTask}, SimulationOptions?)"/>
/// many, and <see cref="Replay(long, Func{Simulation, TandemTask}, SimulationOptions?)"/> runs a failing seed again, decision for decision. An instance is what the body is
/// given: the simulated <see cref="Runtime"/>, its <see cref="Clock"/>, a seeded <see cref="Random"/> and the
/// simulated <see cref="Network"/>.
/// </summary>
/// <remarks>
/// <para>The seed decides the order among ready tasks of the same priority (a random walk or a PCT schedule, see
/// <see cref="ScheduleStrategy"/>), the order of timers due at the same instant and of wakes delivered together, and —
/// when <see cref="SimulationOptions"/> turn them on — jitter on delays and injected aborts. Priorities stay strict.
/// Every decision goes into the run's <see cref="SimulationTrace"/>.</para>
/// <para>Time is virtual: it stands still while anything can run and jumps to the next timer when nothing can, so a
/// run that sleeps for hours takes microseconds. The body must stay inside the simulation: a real socket, a
/// <c>Task.Delay</c> without <see cref="Clock"/> or work on the thread pool fails the run with a
/// <see cref="SimulationEscapeException"/> naming what escaped.</para>
/// <para>A run happens on a thread of its own; all of a run's tasks are polled there, one at a time.</para>
/// </remarks>
public sealed class Simulation
{
    [ThreadStatic] private static Simulation? t_current;

    private readonly SeededChooser _chooser;
    private SimulatedNetwork? _network;

    private Simulation(long seed, EmbeddedScheduler runtime, SimulationClock clock, SeededChooser chooser, SimulationOptions options)
    {
        Seed = seed;
        Runtime = runtime;
        Clock = clock;
        _chooser = chooser;
        Options = options;
        Random = new Random(unchecked((int)(new SeedRandom(seed ^ 0x2545F4914F6CDD1DL).NextUInt64() >> 33)));
    }

    /// <summary>The simulation running on this thread (inside a test body and the code it calls), or null.</summary>
    public static Simulation? Current => t_current;

    /// <summary>This run's seed.</summary>
    public long Seed { get; }

    /// <summary>The simulated runtime (the embedded tier): spawn the tasks of the test on it.</summary>
    public Runtime Runtime { get; }

    /// <summary>Virtual time, as a <see cref="TimeProvider"/>: the runtime's clock, and the one to give to code written
    /// against <see cref="TimeProvider"/>.</summary>
    public SimulationClock Clock { get; }

    /// <summary>Random numbers for the body's own choices, the same for the same seed.</summary>
    public Random Random { get; }

    /// <summary>The options of the run.</summary>
    public SimulationOptions Options { get; }

    /// <summary>In-memory connections with seeded latency, reordering across connections and dropped connections.</summary>
    public SimulatedNetwork Network => _network ??= new SimulatedNetwork(this);

    /// <summary>How much virtual time has passed.</summary>
    public TimeSpan Elapsed => Clock.Elapsed;

    /// <summary>Writes a note into the trace.</summary>
    /// <param name="text">The note.</param>
    public void Log(string text) => _chooser.Note(text ?? "");

    internal SeededChooser Chooser => _chooser;

    /// <summary>Runs <paramref name="body"/> once under <paramref name="seed"/>.</summary>
    /// <param name="seed">Decides every choice of the run.</param>
    /// <param name="body">The test: an async method run as a Tandem task at <see cref="Priority.Normal"/>.</param>
    /// <param name="options">The options; default: <see cref="SimulationOptions"/>' defaults.</param>
    /// <returns>The run's trace and figures.</returns>
    /// <exception cref="SimulationFailedException">The body threw, escaped the simulation, deadlocked or went past a
    /// limit; the exception names the seed and how to replay it.</exception>
    public static SimulationResult Run(long seed, Func<Simulation, TandemTask> body, SimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        options ??= new SimulationOptions();
        options.Validate();
        var outcome = OnOwnThread(watch => RunOne(seed, body, options, watch), options, seed);
        if (outcome.Failure is { } failure)
            throw new SimulationFailedException(seed, outcome.Trace, outcome.Schedule, 1, null, null, failure);
        return outcome.ToResult();
    }

    /// <summary>Runs a seed again — usually one that failed — with the same body and options: it makes the same
    /// decisions in the same order, so the trace is the same, event for event, in this process or any other.</summary>
    /// <param name="seed">The seed to replay (<see cref="SimulationFailedException.Seed"/>).</param>
    /// <param name="body">The same test body.</param>
    /// <param name="options">The same options.</param>
    /// <returns>The run's trace and figures, when it passes (once the bug is fixed).</returns>
    /// <exception cref="SimulationFailedException">It failed again (the same way, for a deterministic body).</exception>
    public static SimulationResult Replay(long seed, Func<Simulation, TandemTask> body, SimulationOptions? options = null) =>
        Run(seed, body, options);

    /// <summary>Runs <paramref name="body"/> under seeds 0 to <paramref name="seeds"/> − 1 until one fails.</summary>
    /// <param name="seeds">How many seeds; 1 or more.</param>
    /// <param name="body">The test.</param>
    /// <param name="options">The options.</param>
    /// <returns>What ran, when every seed passed.</returns>
    /// <exception cref="SimulationFailedException">A seed failed: the first one (or, with
    /// <see cref="SimulationOptions.ShrinkSeeds"/>, the one of the shortest trace among the failing ones tried).</exception>
    public static ExploreResult Explore(int seeds, Func<Simulation, TandemTask> body, SimulationOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seeds, 1);
        return Explore(Seeds(0, seeds), body, options);
    }

    /// <summary>Runs <paramref name="body"/> under each of <paramref name="seeds"/> in turn until one fails.</summary>
    /// <param name="seeds">The seeds (a range: <c>Enumerable.Range(1000, 500).Select(i => (long)i)</c>).</param>
    /// <param name="body">The test.</param>
    /// <param name="options">The options.</param>
    /// <returns>What ran, when every seed passed.</returns>
    /// <exception cref="SimulationFailedException">A seed failed.</exception>
    public static ExploreResult Explore(IEnumerable<long> seeds, Func<Simulation, TandemTask> body, SimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(body);
        options ??= new SimulationOptions();
        options.Validate();
        var clock = Stopwatch.StartNew();
        var (outcome, count, polls, first, shrunk) = OnOwnThread(watch =>
        {
            int n = 0;
            long total = 0;
            Outcome? failed = null, firstFailed = null;
            int extra = 0;
            foreach (long seed in seeds)
            {
                if (firstFailed is not null && extra++ >= options.ShrinkSeeds) break;
                var o = RunOne(seed, body, options, watch);
                if (firstFailed is null) n++;
                total += o.Trace.Polls;
                if (o.Failure is null) continue;
                firstFailed ??= o;
                if (failed is null || o.Trace.Count < failed.Trace.Count) failed = o;
                if (options.ShrinkSeeds == 0) break;
            }
            Outcome? shrunk = failed is null || options.ShrinkRuns == 0 ? null : Shrink(failed, body, options, watch);
            return (failed, n, total, firstFailed, shrunk);
        }, options, null);
        if (outcome is { Failure: { } failure })
        {
            throw new SimulationFailedException(outcome.Seed, outcome.Trace, outcome.Schedule, count, first!.Seed, first.Trace.Polls, failure)
            {
                ShrunkSchedule = shrunk is null ? null : ScheduleText(shrunk.Seed, shrunk.Picks),
                ShrunkTrace = shrunk?.Trace,
            };
        }
        return new ExploreResult(count, clock.Elapsed, polls);
    }

    /// <summary>Runs a shrunk schedule again (<see cref="SimulationFailedException.ShrunkSchedule"/>, such as
    /// <c>"13:7=1,9=2"</c>: seed 13, with the 8th ready pick taking the second ready task and the 10th the third, every
    /// other pick the first) — the same decisions, the same trace.</summary>
    /// <param name="schedule">The schedule, as the failure printed it.</param>
    /// <param name="body">The same test body.</param>
    /// <param name="options">The same options.</param>
    /// <returns>The run's trace and figures, when it passes.</returns>
    /// <exception cref="FormatException"><paramref name="schedule"/> is not a schedule.</exception>
    /// <exception cref="SimulationFailedException">It failed again.</exception>
    public static SimulationResult Replay(string schedule, Func<Simulation, TandemTask> body, SimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(body);
        options ??= new SimulationOptions();
        options.Validate();
        var (seed, script) = ParseSchedule(schedule);
        var outcome = OnOwnThread(watch => RunOne(seed, body, options, watch, script), options, seed);
        if (outcome.Failure is { } failure)
            throw new SimulationFailedException(seed, outcome.Trace, outcome.Schedule, 1, null, null, failure);
        return outcome.ToResult();
    }

    /// <summary>Undoes the failing run's deviations from first ready, first run one at a time, from the last, keeping
    /// each undone while the run still fails with the same exception type; spends at most <see cref="SimulationOptions.ShrinkRuns"/> runs.</summary>
    private static Outcome? Shrink(Outcome failed, Func<Simulation, TandemTask> body, SimulationOptions options, Watch watch)
    {
        var best = failed;
        var kind = failed.Failure!.GetType();
        int runs = 0;
        bool progress = true;
        while (progress && runs < options.ShrinkRuns)
        {
            progress = false;
            for (int i = best.Picks.Length - 1; i >= 0 && runs < options.ShrinkRuns; i--)
            {
                if (best.Picks[i] == 0) continue;
                int[] candidate = [.. best.Picks];
                candidate[i] = 0;
                var o = RunOne(failed.Seed, body, options, watch, candidate);
                runs++;
                if (o.Failure?.GetType() != kind) continue;
                best = o;
                progress = true;
                break;
            }
        }
        if (ReferenceEquals(best, failed))
        {
            // Nothing undone: the seed's own picks, imposed, are the schedule (the same run).
            best = RunOne(failed.Seed, body, options, watch, failed.Picks);
            if (best.Failure?.GetType() != kind) return null;
        }
        return best;
    }

    internal static string ScheduleText(long seed, int[] picks)
    {
        var deviations = picks.Select((p, i) => (p, i)).Where(x => x.p != 0).Select(x => $"{x.i}={x.p}");
        return $"{seed.ToString(System.Globalization.CultureInfo.InvariantCulture)}:{string.Join(",", deviations)}";
    }

    private static (long Seed, int[] Script) ParseSchedule(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !long.TryParse(text.AsSpan(0, colon), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long seed))
            throw new FormatException($"'{text}' is not a schedule (seed:pick=position,…).");
        var pairs = new List<(int Index, int Position)>();
        foreach (string part in text[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0 || !int.TryParse(part.AsSpan(0, eq), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index)
                || !int.TryParse(part.AsSpan(eq + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int position))
                throw new FormatException($"'{part}' in '{text}' is not pick=position.");
            pairs.Add((index, position));
        }
        int[] script = new int[pairs.Count == 0 ? 0 : pairs.Max(p => p.Index) + 1];
        foreach (var (index, position) in pairs) script[index] = position;
        return (seed, script);
    }

    private static IEnumerable<long> Seeds(long first, int count)
    {
        for (int i = 0; i < count; i++) yield return first + i;
    }

    /// <summary>A run's end: its trace, and what failed, if anything.</summary>
    private sealed record Outcome(long Seed, SimulationTrace Trace, string Schedule, TimeSpan VirtualTime, Exception? Failure, int[] Picks)
    {
        internal SimulationResult ToResult() => new(Seed, Trace, Schedule, VirtualTime);
    }

    /// <summary>Which seed the simulation thread runs, since when (real time): the caller's hang detector reads it.</summary>
    private sealed class Watch
    {
        internal long Seed;
        internal long StartedAt;

        internal void Start(long seed)
        {
            Volatile.Write(ref Seed, seed);
            Volatile.Write(ref StartedAt, Stopwatch.GetTimestamp());
        }
    }

    private static T OnOwnThread<T>(Func<Watch, T> work, SimulationOptions options, long? seed)
    {
        var watch = new Watch();
        watch.Start(seed ?? 0);
        T result = default!;
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try { result = work(watch); }
            catch (Exception e) { error = ExceptionDispatchInfo.Capture(e); }
        }, maxStackSize: 16 * 1024 * 1024) { IsBackground = true, Name = "Tandem.Testing simulation" };
        thread.Start();
        while (!thread.Join(20))
        {
            var running = Stopwatch.GetElapsedTime(Volatile.Read(ref watch.StartedAt));
            if (running > options.RealTimeLimit)
            {
                long s = Volatile.Read(ref watch.Seed);
                throw new SimulationFailedException(s, new SimulationTrace([], [], []), "(abandoned)", 1, null, null,
                    new SimulationLimitException($"The run of seed {s} took more than {options.RealTimeLimit} of real time: a poll that blocks its thread (a lock, .Result, Thread.Sleep) or loops without awaiting. Its thread was abandoned."));
            }
        }
        error?.Throw();
        return result;
    }

    private static Outcome RunOne(long seed, Func<Simulation, TandemTask> body, SimulationOptions options, Watch watch, int[]? script = null)
    {
        watch.Start(seed);
        var chooser = new SeededChooser(seed, options, script);
        var clock = new SimulationClock(options.Epoch);
        var runtime = new EmbeddedScheduler(new EmbeddedOptions { MaxTasks = options.MaxTasks, Clock = clock });
        chooser.Runtime = runtime;
        runtime.SetChooser(chooser);
        var sim = new Simulation(seed, runtime, clock, chooser, options);
        Exception? unobserved = null;
        runtime.UnobservedTaskException += (_, e) => unobserved ??= e.Exception;
        Exception? failure = null;
        var previous = t_current;
        t_current = sim;
        try
        {
            var handle = runtime.Spawn(Priority.Normal, () => body(sim));
            chooser.RootId = handle.Id;
            failure = Drive(sim, runtime, clock, chooser, handle, options);
            if (failure is null)
            {
                try { runtime.BlockOn(handle); }
                catch (Exception e) { failure = e; }
            }
        }
        catch (Exception e)
        {
            failure ??= e;
        }
        finally
        {
            try { runtime.Dispose(); }
            catch (Exception e) { failure ??= e; }
            t_current = previous;
        }
        if (failure is null && chooser.Escapes.TryPeek(out _)) failure = Escaped(chooser);
        if (failure is null && unobserved is not null && options.FailOnUnobservedExceptions)
            failure = new UnobservedTaskFaultException($"A task's exception was never observed (nobody joined the task): {unobserved.GetType().Name}: {unobserved.Message}", unobserved);
        return new Outcome(seed, chooser.BuildTrace(), chooser.ScheduleDescription, clock.Elapsed, failure, [.. chooser.Picks]);
    }

    /// <summary>Polls until the body's task finishes; when nothing can run, moves the clock to the next timer.</summary>
    /// <returns>Why the run cannot go on, or null when the body finished.</returns>
    private static Exception? Drive(Simulation sim, EmbeddedScheduler runtime, SimulationClock clock, SeededChooser chooser, JoinHandle handle, SimulationOptions options)
    {
        long polls = 0;
        while (!handle.IsFinished)
        {
            if (chooser.Escapes.TryPeek(out _)) return Escaped(chooser);
            if (runtime.PollNext())
            {
                if (++polls > options.MaxSteps)
                    return new SimulationLimitException($"The run made more than {options.MaxSteps} polls without the test body finishing (a livelock, or raise SimulationOptions.MaxSteps).");
                continue;
            }
            long next = Math.Min(runtime.NextTimerDeadline, clock.NextDue);
            if (next == long.MaxValue)
            {
                if (chooser.Escapes.TryPeek(out _)) return Escaped(chooser);
                return Stuck(sim, runtime);
            }
            if (next > options.MaxVirtualTime.Ticks)
                return new SimulationLimitException($"The run needed more than {options.MaxVirtualTime} of virtual time (the next timer is due at {TimeSpan.FromTicks(next)}).");
            if (next > clock.GetTimestamp())
            {
                clock.AdvanceTo(next);
                chooser.Record(TraceKind.Advance, 0, 0, 0, next);
            }
            FireClockTimers(clock, chooser, next);
        }
        return null;
    }

    private static void FireClockTimers(SimulationClock clock, SeededChooser chooser, long due)
    {
        var timers = clock.TakeDueAt(due);
        if (timers.Count == 0) return;
        var order = timers.ToArray();
        if (order.Length > 1 && chooser.ShuffleTimers) chooser.Shuffle(order.AsSpan());
        for (int i = 0; i < order.Length; i++)
        {
            chooser.Record(TraceKind.ClockTimer, (int)order[i].Id, i, order.Length, due);
            order[i].Fire();
        }
    }

    private static SimulationEscapeException Escaped(SeededChooser chooser)
    {
        var sb = new StringBuilder("The test awaited something outside the simulation, so the run would not be the same twice: ");
        sb.AppendJoin("; ", chooser.Escapes);
        sb.Append(". Use the simulation's own time and I/O instead: Async.Delay or sim.Clock (Task.Delay(d, sim.Clock), PeriodicTimer(p, sim.Clock)), sim.Network, and no Task.Run or thread-pool work.");
        return new SimulationEscapeException(sb.ToString());
    }

    private static readonly string[] s_foreignAwaits = ["Task", "ValueTask", "ConfiguredTaskAwaitable", "ConfiguredValueTaskAwaitable"];

    /// <summary>Nothing can run and no timer is pending, yet the body has not finished.</summary>
    private static Exception Stuck(Simulation sim, EmbeddedScheduler runtime)
    {
        var tasks = runtime.GetTaskSnapshot().Where(t => t.Activity == TaskActivity.Waiting).ToList();
        string list = string.Join("; ", tasks.Select(t => $"task {t.Id}{(t.Name is { } n ? $" '{n}'" : "")} in {t.Method ?? "?"} awaits {t.WaitingOn ?? "?"}"));
        int networkWaits = sim._network?.PendingWaits ?? 0;
        int foreignWaits = tasks.Count(t => t.WaitingOn is null || s_foreignAwaits.Contains(t.WaitingOn));
        if (networkWaits > 0)
            list += $" ({networkWaits} of these wait on the simulated network: reads no peer will answer, accepts no one connects to)";
        return foreignWaits > networkWaits
            ? new SimulationEscapeException($"The test awaited something outside the simulation: nothing in it can run and no timer is pending, yet {list}. "
                + "A Task or ValueTask that no simulated task completes is real I/O, a Task.Delay without sim.Clock, or Task.Run work (or a TaskCompletionSource nobody sets: a deadlock). "
                + "Use Async.Delay or sim.Clock, and sim.Network, inside a simulation.")
            : new SimulationDeadlockException($"Deadlock: nothing can run and no timer is pending, yet {list}.");
    }
}
