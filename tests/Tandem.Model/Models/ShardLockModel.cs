using Tandem.Internal.Host;

namespace Tandem.Model;

/// <summary>Models of the host's shard spin lock: it excludes.</summary>
public class ShardLockModel(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Two threads each take the lock twice and increment a plain counter inside it, with a scheduling point in
    /// the middle of the increment: only mutual exclusion keeps both increments.</summary>
    private static (Action[] Threads, Action Check) TwoThreadsIncrementUnderTheLock()
    {
        var gate = new ShardLock();
        int counter = 0;
        void Worker()
        {
            for (int i = 0; i < 2; i++)
            {
                gate.Enter();
                int seen = counter;
                ModelChecker.SchedulingPoint(); // another thread may run here: only the lock keeps it out
                counter = seen + 1;
                gate.Exit();
            }
        }
        void Check()
        {
            if (counter != 4) throw new InvalidOperationException($"the lock let two threads in: counter {counter}, not 4");
        }
        return ([Worker, Worker], Check);
    }

    [Fact]
    public void TheSpinLockExcludes()
    {
        var report = ModelChecker.Explore(TwoThreadsIncrementUnderTheLock, preemptionBound: 2);
        output.WriteLine($"{report.Schedules} schedules in {report.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(report.Schedules > 10, $"only {report.Schedules} schedules explored");
    }

    [Fact]
    public void TheCheckerFindsTheSeededCheckThenSetLock()
    {
        SeededBugs.LockChecksThenSets = true;
        try
        {
            var failure = Assert.Throws<ModelFailure>(() => ModelChecker.Explore(TwoThreadsIncrementUnderTheLock, preemptionBound: 2));
            output.WriteLine(failure.Message);
            Assert.Contains("let two threads in", failure.Message);
            Assert.Throws<ModelFailure>(() => ModelChecker.Replay(TwoThreadsIncrementUnderTheLock, failure.Schedule));
        }
        finally
        {
            SeededBugs.LockChecksThenSets = false;
        }
    }
}
