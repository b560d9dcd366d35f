namespace Tandem.Core;

/// <summary>Hears that a <see cref="TandemTask{T}"/> completed, without a delegate (the task runner itself listens).</summary>
internal interface ICompletionListener
{
    /// <summary>The awaited Tandem task completed; its result may now be read.</summary>
    void OnCompleted();
}
