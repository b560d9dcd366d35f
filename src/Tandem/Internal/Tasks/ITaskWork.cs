namespace Tandem.Internal.Tasks;

/// <summary>
/// A tier's part of one poll of one task, for <see cref="PollSite.Poll{TWork}"/>: its transitions before and after
/// the poll (how it marks a task running, then finished, requeued or waiting), the task's work, and its fault path.
/// </summary>
internal interface ITaskWork
{
    /// <summary>The tier's transition into the poll (owner thread, before the thread switches to the task).</summary>
    void BeforePoll();

    /// <summary>Advances the work (owner thread); true when the task finished, with its outcome recorded.</summary>
    bool Poll();

    /// <summary>Records <paramref name="exception"/>, which escaped the work, as the task's end (see
    /// <see cref="TaskOutcome.IsAbort"/>); returns true.</summary>
    bool Fail(Exception exception);

    /// <summary>The tier's transition out of the poll (owner thread, after the thread switched back): finish the task,
    /// queue it again, or leave it waiting for a wake.</summary>
    /// <param name="finished">Whether the task finished in this poll.</param>
    /// <returns><paramref name="finished"/>.</returns>
    bool AfterPoll(bool finished);
}
