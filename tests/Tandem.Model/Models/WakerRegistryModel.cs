using Tandem.Embedded;

namespace Tandem.Model;

/// <summary>Models of the waker registry: a signal racing a drain is never lost.</summary>
public class WakerRegistryModel(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>
    /// One thread signals two flags; the loop's thread checks for signals and drains twice. However they interleave,
    /// every flag signalled is either taken by a drain or still announced (<see cref="WakerRegistry.HasSignals"/>), so the
    /// loop's next pick takes it: nothing is lost.
    /// </summary>
    private static (Action[] Threads, Action Check) SignalRacingDrain()
    {
        var registry = new WakerRegistry(128);
        var drained = new List<int>();
        void Loop()
        {
            for (int round = 0; round < 2; round++)
                if (registry.HasSignals) registry.Drain(drained, static (list, index) => list.Add(index));
        }
        void Signaller()
        {
            registry.Signal(3);
            registry.Signal(70); // another word and summary bit
        }
        void Check()
        {
            var seen = new List<int>(drained);
            if (registry.HasSignals) registry.Drain(seen, static (list, index) => list.Add(index)); // the loop's next pick
            if (!seen.Contains(3) || !seen.Contains(70))
                throw new InvalidOperationException($"lost wake: drained [{string.Join(",", seen)}], announced {registry.HasSignals}");
            if (seen.Count != seen.Distinct().Count()) throw new InvalidOperationException("a flag was taken twice");
        }
        return ([Loop, Signaller], Check);
    }

    [Fact]
    public void ASignalRacingADrainIsNeverLost()
    {
        var report = ModelChecker.Explore(SignalRacingDrain, preemptionBound: 3);
        output.WriteLine($"{report.Schedules} schedules in {report.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(report.Schedules > 10, $"only {report.Schedules} schedules explored");
    }

    [Fact]
    public void TheCheckerFindsTheSeededLostWake()
    {
        SeededBugs.DrainClearsPendingLast = true;
        try
        {
            var failure = Assert.Throws<ModelFailure>(() => ModelChecker.Explore(SignalRacingDrain, preemptionBound: 2));
            output.WriteLine(failure.Message);
            Assert.Contains("lost wake", failure.Message);
            // The printed schedule replays the failure exactly.
            Assert.Throws<ModelFailure>(() => ModelChecker.Replay(SignalRacingDrain, failure.Schedule));
        }
        finally
        {
            SeededBugs.DrainClearsPendingLast = false;
        }
    }
}
