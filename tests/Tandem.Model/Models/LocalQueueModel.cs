namespace Tandem.Model.Models;

/// <summary>
/// Models of a worker's local run queue (capacity 4 in the model build, so that a full ring, wrap-around and a steal of
/// half are reached): whatever the interleaving of its owner and a thief, every task pushed is taken exactly once.
/// </summary>
public class LocalQueueModel(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>
    /// The owner fills the ring, pops one, pushes two more (wrapping around) and pops what is left; a thief steals
    /// twice into its own queue meanwhile. Every task comes out exactly once: from the owner's pops, the thief's
    /// stolen task, or the thief's queue.
    /// </summary>
    private static (Action[] Threads, Action Check) OwnerRacingThief()
    {
        var queue = new LocalQueue();
        var thiefQueue = new LocalQueue();
        var taken = new List<ModelTask>();
        var stolen = new List<ModelTask>();
        int next = 0;
        void Owner()
        {
            var overflow = new List<ModelTask>(); // what did not fit: the real worker moves it to the global queue
            for (int i = 0; i < LocalQueue.Capacity; i++) Push(queue, new ModelTask(next++), overflow);
            if (queue.TryPop() is ModelTask first) taken.Add(first);
            for (int i = 0; i < 2; i++) Push(queue, new ModelTask(next++), overflow);
            while (queue.TryPop() is ModelTask task) taken.Add(task);
            taken.AddRange(overflow);
        }
        void Thief()
        {
            var buffer = new RefSlot<HostTask>[LocalQueue.Capacity];
            for (int round = 0; round < 2; round++)
            {
                if (queue.StealInto(thiefQueue, buffer) is ModelTask task) stolen.Add(task);
                while (thiefQueue.TryPop() is ModelTask own) stolen.Add(own); // the thief runs what it stole
            }
        }
        void Check() => ExactlyOnce.Check(next, [.. taken, .. stolen]);
        return ([Owner, Thief], Check);
    }

    /// <summary>The owner racing two thieves, each with a queue of its own: too many schedules to explore whole at
    /// bound 2, so random ones (PCT).</summary>
    private static (Action[] Threads, Action Check) OwnerRacingTwoThieves()
    {
        var queue = new LocalQueue();
        var taken = new List<ModelTask>();
        var stolen = new List<ModelTask>[] { [], [] };
        int next = 0;
        void Owner()
        {
            var overflow = new List<ModelTask>();
            for (int round = 0; round < 2; round++)
            {
                for (int i = 0; i < LocalQueue.Capacity; i++) Push(queue, new ModelTask(next++), overflow);
                if (queue.TryPop() is ModelTask task) taken.Add(task);
            }
            while (queue.TryPop() is ModelTask task) taken.Add(task);
            taken.AddRange(overflow);
        }
        Action Thief(int t) => () =>
        {
            var own = new LocalQueue();
            var buffer = new RefSlot<HostTask>[LocalQueue.Capacity];
            for (int round = 0; round < 2; round++)
            {
                if (queue.StealInto(own, buffer) is ModelTask task) stolen[t].Add(task);
                while (own.TryPop() is ModelTask mine) stolen[t].Add(mine);
            }
        };
        void Check() => ExactlyOnce.Check(next, [.. taken, .. stolen[0], .. stolen[1]]);
        return ([Owner, Thief(0), Thief(1)], Check);
    }

    [Fact]
    public void EveryTaskIsTakenExactlyOnceWithTwoThievesOnRandomSchedules()
    {
        var report = ModelChecker.ExploreRandom(OwnerRacingTwoThieves, schedules: 3_000, depth: 3);
        output.WriteLine($"{report.Schedules} random schedules in {report.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void RandomSchedulesFindAPopThatDoesNotClaimWithACas()
    {
        SeededBugs.PopWritesHeadPlainly = true;
        try
        {
            var failure = Assert.Throws<ModelFailure>(() => ModelChecker.ExploreRandom(OwnerRacingTwoThieves, schedules: 3_000, depth: 3));
            output.WriteLine(failure.Message);
            Assert.Contains("taken 2 times", failure.Message);
            Assert.Throws<ModelFailure>(() => ModelChecker.Replay(OwnerRacingTwoThieves, failure.Schedule));
        }
        finally
        {
            SeededBugs.PopWritesHeadPlainly = false;
        }
    }

    private static void Push(LocalQueue queue, ModelTask task, List<ModelTask> overflow)
    {
        if (!queue.TryPush(task)) overflow.Add(task);
    }

    [Fact]
    public void EveryTaskIsTakenExactlyOnce()
    {
        var report = ModelChecker.Explore(OwnerRacingThief, preemptionBound: 2);
        output.WriteLine($"{report.Schedules} schedules in {report.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(report.Schedules > 100, $"only {report.Schedules} schedules explored");
    }

    [Fact]
    public void TheCheckerFindsAPopThatDoesNotClaimWithACas()
    {
        var failure = SeededBugs.Expect(() => SeededBugs.PopWritesHeadPlainly = true, () => SeededBugs.PopWritesHeadPlainly = false,
            OwnerRacingThief, preemptionBound: 2);
        output.WriteLine(failure.Message);
        Assert.Contains("taken 2 times", failure.Message);
    }

    [Fact]
    public void TheCheckerFindsAPushPastTheRingsRoom()
    {
        var failure = SeededBugs.Expect(() => SeededBugs.PushCountsOneSlotTooMany = true, () => SeededBugs.PushCountsOneSlotTooMany = false,
            OwnerRacingThief, preemptionBound: 2);
        output.WriteLine(failure.Message);
        Assert.Contains("lost", failure.Message);
    }
}
