using System.Runtime.CompilerServices;

namespace Tandem.Internal.Tasks;

/// <summary>
/// Saving and restoring a thread's <see cref="ExecutionContext"/> (its <see cref="AsyncLocal{T}"/> values) the way .NET's
/// async methods do: a method's changes stay inside it — undone when its synchronous part returns to its caller, and
/// each of its resumptions runs in the context it had when it suspended.
/// </summary>
/// <remarks>
/// <para>Through the thread's own field when <see cref="ThreadAmbient.Available"/> (a load and a compare when nothing
/// changed, which is always when no <c>AsyncLocal</c> is in use), else through the public API. A raw field of null is
/// the default (empty) context; restoring it goes through <see cref="ExecutionContext.Restore"/> with the runtime's
/// default context object, so that <c>AsyncLocal</c> change handlers are told, as .NET's own builders tell them.</para>
/// </remarks>
internal static class AmbientContext
{
    /// <summary>The runtime's default (empty) context object, which a thread holds as null; null when the fast path is off.</summary>
    private static readonly ExecutionContext? s_default = ReadDefault();

    /// <summary>The calling thread's context, as it will be compared and restored (a raw field value on the fast path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ExecutionContext? Current(Thread? thread) =>
        ThreadAmbient.Available ? ThreadAmbient.ExecutionContextOf(thread ?? Thread.CurrentThread) : ExecutionContext.Capture();

    /// <summary>What <see cref="ExecutionContext.Capture"/> on <paramref name="thread"/> (the calling thread, its fields
    /// reachable) returns — the thread's context, the default one for none, null while the flow is suppressed — read
    /// from its fields: no thread-local lookup.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ExecutionContext? CaptureOn(Thread thread)
    {
        var raw = ThreadAmbient.ExecutionContextOf(thread);
        if (raw is null) return s_default;
        return ThreadAmbient.IsFlowSuppressedOf(raw) ? null : raw;
    }

    /// <summary>Puts <paramref name="saved"/> (from <see cref="Current"/>) back on the calling thread if it changed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RestoreIfChanged(Thread? thread, ExecutionContext? saved)
    {
        if (ThreadAmbient.Available)
        {
            if (!ReferenceEquals(ThreadAmbient.ExecutionContextOf(thread ?? Thread.CurrentThread), saved)) Restore(saved);
        }
        else if (saved is not null && !ReferenceEquals(ExecutionContext.Capture(), saved))
        {
            ExecutionContext.Restore(saved);
        }
    }

    /// <summary>Saves the calling thread's execution and synchronization contexts around a method's synchronous part.</summary>
    internal readonly struct Scope
    {
        private readonly Thread? _thread; // the polling thread, when its fields are reachable; else the public API is used
        private readonly ExecutionContext? _execution;
        private readonly SynchronizationContext? _synchronization;

        private Scope(Thread? thread, ExecutionContext? execution, SynchronizationContext? synchronization)
        {
            _thread = thread;
            _execution = execution;
            _synchronization = synchronization;
        }

        /// <summary>Saves the calling thread's contexts.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Scope Enter()
        {
            // Inside a poll the task knows its thread (one thread-local lookup for the task, then plain loads).
            if (TaskCore.Current?.PollThread is { } thread)
                return new(thread, ThreadAmbient.ExecutionContextOf(thread), ThreadAmbient.SynchronizationContextOf(thread));
            return new(null, Current(null), SynchronizationContext.Current);
        }

        /// <summary>Puts the saved contexts back if the method changed them.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal void Exit()
        {
            if (_thread is { } thread)
            {
                if (!ReferenceEquals(ThreadAmbient.ExecutionContextOf(thread), _execution)) Restore(_execution);
                ref var synchronization = ref ThreadAmbient.SynchronizationContextOf(thread);
                if (!ReferenceEquals(synchronization, _synchronization)) synchronization = _synchronization;
                return;
            }
            RestoreIfChanged(null, _execution);
            if (!ReferenceEquals(SynchronizationContext.Current, _synchronization)) SynchronizationContext.SetSynchronizationContext(_synchronization);
        }
    }

    /// <summary>Puts <paramref name="raw"/> (a thread's own field: null for none, or a flow-suppressed context) back on the
    /// calling thread, through <see cref="ExecutionContext.Restore"/> so that change handlers run.</summary>
    internal static void RestoreRaw(ExecutionContext? raw) => Restore(raw);

    private static void Restore(ExecutionContext? raw)
    {
        var context = raw ?? s_default;
        if (context is not null) ExecutionContext.Restore(context);
    }

    private static ExecutionContext? ReadDefault()
    {
        if (!ThreadAmbient.Available) return null;
        ref var field = ref ThreadAmbient.ExecutionContextOf(Thread.CurrentThread);
        var saved = field;
        field = null; // for a moment, as a thread that never set a value: Capture() then reports the default context
        try
        {
            return ExecutionContext.Capture();
        }
        finally
        {
            field = saved;
        }
    }
}
