using System.Runtime.CompilerServices;

namespace Tandem.Internal.Tasks;

/// <summary>
/// The cooperative budget (after Tokio's <c>coop</c>): a task whose awaits keep completing at once — a channel that
/// always has a message, joins of tasks that already finished, a signal that is always set — never suspends, and
/// would hold its thread (and, at a strict priority, every peer of its level) for as long as that lasts. Each poll
/// gives the task <see cref="Budget"/> such completions; once they are spent, the next ready await reports "not
/// completed", the awaiter finds its operation ready and queues the task's resumption at once, and the task goes to
/// the back of its level like a yield.
/// </summary>
/// <remarks>Only Tandem's resource awaiters spend the budget (channels, joins, set signals); a yield or a delay suspends
/// anyway, and a nested method's completion is ordinary code.</remarks>
internal static class Coop
{
    /// <summary>Ready awaits per poll before the task is made to yield (Tokio's figure).</summary>
    internal const int Budget = 128;

    /// <summary>
    /// Spends one unit of the running task's budget for an await that could complete at once; false when the budget is
    /// spent (the caller then reports "not completed"). Outside a task there is no budget: true.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Proceed()
    {
        if (TaskCore.Current is not { } task) return true;
        if (task.CoopBudget <= 0) return false;
        task.CoopBudget--;
        return true;
    }
}
