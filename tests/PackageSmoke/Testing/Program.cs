using Tandem;
using Tandem.Testing;

// Tandem.Testing installed from the package: Explore finds a lost update, Replay reproduces it, the fix passes.
static Func<Simulation, TandemTask> Body(bool fixedIncrement) => async sim =>
{
    int counter = 0;
    async TandemTask Increment(int before)
    {
        for (int i = 0; i < before; i++) await Async.Yield();
        if (fixedIncrement)
        {
            counter++;
            await Async.Yield();
            return;
        }
        int read = counter;
        await Async.Yield();
        counter = read + 1;
    }
    var a = sim.Runtime.Spawn(() => Increment(0));
    var b = sim.Runtime.Spawn(() => Increment(3));
    await a;
    await b;
    await Task.Delay(TimeSpan.FromHours(1), sim.Clock); // TimeProvider code on virtual time
    if (counter != 2) throw new InvalidOperationException($"counter is {counter}");
};

try
{
    Simulation.Explore(500, Body(false));
    Console.WriteLine("not found");
    return 1;
}
catch (SimulationFailedException e)
{
    var replay = Assert(() => Simulation.Replay(e.Seed, Body(false)));
    if (!replay.Trace.Equals(e.Trace)) return 1;
    Console.WriteLine($"found with seed {e.Seed}, replayed with the same trace {replay.Trace.Hash}");
}
var passed = Simulation.Explore(500, Body(true));
Console.WriteLine($"fixed: {passed.SeedsRun} seeds pass");
return 0;

static SimulationFailedException Assert(Action run)
{
    try { run(); }
    catch (SimulationFailedException e) { return e; }
    throw new InvalidOperationException("the replay passed");
}
