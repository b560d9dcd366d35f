using System.Runtime.CompilerServices;
using Tandem.Internal.Diagnostics;

namespace Tandem.Internal.Tasks;

// What a task snapshot (Runtime.GetTaskSnapshot) reads of a live task. Written by the task's owner thread as plain
// fields — a poll counts itself, a suspension notes where it happened — and read by any thread without a lock: a
// snapshot is a moment's values, checked against the task's generation so that an entry never mixes two tasks.
internal abstract partial class TaskCore
{
    /// <summary>The name the task gave itself (<see cref="Async.NameTask"/>; owner thread), or null.</summary>
    internal string? Name;

    /// <summary>Polls of the task so far (owner thread, one plain increment per poll).</summary>
    internal int Polls;

    /// <summary>The poll in which <see cref="SuspendedIn"/> and <see cref="SuspendedOn"/> were noted: only a poll's first
    /// suspension is noted, which is the innermost method's when Tandem async methods await each other.</summary>
    private int _suspensionPoll;

    /// <summary>The type handles of the state machine and the awaiter of the task's last noted suspension (0: none).
    /// Handles, not <see cref="Type"/> references: storing one costs no GC write barrier.</summary>
    internal nint SuspendedIn, SuspendedOn;

    /// <summary>True when the scheduler records task times (<see cref="RuntimeOptions.RecordTaskTimes"/>): set at spawn.</summary>
    internal bool RecordsTimes;

    /// <summary>When the task was spawned and when its last poll started, on its scheduler's clock (set only when
    /// <see cref="RecordsTimes"/>; <see cref="LastPollTimestamp"/> is 0 before the first poll).</summary>
    internal long SpawnTimestamp, LastPollTimestamp;

    /// <summary>Clears what a snapshot reads, for the object's new task; <paramref name="spawnTimestamp"/> is null unless
    /// the scheduler records task times (spawning thread, before the task is queued).</summary>
    protected void ResetDiagnostics(long? spawnTimestamp)
    {
        if (Name is not null) Name = null;
        Polls = 0;
        _suspensionPoll = 0;
        SuspendedIn = SuspendedOn = 0;
        if (spawnTimestamp is { } at)
        {
            RecordsTimes = true;
            SpawnTimestamp = at;
            LastPollTimestamp = 0;
        }
        else if (RecordsTimes)
        {
            RecordsTimes = false;
        }
    }

    /// <summary>Counts a poll that is starting (owner thread), and notes its start time when the scheduler records times.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountPoll()
    {
        Polls++;
        if (RecordsTimes) LastPollTimestamp = Math.Max(1, Timers.Clock.GetTimestamp());
    }

    /// <summary>Notes where the task suspends (owner thread): the first suspension of each poll only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void NoteSuspension(nint stateMachine, nint awaiter)
    {
        int poll = Polls;
        if (_suspensionPoll == poll) return;
        _suspensionPoll = poll;
        SuspendedIn = stateMachine;
        SuspendedOn = awaiter;
    }

    /// <summary>
    /// Reads the task for a snapshot (any thread). Returns null when the object started another task, or its task
    /// finished, while it was being read: the generation is read before and after, as a sequence lock's readers do.
    /// </summary>
    internal TaskInfo? ReadInfo(int generation, TaskActivity activity, long now)
    {
        long id = Volatile.Read(ref Id);
        string? name = Volatile.Read(ref Name);
        var priority = Priority;
        int polls = Volatile.Read(ref Polls);
        nint suspendedIn = Volatile.Read(ref SuspendedIn), suspendedOn = Volatile.Read(ref SuspendedOn);
        bool timed = Volatile.Read(ref RecordsTimes);
        long spawned = Volatile.Read(ref SpawnTimestamp), lastPoll = Volatile.Read(ref LastPollTimestamp);
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref Generation) != generation) return null;
        var clock = Timers.Clock;
        TimeSpan? age = timed ? clock.GetElapsedTime(spawned, Math.Max(spawned, now)) : null;
        TimeSpan? sinceLastPoll = timed && lastPoll != 0 ? clock.GetElapsedTime(lastPoll, Math.Max(lastPoll, now)) : null;
        return new TaskInfo(id, name, priority, activity, polls,
            suspendedIn == 0 ? null : CodeNames.OfStateMachine(Type.GetTypeFromHandle(RuntimeTypeHandle.FromIntPtr(suspendedIn))!),
            suspendedOn == 0 ? null : CodeNames.OfAwaiter(Type.GetTypeFromHandle(RuntimeTypeHandle.FromIntPtr(suspendedOn))!),
            age, sinceLastPoll);
    }
}
