using Tandem;
using Xunit.Abstractions;

namespace Tandem.Tests.Conformance;

/// <summary>Builds the runtime of each tier for the conformance theories.</summary>
internal static class Runtimes
{
    /// <summary>
    /// Every tier a conformance theory runs on: the embedded one, and the host one with one, two and four workers
    /// (as Tokio's <c>rt_common</c> runs its tests on each runtime flavour), for <c>[MemberData]</c>.
    /// </summary>
    public static TheoryData<Tier> Modes => new() { Tier.Embedded, Tier.Host(1), Tier.Host(2), Tier.Host(4) };

    /// <summary>The tiers that run every task on one thread: the embedded one, and the host one with one worker.</summary>
    public static TheoryData<Tier> SingleThreaded => new() { Tier.Embedded, Tier.Host(1) };

    /// <summary>A runtime of <paramref name="tier"/>: the embedded one on a virtual clock (timed code runs instantly).</summary>
    internal static Runtime Create(Tier tier, int maxTasks = 1024) => Runtime.WithMode(tier.Mode, tier.Mode == RuntimeMode.Embedded
        ? new RuntimeOptions { MaxTasks = maxTasks, Clock = new VirtualClock() }
        : new RuntimeOptions { WorkerCount = tier.Workers });
}

/// <summary>A tier for a theory: its mode, and its worker count on the host tier. Compares with a <see cref="RuntimeMode"/>.</summary>
public sealed class Tier : IXunitSerializable, IEquatable<Tier>
{
    /// <summary>For the serializer.</summary>
    public Tier()
    {
    }

    private Tier(RuntimeMode mode, int workers) => (Mode, Workers) = (mode, workers);

    internal static Tier Embedded => new(RuntimeMode.Embedded, 0);

    internal static Tier Host(int workers) => new(RuntimeMode.Host, workers);

    /// <summary>The tier.</summary>
    public RuntimeMode Mode { get; private set; }

    /// <summary>The host tier's workers (0 on the embedded tier).</summary>
    public int Workers { get; private set; }

    /// <summary>The tier's mode, where a <see cref="RuntimeMode"/> is expected.</summary>
    public static implicit operator RuntimeMode(Tier tier) => tier.Mode;

    /// <summary>True when <paramref name="tier"/> is of <paramref name="mode"/>.</summary>
    public static bool operator ==(Tier tier, RuntimeMode mode) => tier.Mode == mode;

    /// <summary>True when <paramref name="tier"/> is not of <paramref name="mode"/>.</summary>
    public static bool operator !=(Tier tier, RuntimeMode mode) => tier.Mode != mode;

    /// <inheritdoc />
    public bool Equals(Tier? other) => other is not null && Mode == other.Mode && Workers == other.Workers;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Tier other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Mode, Workers);

    /// <inheritdoc />
    public override string ToString() => Mode == RuntimeMode.Embedded ? "Embedded" : $"Host({Workers} workers)";

    /// <inheritdoc />
    public void Deserialize(IXunitSerializationInfo info)
    {
        Mode = (RuntimeMode)info.GetValue<int>(nameof(Mode));
        Workers = info.GetValue<int>(nameof(Workers));
    }

    /// <inheritdoc />
    public void Serialize(IXunitSerializationInfo info)
    {
        info.AddValue(nameof(Mode), (int)Mode);
        info.AddValue(nameof(Workers), Workers);
    }
}
