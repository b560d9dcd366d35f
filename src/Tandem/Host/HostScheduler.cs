using System.Diagnostics;
using Tandem.Embedded;

namespace Tandem.Host;

/// <summary>
/// The host tier: a multi-threaded, work-stealing scheduler with the five priority levels, for C#
/// async code on servers and desktops. Every await inside its tasks — Tandem's awaitables and any
/// other (Task, sockets, files) — resumes on its workers at the task's priority.
/// </summary>
/// <remarks>
/// <para>Each worker owns a LIFO slot and a bounded local queue per priority; a global inject queue per
/// priority takes spawns and wakes from outside the workers and the overflow of full local queues; a
/// worker with nothing to do steals half of another's queue, highest priority first, before it parks.
/// A parked worker is woken only when work arrives and nobody is searching already, and at most half
/// the workers search at once. Timers live in one hierarchical timing wheel driven by one thread;
/// blocking work runs on a separate, bounded pool.</para>
/// <para>See docs/ARCHITECTURE.md ("Host tier") for the invariants and the exact priority guarantees.</para>
/// </remarks>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public sealed partial class HostScheduler : Runtime, ITaskTimers
{
    private string DebuggerDisplay => $"HostScheduler {WorkerCount} workers, {TaskCount} tasks{(IsShutdown ? ", shut down" : "")}";

    private readonly InjectQueue[] _inject = new InjectQueue[Priorities.Count];
    private readonly LiveTasks _live = new();
    private int _blockingJobs; // queued or running SpawnBlocking jobs
    private readonly TimerDriver _timers;
    private readonly BlockingPool _blocking;
    private readonly ManualResetEventSlim _allFinished = new(false);
    private readonly TaskCompletionSource<bool> _shutdownOutcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;
    private int _shutdownStarted; // 0, then 1 once shutdown began: set by one exchange, read as IsShutdown

    /// <summary>Creates a scheduler with one worker per processor.</summary>
    public HostScheduler() : this(new HostOptions()) { }

    /// <summary>Creates a scheduler with <paramref name="workerCount"/> workers.</summary>
    /// <param name="workerCount">1 to <see cref="HostOptions.MaxWorkers"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workerCount"/> is out of range.</exception>
    public HostScheduler(int workerCount) : this(ValidatedWorkers(workerCount)) { }

    /// <summary>Creates a scheduler from <paramref name="options"/> and starts its threads.</summary>
    /// <param name="options">Worker count, blocking pool, fairness.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public HostScheduler(HostOptions options) : base(RuntimeMode.Host)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        WorkerCount = options.WorkerCount;
        GlobalQueueInterval = options.GlobalQueueInterval;
        ThreadNamePrefix = options.ThreadNamePrefix;
        RecordTaskTimes = options.RecordTaskTimes || options.StallThreshold is not null;
        if (RecordTaskTimes) Internal.Diagnostics.Watching.Begin();
        for (int i = 0; i < _inject.Length; i++) _inject[i] = new InjectQueue();
        Idle = new IdleWorkers(WorkerCount);
        Workers = new Worker[WorkerCount];
        for (int i = 0; i < WorkerCount; i++) Workers[i] = new Worker(this, i);
        _timers = new TimerDriver(ThreadNamePrefix);
        _blocking = new BlockingPool(options.MaxBlockingThreads, options.BlockingThreadKeepAlive, ThreadNamePrefix);
        Metrics = new RuntimeMetrics(this, RuntimeMode.Host, options.MeterFactory);
        foreach (var worker in Workers) worker.Thread.Start();
        StartStallMonitor(options.StallThreshold);
    }

    /// <summary>True when tasks' spawn and poll times are recorded (<see cref="HostOptions.RecordTaskTimes"/>).</summary>
    internal readonly bool RecordTaskTimes;

    private protected override bool HasShutDown => IsShutdown;

    /// <summary>The number of worker threads.</summary>
    public int WorkerCount { get; }

    /// <summary>Unfinished tasks (spawned, not yet completed, faulted or aborted).</summary>
    /// <remarks>Counts async tasks and blocking jobs (<see cref="SpawnBlocking{T}(Func{T})"/>) that have not finished.</remarks>
    public override int TaskCount => _live.Count + Volatile.Read(ref _blockingJobs);

    /// <summary>True once shutdown has begun: spawning throws <see cref="ObjectDisposedException"/>.</summary>
    public bool IsShutdown => Volatile.Read(ref _shutdownStarted) != 0;

    /// <summary>The scheduler's clock (the system clock).</summary>
    /// <remarks>On this tier <see cref="Runtime.UnobservedTaskException"/> is raised when a faulted task's
    /// handle is detached unjoined, or when the garbage collector finds its unjoined handle unreachable (then on
    /// the finalizer thread).</remarks>
    public override TimeProvider Clock => TimeProvider.System;

    internal string ThreadNamePrefix { get; }

    internal int GlobalQueueInterval { get; }

    internal Worker[] Workers { get; }

    internal IdleWorkers Idle { get; }

    internal bool IsStopping => _stopping;

    /// <summary>The threads the scheduler started (workers, timer, blocking pool) that are still alive; for tests.</summary>
    internal IEnumerable<Thread> LiveThreads =>
        Workers.Select(w => w.Thread).Append(_timers.Thread).Concat(_blocking.Threads).Where(t => t.IsAlive);

    TimeProvider ITaskTimers.Clock => TimeProvider.System;

    void ITaskTimers.AddTimer(TimeSpan delay, ClaimableWait resumption) => _timers.Add(delay, resumption);

    /// <summary>How many timer entries the scheduler holds (tests: withdrawn ones leave in bounded time).</summary>
    internal int TimerEntries => _timers.Count;

    /// <summary>Runs <paramref name="posted"/> on the thread pool if, after <see cref="HostJoinCell{T}.BlockedPollRescueDelay"/>,
    /// the poll of <paramref name="task"/> that was running when it was posted still runs (see <see cref="HostJoinCell{T}.Post"/>).</summary>
    internal void ArmBlockedPollRescue(HostTask task, int generation, int pollSequence, PostedAction posted)
    {
        _timers.Add(HostJoinCell<int>.BlockedPollRescueDelay, ClaimableWait.ForCallback(static s =>
        {
            var (task, generation, pollSequence, posted) = ((HostTask, int, int, PostedAction))s!;
            if (task.IsRunning(generation) && Volatile.Read(ref task.PollSequence) == pollSequence) posted.TryTakeForRescue();
        }, (task, generation, pollSequence, posted)));
    }

    // The host tier refuses a spawn only once it is shut down (TrySpawn throws then, so this is a last resort).
    private protected override Exception SpawnRefused() => UsedAfterShutdown();

    internal InjectQueue Inject(Priority priority) => _inject[(int)priority];

    /// <summary>The highest level below <paramref name="below"/> whose global queue holds a task, or <see cref="Priorities.Count"/>.</summary>
    internal int BestInjectLevel(int below)
    {
        for (int level = 0; level < below; level++)
            if (_inject[level].Count > 0) return level;
        return Priorities.Count;
    }

    /// <summary>True when any queue a worker could take from holds a task.</summary>
    internal bool HasWork()
    {
        if (BestInjectLevel(Priorities.Count) < Priorities.Count) return true;
        foreach (var worker in Workers)
            if (worker.HasStealableWork) return true;
        return false;
    }

    /// <summary>Wakes one parked worker for new work, unless a worker is already searching.</summary>
    internal void NotifyOne(bool afterFullFence = false)
    {
        int worker = Idle.TakeOneToWake(afterFullFence);
        if (worker >= 0) Workers[worker].Parker.Unpark();
    }

    /// <summary>Queues a task that was just spawned or woken (from any thread).</summary>
    internal void ScheduleWoken(HostTask task)
    {
        task.NoteReady();
        var worker = Worker.Current;
        if (worker is not null && worker.Scheduler == this)
        {
            worker.Push(task, lifo: true);
            return;
        }
        Inject(task);
    }

    private void Inject(HostTask task)
    {
        _inject[(int)task.Priority].Push(task);
        NotifyOne(afterFullFence: true); // the push's exchange of the queue's tail published the task
    }

    internal void OnFinished(HostTask task, TaskState outcome)
    {
        if (_live.Remove(task, outcome)) _allFinished.Set();
    }

    /// <summary>Makes a started task live and queues it; <paramref name="worker"/> is this scheduler's worker the
    /// spawn runs on, or null.</summary>
    private JoinHandle<T> Launch<T>(HostJoinCell<T> cell, HostTask task, CancellationToken cancellationToken, Worker? worker)
    {
        long id = task.Id;
        // Closed by a shutdown that began after our check: the task never becomes live, and never runs.
        if (!_live.TryAdd(task)) throw UsedAfterShutdown();
        // Before it is queued: nothing else touches it yet. (Tested here: most spawns have no token.)
        if (cancellationToken.CanBeCanceled) task.AbortWhenCancelled(cancellationToken, cell, 0);
        task.NoteReady();
        if (worker is not null) worker.Push(task, lifo: true);
        else Inject(task);
        return new JoinHandle<T>(cell, 0, id);
    }

    private void ThrowIfShutdown()
    {
        if (IsShutdown) throw UsedAfterShutdown();
    }

    private bool IsOwnWorkerThread => Worker.Current?.Scheduler == this;

    private static HostOptions ValidatedWorkers(int workerCount)
    {
        if (workerCount is < 1 or > HostOptions.MaxWorkers)
            throw new ArgumentOutOfRangeException(nameof(workerCount), workerCount, $"A host scheduler has 1 to {HostOptions.MaxWorkers} workers.");
        return new HostOptions { WorkerCount = workerCount };
    }

    private static long NewId() => TaskIds.Allocate();

    private static long NewId(Worker? worker) => worker is null ? TaskIds.AllocateOnThisThread() : worker.Ids.Take();
}
