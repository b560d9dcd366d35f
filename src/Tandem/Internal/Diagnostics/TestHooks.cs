using System.Diagnostics;

namespace Tandem.Internal.Diagnostics;

/// <summary>
/// Points in the lock-free code where a test can stop a thread, to force an interleaving that preemption
/// produces only rarely (a finisher running between two steps of a joiner). Compiled into Debug builds only:
/// in Release the calls vanish.
/// </summary>
/// <remarks>The hook is an <see cref="AsyncLocal{T}"/>: it flows from a test into the tasks it spawns, and into no
/// other test's.</remarks>
internal static class TestHooks
{
    private static readonly AsyncLocal<Action<HookPoint>?> s_hook = new();

    /// <summary>Calls <paramref name="hook"/> at every point reached by code running in the caller's flow.</summary>
    internal static void Install(Action<HookPoint>? hook) => s_hook.Value = hook;

    [Conditional("DEBUG")]
    internal static void Reach(HookPoint point) => s_hook.Value?.Invoke(point);
}

/// <summary>The places <see cref="TestHooks.Reach"/> is called from.</summary>
internal enum HookPoint
{
    /// <summary>A host join cell's registration holds its joiner lock and is about to write the joiner.</summary>
    JoinerLocked,

    /// <summary>A host join cell's registration found another registration holding the joiner lock, and spins.</summary>
    JoinerLockBusy,

    /// <summary>A task's ready list is about to push an item whose generation it has just checked.</summary>
    ReadyPushChecked,

    /// <summary>A task's ready list has just pushed an item from another thread and is about to re-check its generation.</summary>
    ReadyPushed,

    /// <summary>A waker on a thread other than the embedded loop's checked its task's generation and is about to set the registry flag.</summary>
    RegistryWakeChecked,

    /// <summary>A futures-unordered member's waker checked the member's generation and is about to mark it woken.</summary>
    MemberWakeChecked,

    /// <summary>A host join cell's join read a finished, unjoined state and is about to claim the join.</summary>
    JoinStateChecked,
}
