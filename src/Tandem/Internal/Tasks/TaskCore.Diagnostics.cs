using System.Runtime.CompilerServices;
using Tandem.Internal.Diagnostics;

namespace Tandem.Internal.Tasks;

// What a task snapshot (Runtime.GetTaskSnapshot) reads of a live task. Written by the task's owner thread as plain
// fields — a poll counts itself, a suspension notes where it happened — and read by any thread without a lock: a
// snapshot is a moment's values, checked against the task's generation so that an entry never mixes two tasks.
internal abstract partial class TaskCore
{
    /// <summary>Counts the polls of the object's tasks (the polling thread, as each poll starts; read by any thread): a
    /// rescue of a blocked poll tells from it whether the poll it was armed for still runs, and a task's poll count is
    /// derived from it — so that counting costs a poll nothing more.</summary>
    internal int PollSequence;

    /// <summary><see cref="PollSequence"/> when the object's current task started.</summary>
    private int _pollSequenceAtStart;

    /// <summary>Polls of the task so far (owner thread).</summary>
    internal int Polls => PollSequence - _pollSequenceAtStart;

    /// <summary>The poll in which <see cref="SuspendedIn"/> and <see cref="SuspendedOn"/> were noted: only a poll's first
    /// suspension is noted, which is the innermost method's when Tandem async methods await each other.</summary>
    private int _suspensionPoll;

    /// <summary>The type handles of the state machine and the awaiter of the task's last noted suspension (0: none).
    /// Handles, not <see cref="Type"/> references: storing one costs no GC write barrier.</summary>
    internal nint SuspendedIn, SuspendedOn;

    /// <summary>What only some tasks need — a name, recorded times, the stall detector's bookkeeping — in an object of its
    /// own, so that a task that needs none of it is not the bigger for it (an idle task's bytes are one of the runtime's
    /// figures). Made on first use and kept with the (pooled) task object; the embedded tier makes one per slot at start-up
    /// when it records times, so that its spawns still allocate nothing.</summary>
    private TaskExtras? _extras;

    /// <summary>The name the task gave itself (<see cref="Async.NameTask"/>), or null.</summary>
    internal string? Name => Volatile.Read(ref _extras)?.Name;

    /// <summary>Names the task (owner thread). The first name of a task object allocates its extras.</summary>
    internal void SetName(string name) => Volatile.Write(ref Extras.Name, name);

    private TaskExtras Extras => _extras ?? CreateExtras();

    private TaskExtras CreateExtras()
    {
        var extras = new TaskExtras();
        Volatile.Write(ref _extras, extras);
        return extras;
    }

    /// <summary>Makes the task object's extras now (the embedded tier's slots, at start-up, when times are recorded).</summary>
    protected void PrepareExtras() => _ = Extras;

    /// <summary>Clears what a snapshot reads, for the object's new task; <paramref name="spawnTimestamp"/> is null unless
    /// the scheduler records task times (spawning thread, before the task is queued).</summary>
    protected void ResetDiagnostics(long? spawnTimestamp)
    {
        _pollSequenceAtStart = PollSequence;
        _suspensionPoll = PollSequence; // no suspension noted in the task's polls yet
        SuspendedIn = SuspendedOn = 0;
        if (spawnTimestamp is { } at) Extras.Start(at);
        else if (_extras is { } extras) extras.Clear();
    }

    /// <summary>True when anything watches this task's scheduling: its runtime records times, or an event session
    /// listens. One test on the hot paths; what it guards is out of line.</summary>
    private bool Watched
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Watching.Active && (_extras is { RecordsTimes: true } || TandemEventSource.Log.IsEnabled());
    }

    /// <summary>Notes that the task is being queued to run (the queueing thread, before the task is in a queue, so that
    /// no poll can start before the note).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void NoteReady()
    {
        if (Watched) NoteReadySlow();
    }

    private void NoteReadySlow()
    {
        if (_extras is { RecordsTimes: true } times && times.ReadyTimestamp == 0) times.ReadyTimestamp = Math.Max(1, Timers.Clock.GetTimestamp());
        if (!TandemEventSource.Log.TasksOn) return;
        // A task is queued once before its first poll, at its spawn (a queued task is not queued again): so the spawn
        // event is written here, sparing the spawn path a test of its own.
        if (Polls == 0) TandemEventSource.Log.TaskSpawned(Id, (long)Priority);
        TandemEventSource.Log.TaskReady(Id, (long)Priority);
    }

    /// <summary>Notes a poll that is starting (owner thread; the tier counted it in <see cref="PollSequence"/>): when
    /// watched, notes its start time, records its scheduling latency and raises the poll-start event.</summary>
    /// <returns>True when watched: the poll's end is then noted too (<see cref="PollEnded"/>).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool NotePollStart()
    {
        if (!Watched) return false;
        PollStartingSlow();
        return true;
    }

    private void PollStartingSlow()
    {
        if (_extras is { RecordsTimes: true } times)
        {
            var clock = Timers.Clock;
            long now = Math.Max(1, clock.GetTimestamp());
            Volatile.Write(ref times.LastPollTimestamp, now);
            if (times.ReadyTimestamp != 0)
            {
                (Timers as Runtime)?.Metrics?.RecordSchedulingLatency(Priority, clock.GetElapsedTime(times.ReadyTimestamp, Math.Max(times.ReadyTimestamp, now)).TotalSeconds);
                Volatile.Write(ref times.ReadyTimestamp, 0);
            }
        }
        if (TandemEventSource.Log.TasksOn) TandemEventSource.Log.PollStart(Id, (long)Priority, Polls);
    }

    /// <summary>Ends a watched poll (owner thread, before the task can be recycled): records the poll's duration and
    /// raises the poll-stop event.</summary>
    internal void PollEnded(bool finished)
    {
        if (_extras is { RecordsTimes: true, LastPollTimestamp: not 0 } times)
        {
            var clock = Timers.Clock;
            (Timers as Runtime)?.Metrics?.RecordPollDuration(Priority, clock.GetElapsedTime(times.LastPollTimestamp, Math.Max(times.LastPollTimestamp, clock.GetTimestamp())).TotalSeconds);
        }
        if (TandemEventSource.Log.TasksOn) TandemEventSource.Log.PollStop(Id, (long)Priority, finished ? 1 : 0);
    }

    /// <summary>Notes where the task suspends (owner thread): the first suspension of each poll only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void NoteSuspension(nint stateMachine, nint awaiter)
    {
        int poll = PollSequence;
        if (_suspensionPoll == poll) return;
        _suspensionPoll = poll;
        SuspendedIn = stateMachine;
        SuspendedOn = awaiter;
    }

    /// <summary>
    /// Checks the task for a stall (the stall detector's thread, while the task cannot be recycled or is re-checked by
    /// generation): a poll running longer than <paramref name="threshold"/>, or a ready wait that long. Reports each
    /// once. Returns the stall to report (raw: made into event arguments once any lock is let go), or null.
    /// </summary>
    internal (TaskStallKind Kind, TimeSpan Duration, TaskReading Task)? CheckStall(int generation, TaskActivity activity, long now, TimeSpan threshold)
    {
        if (Volatile.Read(ref _extras) is not { RecordsTimes: true } times) return null;
        var clock = Timers.Clock;
        if (activity == TaskActivity.Running)
        {
            long started = Volatile.Read(ref times.LastPollTimestamp);
            int poll = Volatile.Read(ref PollSequence);
            if (started == 0 || poll == times.StallReportedPoll) return null;
            var held = clock.GetElapsedTime(started, Math.Max(started, now));
            if (held <= threshold) return null;
            if (Read(generation, activity) is not { } reading) return null;
            times.StallReportedPoll = poll;
            return (TaskStallKind.LongPoll, held, reading);
        }
        if (activity == TaskActivity.Ready)
        {
            long ready = Volatile.Read(ref times.ReadyTimestamp);
            if (ready == 0 || ready == times.StarvationReportedAt) return null;
            var waited = clock.GetElapsedTime(ready, Math.Max(ready, now));
            if (waited <= threshold) return null;
            if (Read(generation, activity) is not { } reading) return null;
            times.StarvationReportedAt = ready;
            return (TaskStallKind.Starved, waited, reading);
        }
        return null;
    }

    /// <summary>
    /// Reads the task for a snapshot (any thread): raw values only — no allocation, no formatting — so that a caller
    /// holding a lock (the host's live-list shard) holds it briefly. Returns null when the object started another task, or
    /// its task finished, while it was being read: the generation is read before and after, as a sequence lock's readers do.
    /// </summary>
    internal TaskReading? Read(int generation, TaskActivity activity)
    {
        long id = Volatile.Read(ref Id);
        var extras = Volatile.Read(ref _extras);
        string? name = extras is null ? null : Volatile.Read(ref extras.Name);
        var priority = Priority;
        int polls = Volatile.Read(ref PollSequence) - Volatile.Read(ref _pollSequenceAtStart);
        nint suspendedIn = Volatile.Read(ref SuspendedIn), suspendedOn = Volatile.Read(ref SuspendedOn);
        bool timed = extras is not null && Volatile.Read(ref extras.RecordsTimes);
        long spawned = timed ? Volatile.Read(ref extras!.SpawnTimestamp) : 0, lastPoll = timed ? Volatile.Read(ref extras!.LastPollTimestamp) : 0;
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref Generation) != generation) return null;
        return new TaskReading(id, name, priority, activity, polls, suspendedIn, suspendedOn, timed, spawned, lastPoll);
    }

    /// <summary>Reads the task and makes its snapshot entry at once (see <see cref="Read"/>).</summary>
    internal TaskInfo? ReadInfo(int generation, TaskActivity activity, long now) =>
        Read(generation, activity)?.ToInfo(Timers.Clock, now);
}

/// <summary>A task's values as a snapshot read them (<see cref="TaskCore.Read"/>), made into a <see cref="TaskInfo"/> —
/// names formatted, times computed — after any lock is let go.</summary>
internal readonly record struct TaskReading(long Id, string? Name, Priority Priority, TaskActivity Activity, int Polls,
    nint SuspendedIn, nint SuspendedOn, bool Timed, long SpawnTimestamp, long LastPollTimestamp)
{
    /// <summary>The snapshot entry, with times against <paramref name="now"/> on <paramref name="clock"/>.</summary>
    internal TaskInfo ToInfo(TimeProvider clock, long now)
    {
        TimeSpan? age = Timed ? clock.GetElapsedTime(SpawnTimestamp, Math.Max(SpawnTimestamp, now)) : null;
        TimeSpan? sinceLastPoll = Timed && LastPollTimestamp != 0 ? clock.GetElapsedTime(LastPollTimestamp, Math.Max(LastPollTimestamp, now)) : null;
        return new TaskInfo(Id, Name, Priority, Activity, Polls,
            SuspendedIn == 0 ? null : CodeNames.OfStateMachine(Type.GetTypeFromHandle(RuntimeTypeHandle.FromIntPtr(SuspendedIn))!),
            SuspendedOn == 0 ? null : CodeNames.OfAwaiter(Type.GetTypeFromHandle(RuntimeTypeHandle.FromIntPtr(SuspendedOn))!),
            age, sinceLastPoll);
    }
}

/// <summary>A task's optional diagnostics (see <see cref="TaskCore"/>'s <c>_extras</c>): written by the task's owner and
/// spawner, read by snapshots and the stall detector; reused by the task object's next task.</summary>
internal sealed class TaskExtras
{
    /// <summary>The name the task gave itself, or null.</summary>
    internal string? Name;

    /// <summary>True when the task's runtime records its times.</summary>
    internal bool RecordsTimes;

    /// <summary>On the runtime's clock: the spawn; the start of the last poll (0 before the first); the last queueing
    /// (0 once that poll started).</summary>
    internal long SpawnTimestamp, LastPollTimestamp, ReadyTimestamp;

    /// <summary>The poll, and the ready time, the stall detector last reported (its timer's thread only).</summary>
    internal int StallReportedPoll;
    internal long StarvationReportedAt;

    /// <summary>For a new task whose times are recorded, spawned at <paramref name="spawnTimestamp"/>.</summary>
    internal void Start(long spawnTimestamp)
    {
        if (Name is not null) Name = null;
        SpawnTimestamp = spawnTimestamp;
        LastPollTimestamp = ReadyTimestamp = 0;
        StallReportedPoll = 0;
        StarvationReportedAt = 0;
        RecordsTimes = true;
    }

    /// <summary>For a new task whose times are not recorded.</summary>
    internal void Clear()
    {
        if (Name is not null) Name = null;
        RecordsTimes = false;
    }
}
