namespace Tandem.Model.Models;

/// <summary>
/// Models of a task's ready list against the reuse of its object (the review's defect 3): a resumption queued from
/// another thread for a task that finishes meanwhile is handed on (to <see cref="Resumable.OnOwnerGone"/>) exactly once,
/// and never runs inside the object's next task.
/// </summary>
public class ReadyListModel(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>A resumption that counts where it went.</summary>
    private sealed class CountingResumption : Resumable
    {
        public int Runs, Gone;

        internal override void Run() => Runs++;

        internal override void OnOwnerGone() => Gone++;
    }

    /// <summary>
    /// A timer fires for an operation of the task's first generation (pushing its resumption) while the worker finishes
    /// that task and polls the object's next one.
    /// </summary>
    private static (Action[] Threads, Action Check) PushRacingFinishAndReuse()
    {
        var task = new ModelTask(0);
        var item = new CountingResumption();
        item.SetOwner(task); // the first generation's
        void Timer() => task.EnqueueReady(item);
        void Worker()
        {
            task.Finish();
            task.RunReady(); // a poll of the object's next task
        }
        void Check()
        {
            if (item.Runs != 0) throw new InvalidOperationException("a finished task's resumption ran inside the object's next task");
            if (item.Gone != 1) throw new InvalidOperationException($"a finished task's resumption was handed on {item.Gone} times (lost)");
        }
        return ([Timer, Worker], Check);
    }

    [Fact]
    public void AResumptionOfAFinishedTaskIsHandedOnOnceAndNeverRunsInTheNextTask()
    {
        var report = ModelChecker.Explore(PushRacingFinishAndReuse, preemptionBound: 3);
        output.WriteLine($"{report.Schedules} schedules in {report.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(report.Schedules > 10, $"only {report.Schedules} schedules explored");
    }

    [Fact]
    public void TheCheckerFindsAPushThatDoesNotLookAgain()
    {
        var failure = SeededBugs.Expect(() => SeededBugs.EnqueueReadySkipsRecheck = true, () => SeededBugs.EnqueueReadySkipsRecheck = false,
            PushRacingFinishAndReuse, preemptionBound: 2);
        output.WriteLine(failure.Message);
        Assert.Contains("handed on 0 times", failure.Message);
    }

    /// <summary>Needs three preemptions: the push checks the generation, the task finishes and retires its empty list, the
    /// push lands, and the next task's poll takes it.</summary>
    [Fact]
    public void TheCheckerFindsAPollThatRunsAnotherGenerationsResumption()
    {
        var failure = SeededBugs.Expect(() => SeededBugs.RunOneIgnoresGeneration = true, () => SeededBugs.RunOneIgnoresGeneration = false,
            PushRacingFinishAndReuse, preemptionBound: 3);
        output.WriteLine(failure.Message);
        Assert.Contains("ran inside the object's next task", failure.Message);
    }
}
