namespace Tandem;

public abstract partial class Runtime
{
    /// <summary>
    /// Lists every live task — spawned and not finished — with its id, name, priority, whether it is waiting, ready or
    /// running, how often it was polled, the async method and the await it last suspended at, and (when
    /// <see cref="RuntimeOptions.RecordTaskTimes"/> is on) its age and the time since its last poll. The first thing to
    /// reach for when a program hangs or a task seems stuck.
    /// </summary>
    /// <returns>The tasks, by id (oldest first).</returns>
    /// <exception cref="ObjectDisposedException">The runtime was disposed (or its shutdown finished).</exception>
    /// <remarks>Safe from any thread, including a task of this runtime, while the runtime runs: it neither stops nor
    /// slows the workers (the host tier takes each shard lock of its live-task list briefly, as a spawn does). Each entry
    /// is one task's values at one moment, never a mix of two tasks; a task that finished while it was read is left out.
    /// It allocates the list it returns: a diagnostic, not a hot path.</remarks>
    public IReadOnlyList<TaskInfo> GetTaskSnapshot()
    {
        var tasks = new List<TaskInfo>();
        AddLiveTasks(tasks);
        tasks.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return tasks;
    }

    /// <summary>Adds every live task of this runtime to <paramref name="tasks"/> (any thread).</summary>
    private protected abstract void AddLiveTasks(List<TaskInfo> tasks);

    /// <summary>
    /// Raised by the stall detector (on when <see cref="RuntimeOptions.StallThreshold"/> is set) when one poll has held a
    /// worker longer than the threshold — a task running without awaiting — or a ready task has waited that long for a
    /// poll (starvation): once per such poll or wait, naming the task, its priority and how long.
    /// </summary>
    /// <remarks>Raised on the detector's timer thread, while the stall goes on (at most a quarter of a threshold after it
    /// passed the threshold). The same stalls are written as the <c>Tandem</c> event source's <c>Stall</c> event. A
    /// handler that throws does not stop the detector: its exception is re-thrown on the thread pool.</remarks>
    public event EventHandler<TaskStallEventArgs>? StallDetected;

    /// <summary>The stall detector, when one was asked for (set by the tier as it starts).</summary>
    private protected Internal.Diagnostics.StallMonitor? StallMonitor { get; set; }

    /// <summary>Starts the stall detector when <paramref name="threshold"/> is set (the tier's constructor).</summary>
    private protected void StartStallMonitor(TimeSpan? threshold)
    {
        if (threshold is { } t) StallMonitor = new Internal.Diagnostics.StallMonitor(this, t);
    }

    /// <summary>Looks for stalls and reports them (the detector's timer thread).</summary>
    internal void ScanForStalls(Internal.Diagnostics.StallMonitor monitor)
    {
        // Also while a shutdown is under way: a task that will not stop is what it finds then.
        var stalls = new List<TaskStallEventArgs>();
        CollectStalls(stalls, monitor.Threshold);
        foreach (var stall in stalls)
        {
            var log = Internal.Diagnostics.TandemEventSource.Log;
            if (log.IsEnabled())
                log.Stall(stall.Task.Id, stall.Kind == TaskStallKind.LongPoll ? "long-poll" : "starved", stall.Duration.TotalMilliseconds, stall.ToString());
            try
            {
                StallDetected?.Invoke(this, stall);
            }
            catch (Exception handlerError)
            {
                HandlerFailed(handlerError);
            }
        }
    }

    /// <summary>Adds the stalls of this runtime's live tasks to <paramref name="stalls"/> (the detector's thread).</summary>
    private protected abstract void CollectStalls(List<TaskStallEventArgs> stalls, TimeSpan threshold);
}
