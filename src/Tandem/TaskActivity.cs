namespace Tandem;

/// <summary>What a live task is doing when a snapshot reads it (<see cref="TaskInfo.Activity"/>).</summary>
public enum TaskActivity
{
    /// <summary>Suspended at an await (or a poll function returned pending): it runs again when something wakes it.</summary>
    Waiting = 0,

    /// <summary>Woken and queued: it runs when a worker reaches it.</summary>
    Ready = 1,

    /// <summary>Being polled by a worker right now.</summary>
    Running = 2,
}
