using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Tandem.Internal.Tasks;

/// <summary>How Tandem awaitables turn an abort into an exception at a suspension point.</summary>
/// <remarks>
/// <para>Awaits see an abort that was requested before the poll they run in began, or during it by the task itself
/// (it aborted its own handle); one requested from elsewhere while the task runs is seen from its next poll on — the
/// request wakes the task, so that poll follows the current one at once (a task whose awaits keep completing is made
/// to yield by the cooperative budget). That is when Tokio's abort takes effect too: when the task is next polled.</para>
/// <para>Why: the precise question ("is the task on this thread aborted?") costs a thread-local read, which is the
/// largest single cost of a yield's resumption. So the harness counts, process-wide, the polls in progress whose
/// task is aborted (<see cref="EnterAbortedPoll"/>, <see cref="LeaveAbortedPoll"/>); while none is, no await's task
/// can be aborted and the thread-local read is skipped. The count is raised and lowered on the polling thread itself,
/// so that thread always sees its own poll counted; other threads' counts only send it down the precise path.</para>
/// <para><see cref="IsAbortRequestedNow"/> (behind <c>Async.IsAbortRequested</c>) keeps the precise answer: code that
/// polls it in a long computation sees a request from another thread at once.</para>
/// </remarks>
internal static class AbortCheck
{
    private static int s_abortedPolls;

    /// <summary>True when the task polling on this thread has been asked to abort, as awaits see it (see the remarks).</summary>
    internal static bool IsAbortRequested
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref s_abortedPolls) != 0 && TaskCore.Current is { AbortRequested: true };
    }

    /// <summary>True when the task polling on this thread has been asked to abort, however recently.</summary>
    internal static bool IsAbortRequestedNow => TaskCore.Current is { AbortRequested: true };

    /// <summary>Throws <see cref="TaskAbortedException"/> inside an aborted task. Inlined: every Tandem await's result passes here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ThrowIfAbortRequested()
    {
        if (Volatile.Read(ref s_abortedPolls) != 0 && TaskCore.Current is { AbortRequested: true } task) ThrowAborted(task.Id);
    }

    /// <summary>Counts a poll of an aborted task as begun (its polling thread, once per poll).</summary>
    internal static void EnterAbortedPoll() => Interlocked.Increment(ref s_abortedPolls);

    /// <summary>Counts a poll of an aborted task as ended (the thread that counted it in).</summary>
    internal static void LeaveAbortedPoll()
    {
        int left = Interlocked.Decrement(ref s_abortedPolls);
        Debug.Assert(left >= 0, "every aborted poll is counted out once, after it was counted in");
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    [StackTraceHidden]
    private static void ThrowAborted(long taskId) => throw new TaskAbortedException(taskId);
}
