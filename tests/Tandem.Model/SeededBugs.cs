namespace Tandem.Model;

/// <summary>
/// Test-only variants of the structures (compiled in the model build only): each reintroduces a bug the checker must
/// find within its bound. A model test turns one on, expects a <see cref="ModelFailure"/>, and turns it off.
/// </summary>
public static class SeededBugs
{
    /// <summary>The waker registry's drain clears its pending word after its scan instead of before: a signal that lands
    /// between the scan and the clear is left set but unannounced — a lost wake.</summary>
    public static bool DrainClearsPendingLast;

    /// <summary>The host's shard spin lock checks that it is free, then sets it, instead of taking it with one exchange:
    /// two threads can both enter.</summary>
    public static bool LockChecksThenSets;
}
