namespace Tandem;

/// <summary>Where a task is in its life.</summary>
public enum TaskState
{
    /// <summary>Spawned and not running: queued to run, or waiting for its waker.</summary>
    Pending = 0,

    /// <summary>Being polled right now.</summary>
    Running = 1,

    /// <summary>Finished with a result.</summary>
    Completed = 2,

    /// <summary>Finished by throwing an exception, which its joiner receives.</summary>
    Faulted = 3,

    /// <summary>Stopped by <c>Abort()</c> before it finished.</summary>
    Aborted = 4,
}
