namespace Tandem.Internal.Tasks;

/// <summary>What one poll of a task's work came to: the value both runners (<see cref="AsyncMethodRunner{TState,T}"/>,
/// <see cref="PollFnRunner{TState,T}"/>) hand their tier, which records the outcome where it keeps it.</summary>
internal enum PollStep
{
    /// <summary>The work is not done: the task waits for a wake.</summary>
    Pending,

    /// <summary>The work produced its result.</summary>
    Completed,

    /// <summary>The work threw; the exception is handed over (see <see cref="TaskOutcome.IsAbort"/> for whether it counts as a fault).</summary>
    Faulted,

    /// <summary>The task was aborted before its work started (or, for a poll function, before this poll): the work does not run again.</summary>
    Aborted,
}
