using System.Diagnostics;
using System.Numerics;

namespace Tandem.Embedded;

/// <summary>
/// The embedded tier: a single-threaded, cooperative executor with a task capacity fixed at
/// construction and no heap allocation once warmed up. Five strict priority levels, round-robin
/// within a level, wake-ups through a lock-free <see cref="WakerRegistry"/>, timers on a clock it
/// owns (real, or virtual for tests), and the same order of polls on every run of the same program.
/// </summary>
/// <remarks>
/// <para><b>Threads.</b> One thread at a time drives the scheduler (<see cref="PollNext"/>,
/// <see cref="RunUntilIdle"/>, <c>BlockOn</c>); spawning and joining happen on that thread (or on
/// any one thread while no loop runs). Wakers, the registry and a <see cref="VirtualClock"/> may be
/// used from any thread at any moment.</para>
/// <para><b>Invariants.</b> A task slot is in exactly one of the states of <see cref="EmbeddedTask"/>.
/// Bit <c>p</c> of the level mask is set exactly when the ready queue of priority <c>p</c> is non-empty,
/// so the next task is the front of the lowest set bit's queue: one bit scan, whatever the capacity.
/// A task that returned pending is polled again only after its waker fires: a wake from the loop's
/// own thread queues it directly, any other goes through the registry, which the loop drains before
/// each pick.</para>
/// </remarks>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public sealed partial class EmbeddedScheduler : Runtime, IRegistryWakeTarget, ITaskTimers
{
    private string DebuggerDisplay => _disposed ? "EmbeddedScheduler (disposed)" : $"EmbeddedScheduler {TaskCount}/{Capacity} tasks";

    private static readonly Action<EmbeddedScheduler, int> s_onSignalled = static (s, index) => s.OnFlag(index);


    private readonly SlotTable _slots;

    /// <summary>The recycled bodies of this scheduler's tasks (loop thread).</summary>
    private readonly BodyPool _bodies;
    private readonly ReadyQueue[] _ready;
    private readonly WakerRegistry _registry;

    /// <summary>Per slot, whom its registry flag is for (see <see cref="WakeRecord"/>): a flag set through the public
    /// registry is for any task; one set by a waker on another thread, for the task generation it woke.</summary>
    private readonly long[] _wakeRecords;
    private readonly TimerQueue _timers;
    private readonly TimeProvider _clock;
    private readonly VirtualClock? _virtualClock;
    private readonly double _timestampsPerTick;
    private readonly ManualResetEventSlim _unpark = new(false, spinCount: 0);
    private readonly Action _onSignal;

    private int _readyLevels;
    private int _live;
    private int _parked;
    private int _loopThread;

    /// <summary>True while one of the scheduler's tasks is being polled (loop thread).</summary>
    private bool _polling;

    /// <summary>The driving thread's own ambient state, saved by the outermost loop (see <see cref="PollSite"/>).</summary>
    private PollSite _site;
    private bool _disposed;
    private bool _foreignFinished;

    /// <summary>Which polls may have allocated (and captured their task's context): see <see cref="EmbeddedTaskContext"/>.</summary>
    private AllocationWindows _windows;

    /// <summary>The ids this scheduler's spawns take (the spawning thread is the loop's).</summary>
    private TaskIdBlock _ids;

    /// <summary>Creates a scheduler of <see cref="TandemDefaults.DefaultMaxTasks"/> tasks on the real clock.</summary>
    public EmbeddedScheduler() : this(new EmbeddedOptions()) { }

    /// <summary>Creates a scheduler of <paramref name="maxTasks"/> tasks on the real clock.</summary>
    /// <param name="maxTasks">1 to <see cref="EmbeddedOptions.MaxCapacity"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTasks"/> is out of range.</exception>
    public EmbeddedScheduler(int maxTasks) : this(ValidatedCapacity(maxTasks)) { }

    /// <summary>Creates a scheduler from <paramref name="options"/>.</summary>
    /// <param name="options">Capacity and clock.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A capacity is out of range.</exception>
    public EmbeddedScheduler(EmbeddedOptions options) : base(RuntimeMode.Embedded)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Capacity = options.MaxTasks;
        RecordTaskTimes = options.RecordTaskTimes || options.StallThreshold is not null; // before the slots: they read it
        if (RecordTaskTimes) Internal.Diagnostics.Watching.Begin();
        _slots = new SlotTable(this, Capacity);
        _bodies = new BodyPool(Capacity);
        _ready = new ReadyQueue[Priorities.Count];
        for (int p = 0; p < _ready.Length; p++) _ready[p] = new ReadyQueue(_slots.Slots);
        _registry = new WakerRegistry(Capacity);
        _wakeRecords = new long[Capacity];
        _windows = new AllocationWindows(Capacity);
        _timers = new TimerQueue(options.TimerCapacity ?? Capacity);
        _clock = options.Clock;
        _virtualClock = _clock as VirtualClock;
        _timestampsPerTick = (double)_clock.TimestampFrequency / TimeSpan.TicksPerSecond;
        _onSignal = OnSignal;
        _registry.SetSignalListener(_onSignal);
        _registry.SetDirectSignalListener(index => WakeRecord.RecordAny(ref _wakeRecords[index]));
        _virtualClock?.Subscribe(_onSignal);
        Metrics = new RuntimeMetrics(this, RuntimeMode.Embedded, options.MeterFactory);
        StartStallMonitor(options.StallThreshold);
    }

    /// <summary>True when tasks' spawn and poll times are recorded (<see cref="EmbeddedOptions.RecordTaskTimes"/>).</summary>
    internal readonly bool RecordTaskTimes;

    /// <summary>True on the thread that is driving the scheduler now (a <c>BlockOn</c> or a run loop).</summary>
    internal bool IsDrivenByCurrentThread => Volatile.Read(ref _loopThread) == Environment.CurrentManagedThreadId;

    private protected override bool HasShutDown => _disposed;

    /// <summary>How many unfinished tasks the scheduler holds.</summary>
    public int Capacity { get; }

    /// <summary>How many tasks are spawned and not yet finished.</summary>
    public override int TaskCount => _live;

    /// <summary>True when no task is ready to run right now (every unfinished task waits for a wake or a timer).</summary>
    public bool IsIdle => _readyLevels == 0 && !_registry.HasSetFlag && !_timers.HasPendingDue(_clock.GetTimestamp());

    /// <summary>The signal-only view of the flags through which wakes from other threads reach this scheduler; its
    /// indices are task slots (see <see cref="WakeSignals"/>).</summary>
    public WakeSignals Wakers => new(_registry);

    /// <summary>The registry itself, with the loop's own operations (tests).</summary>
    internal WakerRegistry Registry => _registry;

    /// <summary>The scheduler's clock.</summary>
    public override TimeProvider Clock => _clock;

    /// <summary>Polls one ready task (after taking in pending wakes and due timers).</summary>
    /// <returns>True when a task was polled; false when none was ready.</returns>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed.</exception>
    /// <exception cref="InvalidOperationException">Called from inside one of its tasks, or while another thread drives it.</exception>
    public bool PollNext()
    {
        bool outer = EnterLoop();
        try
        {
            return PollOne();
        }
        finally
        {
            ExitLoop(outer);
        }
    }

    /// <summary>Polls ready tasks until none is ready; does not wait for timers that are not yet due.</summary>
    /// <returns>How many polls ran.</returns>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed.</exception>
    /// <exception cref="InvalidOperationException">Called from inside one of its tasks, or while another thread drives it.</exception>
    public int RunUntilIdle()
    {
        bool outer = EnterLoop();
        try
        {
            int polls = 0;
            while (PollOne()) polls++;
            return polls;
        }
        finally
        {
            ExitLoop(outer);
        }
    }

    /// <summary>Tells whether the slot of a waker index is in use, and by which task.</summary>
    /// <param name="index">A registry index (task slot).</param>
    /// <param name="taskId">The id of the unfinished task in that slot.</param>
    /// <returns>True when an unfinished task occupies the slot.</returns>
    public bool TryGetTaskAt(int index, out long taskId)
    {
        taskId = 0;
        if ((uint)index >= (uint)Capacity) return false;
        var slot = _slots[index];
        if (!slot.IsLive) return false;
        taskId = slot.Id;
        return true;
    }

    /// <summary>Shuts the scheduler down on the calling thread: aborts every unfinished task, drives the loop while they
    /// unwind — for up to <paramref name="timeout"/> when some wait on foreign awaits (a <c>Task</c> in a <c>finally</c>
    /// block), parking in between — then disposes it (see <see cref="Dispose"/>).</summary>
    /// <param name="timeout">How long to wait for tasks that wait on foreign awaits while they unwind.</param>
    /// <returns>True when every task finished; false when some still waited on foreign awaits at the deadline (they are abandoned).</returns>
    /// <exception cref="InvalidOperationException">Called from inside one of its tasks, or while another thread drives it.</exception>
    public override bool Shutdown(TimeSpan timeout)
    {
        if (_disposed) return _live == 0;
        if (_polling) throw new InvalidOperationException("An embedded scheduler cannot be shut down from inside one of its tasks.");
        // Foreign awaits complete in real time, whatever the scheduler's clock: the deadline is on the system's.
        long deadline = Stopwatch.GetTimestamp() + (long)(Math.Max(0, timeout.TotalSeconds) * Stopwatch.Frequency);
        foreach (var slot in _slots.Slots) slot.RequestAbort(Volatile.Read(ref slot.Generation));
        bool outer = EnterLoop();
        try
        {
            while (_live > 0)
            {
                if (PollOne()) continue;
                double leftMs = (deadline - Stopwatch.GetTimestamp()) * 1000.0 / Stopwatch.Frequency;
                if (leftMs <= 0) break;
                Park((int)Math.Min(Math.Ceiling(leftMs), int.MaxValue - 1));
            }
        }
        finally
        {
            ExitLoop(outer);
        }
        Dispose();
        return _live == 0;
    }

    /// <summary>Aborts every unfinished task, lets them unwind, reports unobserved exceptions, and refuses further use.</summary>
    /// <exception cref="InvalidOperationException">Called from inside one of its tasks.</exception>
    /// <remarks>On this tier <see cref="Runtime.UnobservedTaskException"/> is raised when a faulted, unjoined
    /// task's slot is reclaimed, when its handle is detached, or here.</remarks>
    public override void Dispose()
    {
        if (_disposed) return;
        if (_polling) throw new InvalidOperationException("An embedded scheduler cannot be disposed from inside one of its tasks.");
        foreach (var slot in _slots.Slots) slot.RequestAbort(Volatile.Read(ref slot.Generation));
        RunUntilIdle();
        _disposed = true;
        _slots.CheckInvariants();
        foreach (var slot in _slots.Slots) slot.HandOnStale(); // what a finished slot's race left behind still runs
        foreach (var slot in _slots.Slots)
        {
            if (slot.IsDone && slot.Body is { Outcome: TaskState.Faulted, Observed: false } body)
            {
                body.Observed = true;
                RaiseUnobserved(slot.Id, body);
            }
        }
        _registry.SetSignalListener(null);
        _registry.SetDirectSignalListener(null);
        _virtualClock?.Unsubscribe(_onSignal);
        _unpark.Set();
        StallMonitor?.Dispose();
        Metrics?.Dispose(); // a meter is registered process-wide until disposed
    }

    private void RaiseUnobserved(long id, TaskBody body)
    {
        // Between two polls the loop's thread still has the last polled task as its synchronization context.
        if (!_polling && Volatile.Read(ref _loopThread) == Environment.CurrentManagedThreadId) _site.RestoreSynchronizationContext();
        RaiseUnobserved(id, body.Error!.SourceException);
    }

    private void OnSignal()
    {
        if (Volatile.Read(ref _parked) != 0) _unpark.Set();
    }

    private static EmbeddedOptions ValidatedCapacity(int maxTasks)
    {
        if (maxTasks is < 1 or > EmbeddedOptions.MaxCapacity)
            throw new ArgumentOutOfRangeException(nameof(maxTasks), maxTasks, $"An embedded scheduler holds 1 to {EmbeddedOptions.MaxCapacity} tasks.");
        return new EmbeddedOptions { MaxTasks = maxTasks };
    }
}
