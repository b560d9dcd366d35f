using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Api;

public class TaskStateTests
{
    [Fact]
    public void Values()
    {
        Assert.Equal(0, (int)TaskState.Pending);
        Assert.Equal(1, (int)TaskState.Running);
        Assert.Equal(2, (int)TaskState.Completed);
        Assert.Equal(3, (int)TaskState.Faulted);
        Assert.Equal(4, (int)TaskState.Aborted);
        Assert.Equal(5, Enum.GetValues<TaskState>().Length);
    }

    [Fact]
    public void SpawnedTaskIsPendingUntilItFinishes()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn(async () => { await Async.Yield(); return 1; });
        Assert.Equal(TaskState.Pending, h.State);
        Assert.False(h.IsFinished);
        Assert.True(s.PollNext());
        Assert.Equal(TaskState.Pending, h.State);
        Assert.False(h.IsFinished);
        s.RunUntilIdle();
        Assert.Equal(TaskState.Completed, h.State);
        Assert.True(h.IsFinished);
    }

    [Fact]
    public void FaultedState()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn<int>(async () => { await Async.Yield(); throw new FormatException(); });
        s.RunUntilIdle();
        Assert.Equal(TaskState.Faulted, h.State);
        Assert.True(h.IsFinished);
        Assert.Throws<FormatException>(() => h.GetResult());
    }

    [Fact]
    public void AbortedState()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn(async () => { await Async.Delay(TimeSpan.FromHours(1)); });
        s.RunUntilIdle();
        h.Abort();
        s.RunUntilIdle();
        Assert.Equal(TaskState.Aborted, h.State);
        Assert.True(h.IsFinished);
    }

    [Fact]
    public void StateAfterJoinSaysHowItEndedAndIsFinishedStaysTrue()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn(async () => 5);
        Assert.Equal(5, s.BlockOn(h));
        Assert.True(h.IsFinished);
        Assert.Equal(TaskState.Completed, h.State);
        Assert.Throws<InvalidOperationException>(() => h.GetResult());
    }

    [Fact]
    public void StateOfAHandleWhosePooledStateWasReusedTwiceThrowsAClearError()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn(Priority.Normal, 5, static async x => x);
        Assert.Equal(5, s.BlockOn(h));
        for (int i = 0; i < 2; i++) s.BlockOn(s.Spawn(Priority.Normal, i, static async x => x)); // same kind: same pool
        var e = Assert.Throws<InvalidOperationException>(() => h.State);
        Assert.Contains("no longer known", e.Message);
    }

    [Fact]
    public void DefaultHandleBelongsToNoTask()
    {
        var h = default(JoinHandle<int>);
        Assert.Equal(0, h.Id);
        Assert.Throws<InvalidOperationException>(() => h.IsFinished);
        Assert.Throws<InvalidOperationException>(() => h.State);
        Assert.Throws<InvalidOperationException>(() => h.GetResult());
    }

    [Fact]
    public void NonGenericHandleReportsStates()
    {
        using var s = new EmbeddedScheduler();
        var ok = s.Spawn(async () => { await Async.Yield(); });
        var bad = s.Spawn(async () => { await Async.Yield(); throw new InvalidTimeZoneException(); });
        Assert.Equal(TaskState.Pending, ok.State);
        s.RunUntilIdle();
        Assert.Equal(TaskState.Completed, ok.State);
        Assert.Equal(TaskState.Faulted, bad.State);
        ok.GetResult();
        Assert.Throws<InvalidTimeZoneException>(() => bad.GetResult());
        Assert.Equal($"JoinHandle(task {ok.Id})", ok.ToString());
    }
}
