using System.Runtime.CompilerServices;

namespace Tandem.Internal.Tasks;

/// <summary>
/// Direct access to a thread's synchronization context and execution context, for loops that switch them around
/// every poll.
/// </summary>
/// <remarks>
/// <para>The public API (<see cref="SynchronizationContext.SetSynchronizationContext"/>,
/// <see cref="ExecutionContext.Capture"/>) finds the current thread through thread-local storage on every call; on
/// Linux that lookup goes through <c>__tls_get_addr</c>, and two of them per poll were a sixth of an embedded yield.
/// A polling loop knows its thread, so it reads and writes the two fields of that <see cref="Thread"/> directly.</para>
/// <para>The fields are the runtime's own (<c>Thread._synchronizationContext</c>, <c>Thread._executionContext</c>, and
/// <c>ExecutionContext.m_isFlowSuppressed</c>, which tells a suppressed flow's context from a flowing one),
/// reached with <see cref="UnsafeAccessorAttribute"/>, which works under NativeAOT. <see cref="Available"/> probes them
/// once: on a runtime without them (a field renamed), it is false and the loops use the public API, unchanged in
/// behaviour. Setting the environment variable <c>TANDEM_THREAD_FIELDS=0</c> forces that fallback (CI runs the
/// conformance tests that way). Only reads and the plain store of the synchronization context go through here;
/// changing the execution context always uses <see cref="ExecutionContext.Restore"/>, which runs AsyncLocal
/// change handlers.</para>
/// </remarks>
internal static class ThreadAmbient
{
    /// <summary>True when this runtime has the three fields, with the meaning the probe checked.</summary>
    internal static readonly bool Available = Environment.GetEnvironmentVariable(SwitchVariable) != "0" && Probe();

    /// <summary>The environment variable that, set to <c>0</c>, makes the loops use the public API instead.</summary>
    internal const string SwitchVariable = "TANDEM_THREAD_FIELDS";

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_synchronizationContext")]
    internal static extern ref SynchronizationContext? SynchronizationContextOf(Thread thread);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_executionContext")]
    internal static extern ref ExecutionContext? ExecutionContextOf(Thread thread);

    /// <summary>True for a context the thread holds while its flow is suppressed (which
    /// <see cref="ExecutionContext.Capture"/> reports as null). Read only.</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "m_isFlowSuppressed")]
    internal static extern ref bool IsFlowSuppressedOf(ExecutionContext context);

    /// <summary>Checks the fields exist and mean what the public API says, on the calling thread, leaving its contexts as
    /// they were (the very objects). Run once, for <see cref="Available"/>; tests run it again.</summary>
    internal static bool Probe()
    {
        try
        {
            var thread = Thread.CurrentThread;
            var saved = SynchronizationContext.Current;
            var marker = new SynchronizationContext();
            SynchronizationContext.SetSynchronizationContext(marker);
            bool seen = ReferenceEquals(SynchronizationContextOf(thread), marker);
            SynchronizationContext.SetSynchronizationContext(saved);
            seen &= ReferenceEquals(SynchronizationContextOf(thread), saved);
            // The raw execution context is what Capture() reports, except that "none" reads as the default context.
            var raw = ExecutionContextOf(thread);
            var captured = ExecutionContext.Capture();
            seen &= raw is null ? captured is not null : ReferenceEquals(raw, captured) || ExecutionContext.IsFlowSuppressed();
            // A suppressed flow is a context object of its own, marked so.
            seen &= raw is null || IsFlowSuppressedOf(raw) == ExecutionContext.IsFlowSuppressed();
            if (!ExecutionContext.IsFlowSuppressed())
            {
                // Undoing a suppression leaves a copy of the context on the thread, not the object it had (for a thread
                // with none, an empty context where null was): the thread gets its own object back, or every task it
                // spawns would carry a context other than the one a polling loop on this thread starts from.
                ref var field = ref ExecutionContextOf(thread);
                var own = field;
                var flow = ExecutionContext.SuppressFlow();
                try
                {
                    seen &= field is { } suppressed && IsFlowSuppressedOf(suppressed);
                }
                finally
                {
                    flow.Undo();
                    field = own;
                }
            }
            return seen;
        }
        catch (MissingMemberException)
        {
            return false;
        }
    }
}
