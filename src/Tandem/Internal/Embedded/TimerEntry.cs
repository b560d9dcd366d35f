namespace Tandem.Internal.Embedded;

/// <summary>One pending timer of the embedded tier: when it is due, its place in the order timers were added (which
/// breaks ties between equal deadlines, so runs stay deterministic), and what it resumes.</summary>
/// <param name="Deadline">When it is due, in the scheduler clock's timestamps.</param>
/// <param name="Sequence">Its number in the order of adding; never reused.</param>
/// <param name="Wait">What firing it resumes.</param>
internal readonly record struct TimerEntry(long Deadline, long Sequence, ClaimableWait Wait)
{
    /// <summary>True when <paramref name="a"/> fires before <paramref name="b"/>: an earlier deadline, or the same one and
    /// added first.</summary>
    internal static bool Earlier(in TimerEntry a, in TimerEntry b) =>
        a.Deadline < b.Deadline || (a.Deadline == b.Deadline && a.Sequence < b.Sequence);
}
