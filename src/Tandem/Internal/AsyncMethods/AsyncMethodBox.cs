using System.Runtime.CompilerServices;

namespace Tandem.Internal.AsyncMethods;

/// <summary>
/// The heap home of a suspended Tandem async method: what its awaiters resume.
/// </summary>
/// <remarks>
/// A box bound to a task (<see cref="Resumable.Owner"/>) runs only inside that task's polls. A box bound to no task
/// (a Tandem method started outside any task) runs inline on the thread that resumes it, unless that thread is in
/// the middle of a task's poll: then it runs on the thread pool, so that it never adopts that task's context.
/// </remarks>
internal abstract class AsyncMethodBox : Resumable
{
    private Action? _resumeAction;

    /// <summary>
    /// The box as a delegate, for awaiters outside Tandem: queues this box on its owner task (or runs it when it
    /// has none). Made on first use and kept with the pooled box; Tandem's awaiters take the box itself.
    /// </summary>
    internal Action ResumeAction => _resumeAction ??= Resume;

    /// <summary>Advances the state machine to its next await (owner thread).</summary>
    internal abstract void MoveNext();

    /// <summary>The execution context the method had when it last suspended: each resumption runs in it, as a .NET
    /// async method's does, so values it set stay its own and values its caller set later do not reach it.</summary>
    private ExecutionContext? _context;

    /// <summary>Remembers the method's execution context as it suspends (the thread running it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CaptureContext()
    {
        // Usually the same context as at the last suspension: compared first, so that the common case stores nothing
        // (a reference store into the heap costs a GC write barrier, a measurable part of a yield).
        var current = AmbientContext.Current(Owner?.PollThread);
        if (!ReferenceEquals(current, _context)) _context = current;
    }

    /// <summary>Resumes the method in the context it suspended in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MoveNextInContext()
    {
        AmbientContext.RestoreIfChanged(Owner?.PollThread, _context);
        MoveNext();
    }

    internal override void Run()
    {
        if (InWaitList) Owner!.RemoveWait(this);
        MoveNextInContext();
    }

    /// <summary>
    /// Resumes the box from its owner's poll: inline when the caller is already polling that task,
    /// otherwise by queueing it there.
    /// </summary>
    internal void ResumeFromOwner()
    {
        var owner = Owner;
        if (owner is null) ResumeUnbound();
        else if (owner == TaskCore.Current && OwnerGeneration == Volatile.Read(ref owner.Generation)) MoveNextInContext();
        else owner.EnqueueReady(this); // which hands on the box of a finished task (an orphaned operation)
    }

    /// <summary>Queues the box on its owner task, or runs it when it has none.</summary>
    internal void Resume()
    {
        if (Owner is { } owner) owner.EnqueueReady(this);
        else ResumeUnbound();
    }

    private void ResumeUnbound()
    {
        if (IsOutsideTandem) MoveNextInContext();
        else RunWithoutOwner();
    }
}
