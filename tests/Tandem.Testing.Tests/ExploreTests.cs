namespace Tandem.Testing.Tests;

/// <summary>Explore finds a failing seed, its exception says how to replay it, and Replay reproduces it exactly.</summary>
public class ExploreTests
{
    /// <summary>A lost update that only some interleavings show.</summary>
    private static async TandemTask LostUpdate(Simulation sim)
    {
        int counter = 0;
        async TandemTask Increment(int before)
        {
            for (int i = 0; i < before; i++) await Async.Yield();
            int read = counter;
            await Async.Yield();
            counter = read + 1;
        }
        var a = sim.Runtime.Spawn(() => Increment(0));
        var b = sim.Runtime.Spawn(() => Increment(3));
        await a; await b;
        if (counter != 2) throw new InvalidOperationException($"counter is {counter}");
    }

    /// <summary>Explore reports the first failing seed with the body's exception inside, the schedule, the trace, and a
    /// message naming the seed and Simulation.Replay; replaying that seed fails the same way with the same trace.</summary>
    [Fact]
    public void ExploreFindsAndReplayReproduces()
    {
        var failure = Assert.Throws<SimulationFailedException>(() => Simulation.Explore(500, LostUpdate));
        Assert.IsType<InvalidOperationException>(failure.InnerException);
        Assert.Equal("counter is 1", failure.InnerException!.Message);
        Assert.Equal(failure.Seed + 1, failure.SeedsRun); // seeds 0, 1, … in turn
        Assert.Contains($"seed {failure.Seed}", failure.Message);
        Assert.Contains($"Simulation.Replay({failure.Seed}", failure.Message);
        Assert.Contains(failure.Trace.Hash, failure.Message);
        Assert.Contains("poll t", failure.Message);

        for (int i = 0; i < 3; i++)
        {
            var replay = Assert.Throws<SimulationFailedException>(() => Simulation.Replay(failure.Seed, LostUpdate));
            Assert.Equal(failure.Trace, replay.Trace);
            Assert.Equal(failure.Trace.Lines, replay.Trace.Lines);
            Assert.Equal("counter is 1", replay.InnerException!.Message);
        }
    }

    /// <summary>Explore over an explicit range of seeds starts at its first, and a passing body reports what ran.</summary>
    [Fact]
    public void ExploreOverARangeAndAPassingBody()
    {
        var failure = Assert.Throws<SimulationFailedException>(() => Simulation.Explore(Enumerable.Range(1000, 500).Select(i => (long)i), LostUpdate));
        Assert.True(failure.Seed >= 1000);
        var passed = Simulation.Explore(200, async sim => { await Async.Yield(); });
        Assert.Equal(200, passed.SeedsRun);
        Assert.Equal(400, passed.Polls);
        Assert.True(passed.SeedsPerSecond > 0);
    }

    /// <summary>Explore shrinks the failing schedule: it undoes the picks that differ from first ready, first run while
    /// the run still fails the same way, and reports the result as a schedule string that Replay runs again exactly.</summary>
    [Fact]
    public void ExploreShrinksTheFailingSchedule()
    {
        var failure = Assert.Throws<SimulationFailedException>(() => Simulation.Explore(500, LostUpdate));
        Assert.NotNull(failure.ShrunkSchedule);
        Assert.StartsWith($"{failure.Seed}:", failure.ShrunkSchedule);
        Assert.Contains($"Simulation.Replay(\"{failure.ShrunkSchedule}\"", failure.Message);
        int deviations = failure.ShrunkSchedule!.Split(':')[1].Split(',', StringSplitOptions.RemoveEmptyEntries).Length;
        int originalDeviations = failure.Trace.Lines.Count(l => l.StartsWith("poll", StringComparison.Ordinal) && l.Contains("ready at") && !l.Contains("(1 of", StringComparison.Ordinal));
        Assert.InRange(deviations, 1, Math.Max(1, originalDeviations));

        var replay = Assert.Throws<SimulationFailedException>(() => Simulation.Replay(failure.ShrunkSchedule, LostUpdate));
        Assert.Equal(failure.ShrunkTrace, replay.Trace);
        Assert.Equal("counter is 1", replay.InnerException!.Message);
        Assert.Contains("ready picks imposed", replay.Trace.Lines[0]);

        // Undoing any one of the remaining deviations makes the run pass: the schedule is as simple as that search gets.
        var pairs = failure.ShrunkSchedule.Split(':')[1].Split(',', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < pairs.Length; i++)
        {
            string without = $"{failure.Seed}:{string.Join(",", pairs.Where((_, k) => k != i))}";
            Simulation.Replay(without, LostUpdate);
        }

        Assert.Throws<FormatException>(() => Simulation.Replay("x:1=2", LostUpdate));
        Assert.Throws<FormatException>(() => Simulation.Replay("3:1-2", LostUpdate));
        var unshrunk = Assert.Throws<SimulationFailedException>(() => Simulation.Explore(500, LostUpdate, new SimulationOptions { ShrinkRuns = 0 }));
        Assert.Null(unshrunk.ShrunkSchedule);
    }

    /// <summary>With ShrinkSeeds, Explore keeps trying after the first failure and reports the failing seed of the
    /// shortest trace, naming the first one too.</summary>
    [Fact]
    public void ShrinkingReportsTheShortestFailingTrace()
    {
        // A bug that needs 3 particular picks; the body does a varying amount of work first, so traces differ in length.
        static async TandemTask Body(Simulation sim)
        {
            int warmup = sim.Random.Next(20);
            for (int i = 0; i < warmup; i++) await Async.Yield();
            await LostUpdate(sim);
        }
        var first = Assert.Throws<SimulationFailedException>(() => Simulation.Explore(2000, Body));
        var shrunk = Assert.Throws<SimulationFailedException>(() => Simulation.Explore(2000, Body, new SimulationOptions { ShrinkSeeds = 200 }));
        Assert.Equal(first.Seed, shrunk.FirstFailingSeed);
        Assert.True(shrunk.Trace.Count <= first.Trace.Count);
        var replay = Assert.Throws<SimulationFailedException>(() => Simulation.Replay(shrunk.Seed, Body));
        Assert.Equal(shrunk.Trace, replay.Trace);
    }

    /// <summary>Simulation failures work from any test framework: Run throws an ordinary exception for a failing body,
    /// and returns for a passing one.</summary>
    [Fact]
    public void RunThrowsForAFailingBody()
    {
        var e = Assert.Throws<SimulationFailedException>(() => Simulation.Run(3, async sim =>
        {
            await Async.Delay(TimeSpan.FromSeconds(1));
            throw new ArgumentException("boom");
        }));
        Assert.IsType<ArgumentException>(e.InnerException);
        Assert.Equal(3, e.Seed);
        Assert.Equal(1, e.SeedsRun);
    }
}
