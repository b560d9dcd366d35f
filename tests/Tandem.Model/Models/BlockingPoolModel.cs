namespace Tandem.Model.Models;

/// <summary>
/// Models of the blocking pool's thread lifecycle (the review's defect 2): threads start on demand up to the bound and
/// exit when they find no work; in the model build they are logical threads of the checker, and the pool's monitor is one
/// the checker schedules (<see cref="PoolMonitor"/>). Every job queued runs — none waits behind a thread that is exiting.
/// </summary>
public class BlockingPoolModel(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>With one thread at most and no keep-alive, a caller queues a job and waits for it, three times over: each
    /// job lands while the previous job's thread may be deciding to exit.</summary>
    private static (Action[] Threads, Action Check) SpawnThenWaitWithOneThread()
    {
        var pool = new BlockingPool(maxThreads: 1, keepAlive: TimeSpan.Zero, "model");
        var ran = new bool[3];
        void Caller()
        {
            for (int i = 0; i < ran.Length; i++)
            {
                int job = i;
                Assert.True(pool.TryRun(() => Volatile.Write(ref ran[job], true)));
                ModelChecker.Block(() => Volatile.Read(ref ran[job])); // SpawnBlocking(...) awaited
            }
        }
        void Check()
        {
            for (int i = 0; i < ran.Length; i++)
                if (!ran[i]) throw new InvalidOperationException($"job {i} was stranded: queued, and no thread will run it");
        }
        return ([Caller], Check);
    }

    /// <summary>Two callers queue a job each at once, with one thread at most.</summary>
    private static (Action[] Threads, Action Check) TwoCallersWithOneThread()
    {
        var pool = new BlockingPool(maxThreads: 1, keepAlive: TimeSpan.Zero, "model");
        var ran = new bool[2];
        Action Caller(int job) => () =>
        {
            Assert.True(pool.TryRun(() => Volatile.Write(ref ran[job], true)));
            ModelChecker.Block(() => Volatile.Read(ref ran[job]));
        };
        void Check()
        {
            for (int i = 0; i < ran.Length; i++)
                if (!ran[i]) throw new InvalidOperationException($"job {i} was stranded: queued, and no thread will run it");
        }
        return ([Caller(0), Caller(1)], Check);
    }

    [Fact]
    public void EveryJobRuns()
    {
        var report = ModelChecker.Explore(SpawnThenWaitWithOneThread, preemptionBound: 2);
        output.WriteLine($"{report.Schedules} schedules in {report.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(report.Schedules > 10, $"only {report.Schedules} schedules explored");
    }

    /// <summary>Two callers and the threads they start are too many schedules to explore whole within bound 2 (the
    /// lock's spinning contenders multiply them): random schedules after PCT instead.</summary>
    [Fact]
    public void EveryJobOfTwoCallersRunsOnRandomSchedules()
    {
        var report = ModelChecker.ExploreRandom(TwoCallersWithOneThread, schedules: 2_000, depth: 3);
        output.WriteLine($"{report.Schedules} random schedules in {report.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void TheCheckerFindsAThreadUncountedAfterItLeftTheLock()
    {
        var failure = SeededBugs.Expect(() => SeededBugs.ExitingThreadUncountedLate = true, () => SeededBugs.ExitingThreadUncountedLate = false,
            SpawnThenWaitWithOneThread, preemptionBound: 2);
        output.WriteLine(failure.Message);
        Assert.Contains("stranded", failure.Message);
    }

    [Fact]
    public void RandomSchedulesFindAThreadUncountedAfterItLeftTheLock()
    {
        SeededBugs.ExitingThreadUncountedLate = true;
        try
        {
            var failure = Assert.Throws<ModelFailure>(() => ModelChecker.ExploreRandom(TwoCallersWithOneThread, schedules: 2_000, depth: 3));
            output.WriteLine(failure.Message);
            Assert.Contains("stranded", failure.Message);
            Assert.Throws<ModelFailure>(() => ModelChecker.Replay(TwoCallersWithOneThread, failure.Schedule));
        }
        finally
        {
            SeededBugs.ExitingThreadUncountedLate = false;
        }
    }
}
