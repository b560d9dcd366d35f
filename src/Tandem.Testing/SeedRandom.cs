namespace Tandem.Testing;

/// <summary>SplitMix64: small, fast, and the same sequence for a seed on every platform and .NET version.</summary>
internal struct SeedRandom(long seed)
{
    private ulong _state = unchecked((ulong)seed) ^ 0x5DEECE66DUL;

    internal ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, <paramref name="max"/>); <paramref name="max"/> is at least 1.</summary>
    internal int Next(int max) => (int)((NextUInt64() >> 33) % (ulong)max);

    /// <summary>Uniform in [0, 1).</summary>
    internal double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, <paramref name="max"/>].</summary>
    internal long NextInclusive(long max) => max <= 0 ? 0 : (long)(NextUInt64() % (ulong)(max + 1));

    /// <summary>Shuffles <paramref name="items"/> (Fisher–Yates).</summary>
    internal void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
