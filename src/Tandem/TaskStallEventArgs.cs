namespace Tandem;

/// <summary>A stall the runtime's detector saw (<see cref="Runtime.StallDetected"/>).</summary>
public sealed class TaskStallEventArgs : EventArgs
{
    internal TaskStallEventArgs(TaskStallKind kind, TimeSpan duration, TaskInfo task)
    {
        Kind = kind;
        Duration = duration;
        Task = task;
    }

    /// <summary>A long poll, or a starved task.</summary>
    public TaskStallKind Kind { get; }

    /// <summary>How long the poll had held its worker, or the task had been ready, when the detector saw it.</summary>
    public TimeSpan Duration { get; }

    /// <summary>The task, as a task snapshot shows it (id, name, priority, where it last suspended).</summary>
    public TaskInfo Task { get; }

    /// <summary>One line describing the stall.</summary>
    /// <returns>The line.</returns>
    public override string ToString() => Kind == TaskStallKind.LongPoll
        ? $"task {Task.Id}{(Task.Name is null ? "" : $" \"{Task.Name}\"")} ({Task.Priority}) has held its worker for {Duration.TotalMilliseconds:F0} ms in one poll{(Task.Method is null ? "" : $"; it last suspended in {Task.Method}")}"
        : $"task {Task.Id}{(Task.Name is null ? "" : $" \"{Task.Name}\"")} ({Task.Priority}) has been ready for {Duration.TotalMilliseconds:F0} ms without being polled";
}
