namespace Tandem;

/// <summary>What a future is handed when it is polled: the waker to signal when it can make progress.</summary>
public readonly struct PollContext
{
    /// <summary>Creates a context (for tests and for futures that poll other futures).</summary>
    /// <param name="waker">The waker that re-polls the caller.</param>
    /// <param name="taskId">The id of the task doing the polling, or 0 outside a task.</param>
    /// <param name="priority">The priority of that task.</param>
    public PollContext(Waker waker, long taskId = 0, Priority priority = Priority.Normal)
    {
        Waker = waker;
        TaskId = taskId;
        Priority = priority;
    }

    /// <summary>Signal it (from any thread) to be polled again. A future that returns pending must have arranged this.</summary>
    public Waker Waker { get; }

    /// <summary>The id of the task being polled (positive, never reused in the process), or 0 outside a task.</summary>
    public long TaskId { get; }

    /// <summary>The priority of the task being polled.</summary>
    public Priority Priority { get; }
}
