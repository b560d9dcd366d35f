namespace Tandem;

/// <summary>Conversions and validation for <see cref="Priority"/>.</summary>
public static class Priorities
{
    /// <summary>The number of priority levels (5).</summary>
    public const int Count = 5;

    /// <summary>Every level, from <see cref="Priority.Critical"/> to <see cref="Priority.Idle"/>.</summary>
    public static ReadOnlySpan<Priority> All => [Priority.Critical, Priority.High, Priority.Normal, Priority.Low, Priority.Idle];

    /// <summary>The level's number: Critical = 0 … Idle = 4.</summary>
    /// <param name="priority">The level.</param>
    /// <returns>Its number.</returns>
    public static int ToInt32(this Priority priority) => (int)priority;

    /// <summary>Converts a number in 0..4 to its level.</summary>
    /// <param name="value">The level's number.</param>
    /// <returns>The level.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is outside 0..4.</exception>
    public static Priority FromInt32(int value) =>
        TryFromInt32(value, out var p)
            ? p
            : throw new ArgumentOutOfRangeException(nameof(value), value, "A priority is 0 (Critical) to 4 (Idle).");

    /// <summary>Converts a number to its level without throwing.</summary>
    /// <param name="value">The level's number.</param>
    /// <param name="priority">The level, when valid.</param>
    /// <returns>True when <paramref name="value"/> is in 0..4.</returns>
    public static bool TryFromInt32(int value, out Priority priority)
    {
        priority = (Priority)value;
        return (uint)value < Count;
    }

    /// <summary>Parses a level's name (case-insensitive) or number.</summary>
    /// <param name="text">"Critical", "high", "2", …</param>
    /// <returns>The level.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="text"/> names no level.</exception>
    public static Priority Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var p)
            ? p
            : throw new ArgumentOutOfRangeException(nameof(text), text, "A priority is one of Critical, High, Normal, Low, Idle, or 0..4.");
    }

    /// <summary>Parses a level's name (case-insensitive) or number without throwing.</summary>
    /// <param name="text">"Critical", "high", "2", …</param>
    /// <param name="priority">The level, when valid.</param>
    /// <returns>True when <paramref name="text"/> names a level.</returns>
    public static bool TryParse(string? text, out Priority priority)
    {
        priority = Priority.Normal;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        if (int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int n))
            return TryFromInt32(n, out priority);
        foreach (var candidate in All)
        {
            if (string.Equals(text, candidate.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                priority = candidate;
                return true;
            }
        }
        return false;
    }

    /// <summary>True when <paramref name="priority"/> is one of the five levels.</summary>
    /// <param name="priority">A value that may have been cast from an integer.</param>
    /// <returns>True for Critical..Idle.</returns>
    public static bool IsDefined(this Priority priority) => (uint)priority < Count;

    internal static void Validate(Priority priority, string paramName)
    {
        if ((uint)priority >= Count)
            throw new ArgumentOutOfRangeException(paramName, priority, "A priority is Critical (0) to Idle (4).");
    }
}
