using Tandem;

namespace Tandem.Tests.Conformance;

/// <summary>Spawn, join, results and exceptions: one contract on both tiers.</summary>
public class SpawnJoinConformanceTests
{
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ModeIsTheOneAskedFor(Tier mode)
    {
        using var rt = Runtimes.Create(mode);
        Assert.Equal(mode, rt.Mode);
    }

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void SpawnedTaskReturnsItsResult(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var h = rt.Spawn(async () =>
        {
            await Async.Yield();
            return 21 * 2;
        });
        Assert.Equal(42, rt.BlockOn(h));
        Assert.True(h.IsFinished);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void TasksJoinTasks(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        int sum = rt.BlockOn(async () =>
        {
            var hs = Enumerable.Range(1, 100).Select(i => rt.Spawn(Priority.Normal, i, static async i =>
            {
                await Async.Yield();
                return i;
            })).ToList();
            int total = 0;
            foreach (var h in hs) total += await h;
            return total;
        });
        Assert.Equal(5050, sum);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AnExceptionReachesTheJoinerAndTheRuntimeKeepsRunning(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var bad = rt.Spawn<int>(async () =>
        {
            await Async.Yield();
            throw new FormatException("bad input");
        });
        var e = Assert.Throws<FormatException>(() => rt.BlockOn(bad));
        Assert.Equal("bad input", e.Message);
        Assert.Equal(5, rt.BlockOn(async () =>
        {
            await Async.Yield();
            return 5;
        }));
        var caught = rt.BlockOn(async () =>
        {
            try
            {
                await rt.Spawn<int>(async () =>
                {
                    await Async.Yield();
                    throw new InvalidOperationException("inner");
                });
                return "none";
            }
            catch (InvalidOperationException ex)
            {
                return ex.Message;
            }
        });
        Assert.Equal("inner", caught);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AHandleIsJoinedOnce(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var h = rt.Spawn(async () =>
        {
            await Async.Yield();
            return 1;
        });
        Assert.Equal(1, rt.BlockOn(h));
        Assert.True(h.IsFinished);
        Assert.Throws<InvalidOperationException>(() => h.GetResult());
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AmbientAccessInsideATask(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var h = rt.Spawn(Priority.High, async () =>
        {
            await Async.Yield();
            return (Runtime.Current, Async.CurrentTaskId, Async.CurrentPriority);
        });
        long id = h.Id;
        var (current, taskId, priority) = rt.BlockOn(h);
        Assert.Same(rt, current);
        Assert.Equal(id, taskId);
        Assert.Equal(Priority.High, priority);
        Assert.Null(Runtime.Current);
        Assert.Equal(0, Async.CurrentTaskId);
        Assert.Throws<InvalidOperationException>(() => Async.CurrentPriority);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void PollFunctionsAndFuturesRunOnBothTiers(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        int polls = 0;
        var pollFn = rt.Schedule(Priority.Normal, cx =>
        {
            if (++polls < 3)
            {
                cx.Waker.Wake();
                return Poll<int>.Pending;
            }
            return polls;
        });
        Assert.Equal(3, rt.BlockOn(pollFn));
        Assert.Equal("ready", rt.BlockOn(new CountdownFuture(4)));
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ForeignAwaitsResumeInsideTheTask(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var h = rt.Spawn(Priority.Low, async () =>
        {
            await Task.Delay(1);
            var first = (Async.CurrentTaskId, Async.CurrentPriority);
            await Task.Run(() => { }).ConfigureAwait(false);
            return (first, second: (Async.CurrentTaskId, Async.CurrentPriority));
        });
        var (first, second) = rt.BlockOn(h);
        Assert.Equal((h.Id, Priority.Low), first);
        Assert.Equal((h.Id, Priority.Low), second);
    });

    private sealed class CountdownFuture(int polls) : IFuture<string>
    {
        private int _left = polls;

        public Poll<string> Poll(PollContext context)
        {
            if (--_left > 0)
            {
                context.Waker.Wake();
                return Poll<string>.Pending;
            }
            return "ready";
        }
    }

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AHandlesStateIsReadableAfterTheJoin(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var completed = rt.Spawn(Priority.Normal, static async () => { await Async.Yield(); return 1; });
        var faulted = rt.Spawn(Priority.Normal, static async () => { await Async.Yield(); throw new InvalidDataException("boom"); });
        var aborted = rt.Spawn(Priority.Normal, static async () => { await Async.Delay(TimeSpan.FromHours(1)); return 3; });
        Assert.Equal(1, rt.BlockOn(completed));
        Assert.Throws<InvalidDataException>(() => rt.BlockOn(faulted));
        aborted.Abort();
        Assert.Throws<TaskAbortedException>(() => rt.BlockOn(aborted));
        Assert.Equal(TaskState.Completed, completed.State);
        Assert.Equal(TaskState.Faulted, faulted.State);
        Assert.Equal(TaskState.Aborted, aborted.State);
        Assert.True(completed.IsFinished);
    });

    /// <summary>A callback a task posts to its own context in the poll in which it finishes is not lost with the task: the
    /// finish hands it on, and it runs (outside the task, which is gone).</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ACallbackATaskPostsToItselfAsItFinishesStillRuns(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var ran = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = rt.Spawn(Priority.Normal, async () =>
        {
            await Async.Yield();
            SynchronizationContext.Current!.Post(static r => ((TaskCompletionSource<long>)r!).SetResult(Async.CurrentTaskId), ran);
            return 1; // finishes in the poll that posted
        });
        Assert.Equal(1, rt.BlockOn(task));
        Assert.True(ran.Task.Wait(TestUtil.Bound), "the callback posted as the task finished never ran");
        Assert.NotEqual(task.Id, ran.Task.Result);
    });

    /// <summary>What <see cref="ACallbackAnotherThreadPostsInTheTasksLastPollStillRuns"/> hands its task (a type of its
    /// own: no other test's task reuses the host's pooled task object and hands the post on for it).</summary>
    private sealed class LastPollPost
    {
        internal readonly TaskCompletionSource<long> Ran = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A callback another thread posts to a task in the poll in which the task finishes (after that poll took
    /// its ready list; the poster sees the task still running, and leaves the callback queued) is still queued at the
    /// finish: the finish hands it on, and it runs, outside the task. Nothing else would: the object is not reused.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ACallbackAnotherThreadPostsInTheTasksLastPollStillRuns(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var post = new LastPollPost();
        var task = rt.Spawn(Priority.Normal, post, static async post =>
        {
            await Async.Yield();
            var context = SynchronizationContext.Current!;
            TestUtil.RunOnThread(() => context.Post(static r => ((TaskCompletionSource<long>)r!).SetResult(Async.CurrentTaskId), post.Ran));
            return 1; // finishes in the poll during which the post was queued
        });
        Assert.Equal(1, rt.BlockOn(task));
        Assert.True(post.Ran.Task.Wait(TestUtil.Bound), "the callback posted in the task's last poll never ran");
        Assert.NotEqual(task.Id, post.Ran.Task.Result);
    });
}
