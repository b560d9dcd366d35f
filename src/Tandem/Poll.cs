namespace Tandem;

/// <summary>
/// The outcome of polling a future that produces no value: <see cref="Ready"/> or <see cref="Pending"/>.
/// </summary>
public readonly struct Poll : IEquatable<Poll>
{
    private Poll(bool ready) => IsReady = ready;

    /// <summary>The future finished.</summary>
    public static Poll Ready => new(true);

    /// <summary>The future has not finished and will signal its waker.</summary>
    public static Poll Pending => default;

    /// <summary>Creates a ready <see cref="Poll{T}"/> (type inference helper).</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The result.</param>
    /// <returns>A ready poll.</returns>
    public static Poll<T> FromResult<T>(T value) => Poll<T>.Ready(value);

    /// <summary>True when the future finished.</summary>
    public bool IsReady { get; }

    /// <summary>True when the future has not finished yet.</summary>
    public bool IsPending => !IsReady;

    /// <inheritdoc />
    public bool Equals(Poll other) => IsReady == other.IsReady;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Poll other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => IsReady ? 1 : 0;

    /// <summary>Compares two polls.</summary>
    /// <param name="left">The first poll.</param>
    /// <param name="right">The second poll.</param>
    /// <returns>True when both are ready or both pending.</returns>
    public static bool operator ==(Poll left, Poll right) => left.Equals(right);

    /// <summary>Compares two polls.</summary>
    /// <param name="left">The first poll.</param>
    /// <param name="right">The second poll.</param>
    /// <returns>True when they differ.</returns>
    public static bool operator !=(Poll left, Poll right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => IsReady ? "Ready" : "Pending";
}
