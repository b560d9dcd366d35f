namespace Tandem;

/// <summary>
/// Thrown by joining a task that was aborted, and inside an aborted task at its next
/// suspension point (so that its <c>finally</c> blocks run).
/// </summary>
public sealed class TaskAbortedException : OperationCanceledException
{
    /// <summary>Creates the exception for the task of <paramref name="taskId"/>.</summary>
    /// <param name="taskId">The aborted task's id.</param>
    public TaskAbortedException(long taskId)
        : base($"Task {taskId} was aborted.") => TaskId = taskId;

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public TaskAbortedException(string message) : base(message) { }

    /// <summary>Creates the exception with no task id.</summary>
    public TaskAbortedException() : base("The task was aborted.") { }

    /// <summary>The aborted task's id, or 0 when unknown.</summary>
    public long TaskId { get; }
}
