namespace Tandem;

/// <summary>Default capacities.</summary>
public static class TandemDefaults
{
    /// <summary>Tasks an embedded scheduler holds when no capacity is given.</summary>
    public const int DefaultMaxTasks = 16;

    /// <summary>Members a join set or futures-unordered set holds when no capacity is given.</summary>
    public const int DefaultMaxFutures = 32;
}
