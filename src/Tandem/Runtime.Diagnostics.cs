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
}
