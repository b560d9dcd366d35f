namespace Tandem.Model.Models;

/// <summary>
/// Models of a host task's run-state word (Notified, Running, Complete and the generation, changed by CAS): a wake from
/// any thread at any moment is followed by a poll that starts after it (no lost wake), the task is never in a queue
/// twice, and a wake made for a finished task never wakes the object's next one.
/// </summary>
public class RunStateModel(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>A worker's run queue reduced to what the run state promises: how many times the task is queued.</summary>
    private sealed class Harness(ModelTask task)
    {
        private int _queued;
        private int _clock;
        public int LastPollStart = -1;
        public readonly List<int> WakeTimes = [];

        public void Queue()
        {
            if (Atomic.Increment(ref _queued) > 1) throw new InvalidOperationException("the task was queued twice");
        }

        /// <summary>A waker: true when its wake queued the task.</summary>
        public bool Wake(int generation)
        {
            int time = Atomic.Increment(ref _clock);
            lock (WakeTimes) WakeTimes.Add(time);
            if (!task.ModelWake(generation)) return false;
            Queue();
            return true;
        }

        /// <summary>A worker: takes the task if it is queued and polls it once; <paramref name="selfWake"/> makes the
        /// poll wake its own task (a yield).</summary>
        public void PollIfQueued(bool selfWake = false)
        {
            if (Atomic.Read(ref _queued) == 0) return;
            Atomic.Decrement(ref _queued);
            task.ModelBeginPoll(); // the poll starts here: it takes the Notified bit of every wake made so far
            LastPollStart = Atomic.Increment(ref _clock);
            if (selfWake) task.ModelWakeFromOwnPoll();
            if (task.ModelEndPoll()) Queue(); // woken during its poll: the worker queues it again
        }

        /// <summary>After the threads: the worker runs what is still queued, and every wake must be behind a poll.</summary>
        public void DrainAndCheck()
        {
            for (int i = 0; i < 4 && Atomic.Read(ref _queued) > 0; i++) PollIfQueued();
            if (Atomic.Read(ref _queued) != 0) throw new InvalidOperationException("the task is still queued after four polls");
            foreach (int time in WakeTimes)
                if (LastPollStart < time) throw new InvalidOperationException($"lost wake: the wake at {time} came after the last poll's start ({LastPollStart})");
        }
    }

    /// <summary>Two threads wake the task while its worker polls it (once with a yield: a wake by the task itself).</summary>
    private static (Action[] Threads, Action Check) WakesRacingPolls()
    {
        var task = new ModelTask(0);
        task.ModelStartTask();
        var harness = new Harness(task);
        harness.Queue(); // the spawn
        int generation = task.Generation;
        void Worker()
        {
            harness.PollIfQueued(selfWake: true);
            harness.PollIfQueued();
        }
        void Waker() => harness.Wake(generation);
        return ([Worker, Waker, Waker], harness.DrainAndCheck);
    }

    /// <summary>The task finishes and its object starts the next task (which is polled once) while a waker made for
    /// the first task wakes it.</summary>
    private static (Action[] Threads, Action Check) StaleWakeRacingReuse()
    {
        var task = new ModelTask(0);
        task.ModelStartTask();
        var harness = new Harness(task);
        int first = task.Generation;
        bool staleQueued = false;
        void Worker()
        {
            task.ModelBeginPoll();
            task.ModelFinishPoll(); // the first task finishes
            task.ModelStartTask(); // the object's next task
            harness.Queue();
            harness.PollIfQueued();
        }
        void StaleWaker() => staleQueued = harness.Wake(first);
        void Check()
        {
            if (staleQueued) throw new InvalidOperationException("a wake of the finished task queued the object's next task");
        }
        return ([Worker, StaleWaker], Check);
    }

    [Theory]
    [InlineData(nameof(WakesRacingPolls))]
    [InlineData(nameof(StaleWakeRacingReuse))]
    public void NoWakeIsLostOrDoubledOrMisdirected(string model)
    {
        var report = ModelChecker.Explore(Model(model), preemptionBound: 2);
        output.WriteLine($"{model}: {report.Schedules} schedules in {report.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(report.Schedules > 10, $"only {report.Schedules} schedules explored");
    }

    [Fact]
    public void TheCheckerFindsAnEndOfPollThatOverwritesAWake()
    {
        var failure = SeededBugs.Expect(() => SeededBugs.EndOfPollWritesStatePlainly = true, () => SeededBugs.EndOfPollWritesStatePlainly = false,
            WakesRacingPolls, preemptionBound: 2);
        output.WriteLine(failure.Message);
        Assert.Contains("lost wake", failure.Message);
    }

    [Fact]
    public void TheCheckerFindsAWakeThatIgnoresTheGeneration()
    {
        var failure = SeededBugs.Expect(() => SeededBugs.WakeIgnoresGeneration = true, () => SeededBugs.WakeIgnoresGeneration = false,
            StaleWakeRacingReuse, preemptionBound: 2);
        output.WriteLine(failure.Message);
        Assert.Contains("queued the object's next task", failure.Message);
    }

    private static Func<(Action[] Threads, Action Check)> Model(string name) =>
        name == nameof(WakesRacingPolls) ? WakesRacingPolls : StaleWakeRacingReuse;
}
