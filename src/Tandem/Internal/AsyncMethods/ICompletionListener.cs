namespace Tandem.Internal.AsyncMethods;

/// <summary>Hears that a <see cref="TandemTask{T}"/> completed, without a delegate (the task runner itself listens).</summary>
internal interface ICompletionListener
{
    /// <summary>The awaited Tandem task completed; its result may now be read.</summary>
    /// <param name="completedBy">The task whose poll completed it (the owner of the completed method), or null when
    /// it completed outside any task. A listener that is not that task must wake itself to see the result.</param>
    void OnCompleted(TaskCore? completedBy);
}
