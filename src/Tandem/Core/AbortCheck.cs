namespace Tandem.Core;

/// <summary>How Tandem awaitables turn an abort into an exception at a suspension point.</summary>
internal static class AbortCheck
{
    /// <summary>True when the task polling on this thread has been asked to abort.</summary>
    internal static bool IsAbortRequested => TaskCore.Current is { AbortRequested: true };

    /// <summary>Throws <see cref="TaskAbortedException"/> inside an aborted task.</summary>
    internal static void ThrowIfAbortRequested()
    {
        if (TaskCore.Current is { AbortRequested: true } task) throw new TaskAbortedException(task.Id);
    }
}
