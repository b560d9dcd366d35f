namespace Tandem.Bench.Soak;

/// <summary>What a soak counted, across both tiers and all threads.</summary>
internal sealed class SoakCounters
{
    /// <summary>Tasks spawned (every kind).</summary>
    public long Spawned;

    /// <summary>Tasks whose end was seen: by a joiner (result, fault or abort), or by the unobserved-exception event.</summary>
    public long Ended;

    /// <summary>Faults thrown on purpose.</summary>
    public long FaultsInjected;

    /// <summary>Injected faults that reached a joiner or the unobserved-exception event.</summary>
    public long FaultsSurfaced;

    public void Spawn(int count = 1) => Interlocked.Add(ref Spawned, count);

    public void End(int count = 1) => Interlocked.Add(ref Ended, count);

    public void Inject() => Interlocked.Increment(ref FaultsInjected);

    public void Surface() => Interlocked.Increment(ref FaultsSurfaced);
}

/// <summary>A fault thrown on purpose by the soak's workload.</summary>
internal sealed class InjectedFault() : Exception("injected by the soak");
