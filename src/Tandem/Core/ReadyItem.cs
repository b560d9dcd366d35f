namespace Tandem.Core;

/// <summary>
/// A resumption queued on a task: a suspended state machine, or a callback posted to the task.
/// Items form an intrusive list, so queueing one allocates nothing.
/// </summary>
internal abstract class ReadyItem
{
    /// <summary>The next item of the task's ready list; owned by that list while queued.</summary>
    internal ReadyItem? NextReady;

    /// <summary>Runs the resumption on the thread polling its task.</summary>
    internal abstract void Run();
}
