using Tandem.Core;

namespace Tandem.Tests.Conformance;

/// <summary>Builds the runtime of each tier for the conformance theories.</summary>
internal static class Runtimes
{
    /// <summary>Both tiers, for <c>[MemberData]</c>.</summary>
    public static TheoryData<RuntimeMode> Modes => new() { RuntimeMode.Embedded, RuntimeMode.Host };

    /// <summary>A runtime of <paramref name="mode"/>: the embedded one on a virtual clock (timed code runs instantly), the host one with two workers.</summary>
    internal static Runtime Create(RuntimeMode mode, int maxTasks = 1024) => Runtime.WithMode(mode, mode == RuntimeMode.Embedded
        ? new RuntimeOptions { MaxTasks = maxTasks, Clock = new VirtualClock() }
        : new RuntimeOptions { WorkerCount = 2 });
}
