namespace Tandem.Model;

/// <summary>
/// A logical thread of a model: runs only between two scheduling points, when the explorer says. It runs on a carrier
/// thread taken from a pool (a schedule starts several threads, and an exploration runs thousands of schedules: starting
/// an operating-system thread for each was most of the checker's time). So a logical thread may find thread-static state
/// that an earlier one left on its carrier: a model whose code keeps some clears it as its threads start.
/// </summary>
internal sealed class LogicalThread(int id, Action body, ScheduleRun run)
{
    [ThreadStatic] private static LogicalThread? t_current;

    private readonly SemaphoreSlim _go = new(0);
    private readonly SemaphoreSlim _paused = new(0);
    private volatile bool _abandoned;

    /// <summary>The logical thread running on this thread, if any.</summary>
    public static LogicalThread? Current => t_current;

    /// <summary>MODEL_TRACE=2: each pause prints where the thread is.</summary>
    private static readonly bool TraceStacks = Environment.GetEnvironmentVariable("MODEL_TRACE") == "2";

    public int Id { get; } = id;

    /// <summary>The run this thread belongs to (for <see cref="ModelChecker.Spawn"/>).</summary>
    public ScheduleRun Run { get; } = run;

    public bool Finished { get; private set; }

    /// <summary>Paused in a spin: not chosen again until another thread has run.</summary>
    public bool Yielded { get; set; }

    /// <summary>Set while blocked (<see cref="ModelChecker.Block"/>): chosen only once this holds.</summary>
    public Func<bool>? BlockedUntil { get; set; }

    public Exception? Error { get; private set; }

    public void Start() => Carrier.Take().Assign(Body);

    private void Body()
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
        // An abandoned thread unwinding (through finally blocks that reach scheduling points) runs to its end unpaused.
        if (_abandoned) throw new OperationCanceledException("schedule abandoned");
        if (TraceStacks) File.AppendAllText("/tmp/model-trace.txt", Environment.NewLine + $"thread {Id} at: {new System.Diagnostics.StackTrace(2, false).ToString().Split('\n').Take(4).Aggregate((a, b) => a.Trim() + " < " + b.Trim())}");
        Yielded = yielded;
        _paused.Release();
        _go.Wait();
        if (_abandoned) throw new OperationCanceledException("schedule abandoned");
    }

    /// <summary>Ends the thread where it is paused (the schedule is over): it unwinds and its carrier goes back to the pool.</summary>
    public void Abandon()
    {
        if (Finished) return;
        _abandoned = true;
        _go.Release();
        _paused.Wait(TimeSpan.FromSeconds(10));
    }

    /// <summary>An operating-system thread that runs one logical thread after another.</summary>
    private sealed class Carrier
    {
        private static readonly Stack<Carrier> s_idle = new();
        private readonly SemaphoreSlim _assigned = new(0);
        private Action? _work;

        private Carrier()
        {
            new Thread(Loop) { IsBackground = true, Name = "model thread" }.Start();
        }

        public static Carrier Take()
        {
            lock (s_idle) return s_idle.Count > 0 ? s_idle.Pop() : new Carrier();
        }

        public void Assign(Action work)
        {
            _work = work;
            _assigned.Release();
        }

        private void Loop()
        {
            while (true)
            {
                _assigned.Wait();
                var work = _work!;
                _work = null;
                work();
                lock (s_idle) s_idle.Push(this);
            }
        }
    }
}
