namespace Tandem.Model;

/// <summary>One run of a model along the decisions of a strategy: its logical threads, including those spawned during
/// the run.</summary>
internal sealed class ScheduleRun
{
    private const int MaxSteps = 10_000;
    private readonly List<LogicalThread> _threads = [];

    /// <summary>Adds a logical thread (at the start, or spawned by a running one).</summary>
    public void Add(Action body)
    {
        var thread = new LogicalThread(_threads.Count, body, this);
        _threads.Add(thread);
        thread.Start();
    }

    /// <summary>Runs the model made by <paramref name="setup"/> once; returns its decisions and any failure.</summary>
    public static List<Decision> Execute(Func<(Action[] Threads, Action Check)> setup, IStrategy strategy, out Exception? failure)
    {
        var (bodies, check) = setup();
        var run = new ScheduleRun();
        foreach (var body in bodies) run.Add(body);
        var points = run.Drive(strategy, out failure);
        if (failure is not null) return points;
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

    private List<Decision> Drive(IStrategy strategy, out Exception? failure)
    {
        var points = new List<Decision>();
        int previous = -1, preemptions = 0;
        failure = null;
        bool trace = Environment.GetEnvironmentVariable("MODEL_TRACE") == "1";
        while (true)
        {
            var runnable = _threads.Where(t => !t.Finished && (t.BlockedUntil is null || t.BlockedUntil())).ToList();
            if (runnable.Count == 0) break; // all done, or all asleep: the end state the check judges
            if (points.Count > MaxSteps)
            {
                failure = new InvalidOperationException($"No end after {MaxSteps} steps: a livelock, or a spin without Atomic.SpinOnce.");
                break;
            }
            // A thread that yielded in a spin waits until another one has run.
            var options = runnable.Where(t => !t.Yielded).Select(t => t.Id).ToList();
            if (options.Count == 0) options = runnable.Select(t => t.Id).ToList();
            int chosen = strategy.Choose(points.Count, options, previous);
            var point = new Decision(options, chosen, previous, preemptions);
            if (point.IsPreemption(chosen)) preemptions++;
            points.Add(point);
            if (trace) Console.Error.WriteLine($"step {points.Count}: thread {chosen} of [{string.Join(",", options)}] yielded [{string.Join(",", _threads.Where(t => t.Yielded).Select(t => t.Id))}]");
            _threads[chosen].RunUntilNextPoint();
            // A spinner may look again once another thread has made progress: a step that did not end in a spin of its
            // own. (Two spinners must not free each other in turn while the thread they wait for never runs.)
            if (!_threads[chosen].Yielded)
                foreach (var other in _threads)
                    if (other.Id != chosen) other.Yielded = false;
            if (_threads[chosen].Error is { } error)
            {
                failure = error;
                break;
            }
            previous = chosen;
        }
        foreach (var t in _threads) t.Abandon(); // a blocked (or, after a failure, any) thread is let go
        return points;
    }
}
