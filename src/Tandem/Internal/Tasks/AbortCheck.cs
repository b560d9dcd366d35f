using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Tandem.Internal.Tasks;

/// <summary>How Tandem awaitables turn an abort into an exception at a suspension point.</summary>
internal static class AbortCheck
{
    /// <summary>True when the task polling on this thread has been asked to abort.</summary>
    internal static bool IsAbortRequested
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TaskCore.Current is { AbortRequested: true };
    }

    /// <summary>Throws <see cref="TaskAbortedException"/> inside an aborted task. Inlined: every Tandem await's result passes here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ThrowIfAbortRequested()
    {
        if (TaskCore.Current is { AbortRequested: true } task) ThrowAborted(task.Id);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    [StackTraceHidden]
    private static void ThrowAborted(long taskId) => throw new TaskAbortedException(taskId);
}
