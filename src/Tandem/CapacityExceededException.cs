namespace Tandem;

/// <summary>
/// Thrown by <c>Spawn</c> when a fixed-capacity scheduler or set is full. Nothing already
/// running is affected; <c>TrySpawn</c> reports the same condition by returning false.
/// </summary>
public sealed class CapacityExceededException : InvalidOperationException
{
    /// <summary>Creates the exception for a container of <paramref name="capacity"/>.</summary>
    /// <param name="what">What is full ("embedded scheduler", "join set", …).</param>
    /// <param name="capacity">Its capacity.</param>
    public CapacityExceededException(string what, int capacity)
        : base($"The {what} is full: all {capacity} of its slots hold unfinished tasks. Raise its capacity, or wait for tasks to finish.")
    {
        Capacity = capacity;
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public CapacityExceededException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public CapacityExceededException() : base("The capacity is exceeded.") { }

    /// <summary>The capacity that was exceeded.</summary>
    public int Capacity { get; }
}
