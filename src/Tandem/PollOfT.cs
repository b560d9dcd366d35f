using System.Diagnostics.CodeAnalysis;

namespace Tandem;

/// <summary>
/// The outcome of polling a future that produces a <typeparamref name="T"/>: either
/// <see cref="IsReady">ready</see> with its value, or pending (the future has arranged for
/// its waker to be signalled when it can make progress).
/// </summary>
/// <typeparam name="T">The type of the value a ready poll carries.</typeparam>
public readonly struct Poll<T> : IEquatable<Poll<T>>
{
    private readonly T _value;

    private Poll(T value)
    {
        _value = value;
        IsReady = true;
    }

    /// <summary>A pending poll: the future is not done and will signal its waker.</summary>
    public static Poll<T> Pending => default;

    /// <summary>Creates a ready poll carrying <paramref name="value"/>.</summary>
    /// <param name="value">The future's result.</param>
    /// <returns>A ready poll.</returns>
    public static Poll<T> Ready(T value) => new(value);

    /// <summary>True when the future finished and <see cref="Value"/> holds its result.</summary>
    public bool IsReady { get; }

    /// <summary>True when the future has not finished yet.</summary>
    public bool IsPending => !IsReady;

    /// <summary>The result of a ready poll.</summary>
    /// <exception cref="InvalidOperationException">The poll is pending.</exception>
    public T Value => IsReady ? _value : throw new InvalidOperationException("A pending poll has no value.");

    /// <summary>Gets the value of a ready poll without throwing.</summary>
    /// <param name="value">The value when ready; otherwise the default.</param>
    /// <returns>True when the poll is ready.</returns>
    public bool TryGetValue([MaybeNullWhen(false)] out T value)
    {
        value = _value;
        return IsReady;
    }

    /// <summary>Converts a ready value into a ready poll.</summary>
    /// <param name="value">The result.</param>
    public static implicit operator Poll<T>(T value) => new(value);

    /// <summary>Converts the non-generic pending poll into a pending poll of any type.</summary>
    /// <param name="poll">A non-generic poll; it must be pending.</param>
    /// <exception cref="InvalidOperationException">The poll is ready: a non-generic ready poll carries no value.</exception>
    public static implicit operator Poll<T>(Poll poll) =>
        poll.IsPending ? default : throw new InvalidOperationException("A non-generic ready poll carries no value for Poll<T>.");

    /// <inheritdoc />
    public bool Equals(Poll<T> other) =>
        IsReady == other.IsReady && (!IsReady || EqualityComparer<T>.Default.Equals(_value, other._value));

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Poll<T> other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => IsReady ? HashCode.Combine(true, _value) : 0;

    /// <summary>Compares two polls by readiness and value.</summary>
    /// <param name="left">The first poll.</param>
    /// <param name="right">The second poll.</param>
    /// <returns>True when both are pending, or both ready with equal values.</returns>
    public static bool operator ==(Poll<T> left, Poll<T> right) => left.Equals(right);

    /// <summary>Compares two polls by readiness and value.</summary>
    /// <param name="left">The first poll.</param>
    /// <param name="right">The second poll.</param>
    /// <returns>True when they differ.</returns>
    public static bool operator !=(Poll<T> left, Poll<T> right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => IsReady ? $"Ready({_value})" : "Pending";
}
