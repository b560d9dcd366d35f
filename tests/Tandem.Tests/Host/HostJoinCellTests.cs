using System.Collections.Concurrent;
using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

/// <summary>
/// The host tier's join cell, directly: a cell with no run object (as blocking work has), joined through the public
/// handle, completed by hand. The races between registration and finish are forced in the regression tests.
/// </summary>
public class HostJoinCellTests
{
    private static (HostJoinCell<int> Cell, JoinHandle<int> Handle) NewCell() =>
        new HostJoinCell<int>(run: null) is var cell ? (cell, new JoinHandle<int>(cell, 0, id: 7)) : default;

    [Fact]
    public void AJoinerRegisteredFirstIsResumedOnceWithTheResult() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var (cell, handle) = NewCell();
        int resumed = 0;
        using var noContext = TestUtil.NoSyncContext();
        handle.GetAwaiter().UnsafeOnCompleted(() => Interlocked.Increment(ref resumed));
        Assert.False(handle.IsFinished);
        Assert.Equal(TaskState.Pending, handle.State);
        cell.Complete(42, 7, aborted: false, s);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref resumed) == 1, TestUtil.Bound));
        Assert.Equal(42, handle.GetResult());
        Assert.Throws<InvalidOperationException>(() => handle.GetResult()); // joined once
        Assert.Equal(1, Volatile.Read(ref resumed));
    });

    [Fact]
    public void AJoinerRegisteredAfterTheFinishIsResumedAtOnce()
    {
        using var s = new HostScheduler(1);
        var (cell, handle) = NewCell();
        cell.Complete(5, 7, aborted: false, s);
        bool resumed = false;
        using var noContext = TestUtil.NoSyncContext();
        handle.GetAwaiter().UnsafeOnCompleted(() => resumed = true);
        Assert.True(resumed); // outside Tandem: inline
        Assert.Equal(TaskState.Completed, handle.State);
        Assert.Equal(5, handle.GetResult());
    }

    [Fact]
    public void ASecondLiveJoinerIsRefusedAndTheFirstKeepsItsPlace() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var (cell, handle) = NewCell();
        int first = 0;
        using var noContext = TestUtil.NoSyncContext();
        handle.GetAwaiter().UnsafeOnCompleted(() => Interlocked.Increment(ref first));
        var error = Assert.Throws<InvalidOperationException>(() => handle.GetAwaiter().UnsafeOnCompleted(() => throw new InvalidOperationException("resumed")));
        Assert.Contains("one joiner", error.Message);
        cell.Complete(1, 7, aborted: false, s);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref first) == 1, TestUtil.Bound));
    });

    [Fact]
    public void AFaultLetGoIsReportedOnceAndAJoinedOneNever()
    {
        using var s = new HostScheduler(1);
        var reported = new ConcurrentQueue<long>();
        s.UnobservedTaskException += (_, e) => reported.Enqueue(e.TaskId);
        var (detachedFirst, handle1) = NewCell();
        handle1.Detach();
        detachedFirst.Fail(new FormatException(), 7, aborted: false, s);
        var (detachedAfter, handle2) = NewCell();
        detachedAfter.Fail(new FormatException(), 7, aborted: false, s);
        handle2.Detach();
        handle2.Detach(); // a second detach reports nothing more
        var (joined, handle3) = NewCell();
        joined.Fail(new FormatException(), 7, aborted: false, s);
        Assert.Throws<FormatException>(() => handle3.GetResult());
        handle3.Detach();
        Assert.Equal(new long[] { 7, 7 }, reported.ToArray());
    }

    [Fact]
    public void AnAbortEndsAsAbortedAndACancellationOfTheTaskToo()
    {
        using var s = new HostScheduler(1);
        var (aborted, handle1) = NewCell();
        aborted.Complete(0, 7, aborted: true, s);
        Assert.Equal(TaskState.Aborted, handle1.State);
        Assert.Throws<TaskAbortedException>(() => handle1.GetResult());
        var (cancelled, handle2) = NewCell();
        cancelled.Fail(new TaskAbortedException(7), 7, aborted: false, s); // its own abort's exception
        Assert.Equal(TaskState.Aborted, handle2.State);
        var (faulted, handle3) = NewCell();
        faulted.Fail(new OperationCanceledException(), 7, aborted: false, s); // a cancellation it was not asked for
        Assert.Equal(TaskState.Faulted, handle3.State);
    }

    [Fact]
    public void APostToTheCellOfAFinishedTaskRunsOnTheThreadPool() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var (cell, _) = NewCell();
        cell.Complete(0, 7, aborted: false, s);
        var ran = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        cell.Post(_ => ran.SetResult(Thread.CurrentThread.IsThreadPoolThread), null);
        Assert.True(ran.Task.Wait(TestUtil.Bound));
        Assert.True(ran.Task.Result);
        Assert.Throws<NotSupportedException>(() => cell.Send(_ => { }, null));
    });
}
