namespace Tandem.Core;

/// <summary>
/// The heap home of a suspended Tandem async method: what its awaiters resume.
/// </summary>
internal abstract class BoxBase : Resumable
{
    /// <summary>Cached delegate handed to awaiters: queues this box on its owner task (or runs it when it has none).</summary>
    internal readonly Action ResumeAction;

    protected BoxBase() => ResumeAction = Resume;

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
        if (owner is null || owner == TaskCore.Current) MoveNext();
        else owner.EnqueueReady(this);
    }

    private void Resume()
    {
        if (Owner is { } owner) owner.EnqueueReady(this);
        else MoveNext();
    }
}
