namespace Tandem.Internal.Tasks;

/// <summary>How a task's end is classified, the same on every tier.</summary>
internal static class TaskOutcome
{
    /// <summary>
    /// True when <paramref name="exception"/>, escaping a task, ends it as <see cref="TaskState.Aborted"/>; false when
    /// it is a fault its joiner must see.
    /// </summary>
    /// <remarks>Only a cancellation unwinding an abort counts: one thrown while the task's abort was requested (its
    /// abort token, or a token linked to it), or the <see cref="TaskAbortedException"/> of this very task. Any other
    /// exception — even one a <c>finally</c> block throws during the abort — is a fault.</remarks>
    /// <param name="exception">What escaped the task's work.</param>
    /// <param name="abortRequested">Whether the task's abort had been requested.</param>
    /// <param name="taskId">The task's id.</param>
    internal static bool IsAbort(Exception exception, bool abortRequested, long taskId) =>
        exception is OperationCanceledException
        && (abortRequested || exception is TaskAbortedException { TaskId: var id } && id == taskId);
}
