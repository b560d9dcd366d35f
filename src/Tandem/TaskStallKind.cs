namespace Tandem;

/// <summary>What kind of stall <see cref="Runtime.StallDetected"/> reports.</summary>
public enum TaskStallKind
{
    /// <summary>One poll of the task has held its worker longer than the threshold: it runs without awaiting (a blocking
    /// call, a long computation). Move such work to a blocking pool, or await <see cref="Async.Yield"/> within it.</summary>
    LongPoll = 0,

    /// <summary>The task has been ready longer than the threshold without being polled: the workers are busy with
    /// higher-priority tasks, or with long polls.</summary>
    Starved = 1,
}
