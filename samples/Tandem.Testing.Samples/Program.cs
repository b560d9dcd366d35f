using Tandem;
using System.Diagnostics;
using Tandem.Testing;
using Tandem.Testing.Samples;

// Explores each of the three buggy programs until a seed fails, replays that seed, and checks the fixed program passes
// the same seeds. With --stats N it runs N independent explorations of each (seed ranges 0.., 1000.., …) and prints how
// many seeds it took on average to find each bug, and the time per seed.
if (args.Length == 2 && args[0] == "--hash")
{
    // One run of a fixed program, for the test that a seed gives the same trace in every process.
    var result = Simulation.Run(long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), sim => AccountScenario.Run(sim, true));
    Console.WriteLine(result.Trace.Hash);
    return 0;
}
int rounds = args.Length == 2 && args[0] == "--stats" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1;
var scenarios = new (string Name, Func<Simulation, bool, TandemTask> Body, SimulationOptions Options)[]
{
    ("check-then-act race on an async cache", CacheScenario.Run, new SimulationOptions()),
    ("lost update across an await", AccountScenario.Run, new SimulationOptions()),
    ("timeout that fires after success", TimeoutScenario.Run, TimeoutScenario.Options),
};
foreach (var (name, body, options) in scenarios)
{
    var found = new List<int>();
    long seedsRun = 0;
    var clock = Stopwatch.StartNew();
    SimulationFailedException? first = null;
    for (int r = 0; r < rounds; r++)
    {
        var seeds = Enumerable.Range(r * 1000, 1000).Select(i => (long)i);
        try
        {
            // Timed without shrinking: the figure is the cost of finding the bug.
            Simulation.Explore(seeds, sim => body(sim, false), options with { ShrinkRuns = 0 });
            Console.WriteLine($"{name}: not found in 1000 seeds");
            return 1;
        }
        catch (SimulationFailedException e)
        {
            first ??= e;
            found.Add(e.SeedsRun);
            seedsRun += e.SeedsRun;
        }
    }
    double perSeedUs = clock.Elapsed.TotalMicroseconds / seedsRun;
    Console.WriteLine($"{name}: found after {found.Average():0.#} seeds on average (min {found.Min()}, max {found.Max()}, {rounds} explorations), {perSeedUs:0} µs a seed while exploring (a simulation thread per exploration, included)");
    Console.WriteLine($"  seed {first!.Seed}: {first.InnerException!.Message}");
    try
    {
        Simulation.Explore(Enumerable.Range(0, 1000).Select(i => (long)i), sim => body(sim, false), options);
    }
    catch (SimulationFailedException shrunk) when (shrunk.ShrunkSchedule is { } schedule)
    {
        Console.WriteLine($"  shrunk schedule: {schedule} ({shrunk.ShrunkTrace!.Polls} polls)");
    }
    try
    {
        Simulation.Replay(first.Seed, sim => body(sim, false), options);
        Console.WriteLine("  replay passed?!");
        return 1;
    }
    catch (SimulationFailedException replay)
    {
        Console.WriteLine($"  replayed: {(replay.Trace.Equals(first.Trace) ? "the same trace" : "A DIFFERENT TRACE")} ({replay.Trace.Polls} polls, hash {replay.Trace.Hash})");
        if (!replay.Trace.Equals(first.Trace)) return 1;
    }
    var passed = Simulation.Explore(1000, sim => body(sim, true), options);
    Console.WriteLine($"  fixed: {passed.SeedsRun} seeds pass ({passed.SeedsPerSecond:0} seeds/s)");
}
return 0;
