namespace Tandem;

/// <summary>
/// One live task as <see cref="Runtime.GetTaskSnapshot"/> saw it: who it is, what it is doing, and where it waits.
/// </summary>
/// <remarks>Each entry is read from the running task without stopping it, so its fields are a moment's values: a task
/// can have moved on by the time the snapshot is returned, and two entries may have been read at slightly different
/// moments.</remarks>
public sealed class TaskInfo
{
    internal TaskInfo(long id, string? name, Priority priority, TaskActivity activity, long polls, string? method, string? waitingOn, TimeSpan? age, TimeSpan? sinceLastPoll)
    {
        Id = id;
        Name = name;
        Priority = priority;
        Activity = activity;
        Polls = polls;
        Method = method;
        WaitingOn = waitingOn;
        Age = age;
        SinceLastPoll = sinceLastPoll;
    }

    /// <summary>The task's id (as <see cref="JoinHandle.Id"/> and <see cref="Async.CurrentTaskId"/> report it).</summary>
    public long Id { get; }

    /// <summary>The name the task gave itself with <see cref="Async.NameTask"/>, or null.</summary>
    public string? Name { get; }

    /// <summary>The task's priority now (a task can move itself with <see cref="Async.ChangePriority"/>).</summary>
    public Priority Priority { get; }

    /// <summary>Waiting, ready or running.</summary>
    public TaskActivity Activity { get; }

    /// <summary>How many times the task has been polled (each resumption after a wake is one poll).</summary>
    public long Polls { get; }

    /// <summary>
    /// The async method the task last suspended in — the innermost one, when Tandem async methods await each other —
    /// as <c>Type.Method</c>; null for a task that has not suspended in a Tandem async method (a poll function, an
    /// <see cref="IFuture{T}"/>, or a task not yet polled).
    /// </summary>
    public string? Method { get; }

    /// <summary>
    /// What the task awaited when it last suspended, by its awaitable's type: <c>DelayAwaitable</c>, <c>Task</c>,
    /// <c>ReceiveAwaitable</c>…; null where it is not known (see <see cref="Method"/>). For a <see cref="TaskActivity.Waiting"/>
    /// task this is what it waits on now.
    /// </summary>
    public string? WaitingOn { get; }

    /// <summary>How long ago the task was spawned, on the runtime's clock; null unless the runtime records task times
    /// (<see cref="RuntimeOptions.RecordTaskTimes"/>).</summary>
    public TimeSpan? Age { get; }

    /// <summary>How long ago the task's last poll started (its current one, if it is running); null unless the runtime
    /// records task times, or before its first poll.</summary>
    public TimeSpan? SinceLastPoll { get; }

    /// <summary>One line: id, name, priority, activity, polls, where it waits, times.</summary>
    /// <returns>The line.</returns>
    public override string ToString()
    {
        var where = Method is null ? "" : WaitingOn is null ? $" in {Method}" : $" in {Method} on {WaitingOn}";
        var times = Age is { } age ? $", age {age.TotalMilliseconds:F1} ms" : "";
        if (SinceLastPoll is { } since) times += $", last polled {since.TotalMilliseconds:F1} ms ago";
        return $"task {Id}{(Name is null ? "" : $" \"{Name}\"")} {Priority} {Activity}, {Polls} polls{where}{times}";
    }
}
