using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Embedded;

public class ForeignAwaitTests
{
    private record Where(int Thread, long TaskId, bool InTask);

    private static Where Here() => new(Environment.CurrentManagedThreadId, Async.CurrentTaskId, Async.IsInTask);

    /// <summary>Drives <paramref name="s"/> on a dedicated thread until <paramref name="h"/> finishes; returns the thread's id and the result.</summary>
    private static (int Thread, T Result) BlockOnThread<T>(EmbeddedScheduler s, JoinHandle<T> h)
    {
        int thread = 0;
        T result = default!;
        TestUtil.RunOnThread(() =>
        {
            thread = Environment.CurrentManagedThreadId;
            result = s.BlockOn(h);
        });
        return (thread, result);
    }

    [Fact]
    public void AwaitTaskDelayResumesOnTheSchedulerThread()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn(async () =>
        {
            var before = Here();
            await Task.Delay(5);
            return (before, after: Here());
        });
        var (thread, (before, after)) = BlockOnThread(s, h);
        Assert.Equal(new Where(thread, h.Id, true), before);
        Assert.Equal(new Where(thread, h.Id, true), after);
    }

    [Fact]
    public void AwaitTaskRunResumesOnTheSchedulerThread()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn(async () =>
        {
            var (poolThread, inTaskThere) = await Task.Run(() => (Environment.CurrentManagedThreadId, Async.IsInTask));
            return (poolThread, inTaskThere, after: Here());
        });
        var (thread, (poolThread, inTaskThere, after)) = BlockOnThread(s, h);
        Assert.NotEqual(thread, poolThread);
        Assert.False(inTaskThere); // the pool thread is not inside the task
        Assert.Equal(new Where(thread, h.Id, true), after);
    }

    [Fact]
    public void TaskCompletionSourceCompletedFromAnotherThread()
    {
        using var s = new EmbeddedScheduler();
        var tcs = new TaskCompletionSource<int>(); // synchronous continuations: they still must hop back
        var waiting = new ManualResetEventSlim();
        var h = s.Spawn(async () =>
        {
            waiting.Set();
            int v = await tcs.Task;
            return (v, after: Here());
        });
        int thread = 0;
        (int v, Where after) result = default;
        Exception? error = null;
        var driver = TestUtil.StartThread(() =>
        {
            thread = Environment.CurrentManagedThreadId;
            result = s.BlockOn(h);
        }, e => error = e);
        Assert.True(waiting.Wait(TestUtil.Bound));
        int completer = 0;
        TestUtil.RunOnThread(() => { completer = Environment.CurrentManagedThreadId; tcs.SetResult(17); });
        TestUtil.JoinOrFail(driver);
        Assert.Null(error);
        Assert.Equal(17, result.v);
        Assert.NotEqual(completer, result.after!.Thread);
        Assert.Equal(new Where(thread, h.Id, true), result.after);
    }

    [Fact]
    public void ForeignExceptionSurfacesInsideTheTask()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn(async () =>
        {
            try
            {
                await Task.Run(() => throw new InvalidDataException("pool"));
                return "no";
            }
            catch (InvalidDataException e)
            {
                return $"{e.Message} {Async.CurrentTaskId != 0}";
            }
        });
        Assert.Equal("pool True", BlockOnThread(s, h).Result);
    }

    [Fact]
    public void TaskYieldInsideATaskComesBack()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn(async () =>
        {
            await Task.Yield();
            var a = Here();
            await Task.Yield();
            return (a, Here());
        });
        var (thread, (a, b)) = BlockOnThread(s, h);
        Assert.Equal(new Where(thread, h.Id, true), a);
        Assert.Equal(a, b);
    }

    [Fact]
    public void ConfigureAwaitFalseInATandemMethodStillResumesOnTheScheduler()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn(async () =>
        {
            await Task.Delay(1).ConfigureAwait(false);
            return Here();
        });
        var (thread, after) = BlockOnThread(s, h);
        Assert.Equal(new Where(thread, h.Id, true), after);
    }

    private static async Task<Where> PlainAsyncTask()
    {
        await Task.Delay(2);
        var first = Here();
        await Task.Yield();
        Assert.Equal(first, Here());
        return first;
    }

    private static async Task PlainAsyncVoidTask(List<Where> log)
    {
        log.Add(Here());
        await Task.Delay(2);
        log.Add(Here());
    }

    [Fact]
    public void AsyncTaskOfTMethodSpawnedThroughImplicitConversion()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn<Where>(() => PlainAsyncTask()); // Task<Where> → TandemTask<Where>
        var (thread, inside) = BlockOnThread(s, h);
        Assert.Equal(new Where(thread, h.Id, true), inside);
    }

    [Fact]
    public void AsyncTaskMethodSpawnedThroughConversion()
    {
        using var s = new EmbeddedScheduler();
        var log = new List<Where>();
        var h = s.Spawn(() => TandemTask.FromTask(PlainAsyncVoidTask(log))); // Task → TandemTask
        int thread = 0;
        TestUtil.RunOnThread(() => { thread = Environment.CurrentManagedThreadId; s.BlockOn(h); });
        Assert.Equal([new Where(thread, h.Id, true), new Where(thread, h.Id, true)], log);
    }

    [Fact]
    public void AsyncTaskLambdaThatThrowsFaultsTheTask()
    {
        using var s = new EmbeddedScheduler();
        static async Task<int> Fails()
        {
            await Task.Yield();
            throw new EndOfStreamException("eos");
        }
        var h = s.Spawn<int>(() => Fails());
        Exception? thrown = null;
        TestUtil.RunOnThread(() => thrown = Assert.Throws<EndOfStreamException>(() => s.BlockOn(h)));
        Assert.Equal("eos", thrown!.Message);
    }

    [Fact]
    public void AsyncTaskLambdaConvertedExplicitly()
    {
        using var s = new EmbeddedScheduler();
        Func<Task<int>> work = async () => { await Task.Delay(1); return Environment.CurrentManagedThreadId; };
        int driverThread = 0, ranOn = 0;
        TestUtil.RunOnThread(() =>
        {
            driverThread = Environment.CurrentManagedThreadId;
            ranOn = s.BlockOn(() => (TandemTask<int>)work());
        });
        Assert.Equal(driverThread, ranOn);
    }

    [Fact]
    public void MixingTandemAndForeignAwaitsInOneTask()
    {
        var clock = new VirtualClock();
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
        var h = s.Spawn(async () =>
        {
            var seen = new List<Where>();
            await Async.Delay(100);
            seen.Add(Here());
            await Task.Run(() => { });
            seen.Add(Here());
            await Async.Yield();
            seen.Add(Here());
            await Task.Delay(1);
            seen.Add(Here());
            return seen;
        });
        var (thread, seen) = BlockOnThread(s, h);
        Assert.Equal(4, seen.Count);
        Assert.All(seen, w => Assert.Equal(new Where(thread, h.Id, true), w));
        Assert.Equal(TimeSpan.FromMilliseconds(100), clock.Elapsed);
    }

    [Fact]
    public void ForeignAwaitsInSeveralTasksKeepTheirOwnIds()
    {
        using var s = new EmbeddedScheduler();
        var hs = Enumerable.Range(0, 5).Select(i => s.Spawn(async () =>
        {
            long before = Async.CurrentTaskId;
            await Task.Delay(1 + i);
            await Task.Run(() => { });
            return (before, after: Async.CurrentTaskId);
        })).ToArray();
        var all = s.Spawn(Priority.Idle, async () =>
        {
            var r = new List<(long, long)>();
            foreach (var h in hs) r.Add(await h);
            return r;
        });
        var (_, results) = BlockOnThread(s, all);
        for (int i = 0; i < hs.Length; i++) Assert.Equal((hs[i].Id, hs[i].Id), results[i]);
    }

    [Fact]
    public void SynchronizationContextIsRestoredAfterAPoll()
    {
        using var s = new EmbeddedScheduler();
        SynchronizationContext? inside = null;
        TestUtil.RunOnThread(() =>
        {
            var mine = new SynchronizationContext();
            SynchronizationContext.SetSynchronizationContext(mine);
            s.BlockOn(async () => { inside = SynchronizationContext.Current; await Async.Yield(); });
            Assert.Same(mine, SynchronizationContext.Current);
            Assert.False(Async.IsInTask);
        });
        Assert.NotNull(inside);
        Assert.Throws<NotSupportedException>(() => inside!.Send(_ => { }, null));
    }

    [Fact]
    public void AnUnobservedExceptionReportedBetweenPollsSeesTheDrivingThreadsOwnContext()
    {
        using var s = new EmbeddedScheduler();
        SynchronizationContext? mine = null, seenByHandler = null;
        TestUtil.RunOnThread(() =>
        {
            mine = new SynchronizationContext();
            SynchronizationContext.SetSynchronizationContext(mine);
            s.UnobservedTaskException += (_, _) => seenByHandler = SynchronizationContext.Current;
            // Detached and faulting: reported as the loop frees its slot, after the poll, between two polls.
            s.Spawn(Priority.Normal, 0, static async _ =>
            {
                await Async.Yield();
                throw new InvalidOperationException("nobody joins this");
            }).Detach();
            s.Spawn(Priority.Normal, 0, static async _ =>
            {
                for (int i = 0; i < 3; i++) await Async.Yield();
            }).Detach();
            s.RunUntilIdle();
        });
        Assert.NotNull(seenByHandler);
        Assert.Same(mine, seenByHandler);
    }
}
