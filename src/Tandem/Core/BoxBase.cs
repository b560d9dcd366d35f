namespace Tandem.Core;

/// <summary>
/// The heap home of a suspended Tandem async method: what its awaiters resume.
/// </summary>
internal abstract class BoxBase : Resumable
{
    private Action? _resumeAction;

    /// <summary>
    /// The box as a delegate, for awaiters outside Tandem: queues this box on its owner task (or runs it when it
    /// has none). Made on first use and kept with the pooled box; Tandem's awaiters take the box itself.
    /// </summary>
    internal Action ResumeAction => _resumeAction ??= Resume;

    /// <summary>Advances the state machine to its next await (owner thread).</summary>
    internal abstract void MoveNext();

    internal override void Run()
    {
        if (InWaitList) Owner!.RemoveWait(this);
        MoveNext();
    }

    /// <summary>
    /// Resumes the box from its owner's poll: inline when the caller is already polling that task,
    /// otherwise by queueing it there.
    /// </summary>
    internal void ResumeFromOwner()
    {
        var owner = Owner;
        if (owner is null || (owner == TaskCore.Current && OwnerGeneration == Volatile.Read(ref owner.Generation))) MoveNext();
        else owner.EnqueueReady(this); // which drops the box of a finished task (an orphaned operation)
    }

    /// <summary>Queues the box on its owner task, or runs it inline when it has none.</summary>
    internal void Resume()
    {
        if (Owner is { } owner) owner.EnqueueReady(this);
        else MoveNext();
    }
}
