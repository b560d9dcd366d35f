namespace Tandem.Testing;

/// <summary>In-memory connections for a simulation (filled in below).</summary>
public sealed class SimulatedNetwork
{
    private readonly Simulation _sim;

    internal SimulatedNetwork(Simulation sim) => _sim = sim;
}
