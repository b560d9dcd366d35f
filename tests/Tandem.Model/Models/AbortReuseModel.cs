namespace Tandem.Model.Models;

/// <summary>
/// Models of an abort from another thread racing the end of its task and the reuse of the task's object (the review's
/// defect 6: <c>AbortOn</c> with a timed token aborts from a timer thread): the abort reaches the task it was made for,
/// or nothing — never the object's next task.
/// </summary>
public class AbortReuseModel(Xunit.Abstractions.ITestOutputHelper output)
{
    private static (Action[] Threads, Action Check) AbortRacingFinishAndReuse()
    {
        var task = new ModelTask(0);
        task.StartNext();
        int first = task.Generation;
        bool firstSawAbort = false;
        void Aborter() => task.RequestAbort(first); // a handle of the first task
        void Owner()
        {
            firstSawAbort = task.AbortRequested; // the first task's next suspension point
            task.Finish();
            task.StartNext(); // the object's next task
        }
        void Check()
        {
            if (task.AbortRequested) throw new InvalidOperationException($"an abort of the finished task aborted the object's next task (the first saw it: {firstSawAbort})");
        }
        return ([Aborter, Owner], Check);
    }

    [Fact]
    public void AnAbortNeverReachesTheObjectsNextTask()
    {
        var report = ModelChecker.Explore(AbortRacingFinishAndReuse, preemptionBound: 3);
        output.WriteLine($"{report.Schedules} schedules in {report.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(report.Schedules > 10, $"only {report.Schedules} schedules explored");
    }

    [Fact]
    public void TheCheckerFindsAnAbortThatMarksTheCurrentGeneration()
    {
        var failure = SeededBugs.Expect(() => SeededBugs.AbortMarksCurrentGeneration = true, () => SeededBugs.AbortMarksCurrentGeneration = false,
            AbortRacingFinishAndReuse, preemptionBound: 2);
        output.WriteLine(failure.Message);
        Assert.Contains("aborted the object's next task", failure.Message);
    }
}
