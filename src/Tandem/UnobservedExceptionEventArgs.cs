namespace Tandem;

/// <summary>
/// Carries an exception thrown by a task that nobody joined: raised when the finished task's
/// slot is reclaimed or its scheduler is disposed, so that no exception is silently lost.
/// </summary>
public sealed class UnobservedExceptionEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    /// <param name="taskId">The task that threw.</param>
    /// <param name="exception">What it threw.</param>
    public UnobservedExceptionEventArgs(long taskId, Exception exception)
    {
        TaskId = taskId;
        Exception = exception;
    }

    /// <summary>The id of the task that threw.</summary>
    public long TaskId { get; }

    /// <summary>The exception it threw.</summary>
    public Exception Exception { get; }
}
