using Tandem;

namespace Tandem.Tests.Api;

#pragma warning disable CS1998 // async methods without await: synchronous completion is what is tested
#pragma warning disable xUnit1031 // GetResult/Wait are the APIs under test; every wait is bounded and runs without a sync context

public class TandemTaskTests
{
    private static async TandemTask<int> SyncValue(int v) => v;

    private static async TandemTask<int> SyncThrow(Exception e) => throw e;

    private static async TandemTask SyncVoidThrow(Exception e) => throw e;

    private static async TandemTask SyncVoid(List<int> log) => log.Add(1);

    private static async TandemTask<int> AwaitTask(Task<int> t) => await t + 1;

    private static async TandemTask AwaitTaskVoid(Task t, List<string> log)
    {
        log.Add("before");
        await t;
        log.Add("after");
    }

    private static async TandemTask<int> Outer(Task<int> t) => await AwaitTask(t) * 10;

    private static TaskCompletionSource<int> NewTcs() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Fact]
    public void SynchronousResultIsCompletedWithoutSuspending()
    {
        var t = SyncValue(42);
        Assert.True(t.IsCompleted);
        Assert.True(t.GetAwaiter().IsCompleted);
        Assert.Equal(42, t.GetAwaiter().GetResult());
    }

    [Fact]
    public void SynchronousVoidMethodRunsEagerly()
    {
        var log = new List<int>();
        var t = SyncVoid(log);
        Assert.Equal([1], log);
        Assert.True(t.IsCompleted);
        t.GetAwaiter().GetResult();
    }

    [Fact]
    public void ConstructedFromValueIsCompleted()
    {
        var t = new TandemTask<string>("v");
        Assert.True(t.IsCompleted);
        Assert.Equal("v", t.GetAwaiter().GetResult());
        Assert.True(TandemTask.CompletedTask.IsCompleted);
        TandemTask.CompletedTask.GetAwaiter().GetResult();
    }

    [Fact]
    public void SynchronousExceptionIsCapturedNotThrownAtCall()
    {
        var e = new InvalidOperationException("sync");
        var t = SyncThrow(e); // must not throw here
        Assert.True(t.IsCompleted);
        var thrown = Assert.Throws<InvalidOperationException>(() => t.GetAwaiter().GetResult());
        Assert.Same(e, thrown);
    }

    [Fact]
    public void SynchronousExceptionOfVoidMethod()
    {
        var e = new ArithmeticException();
        var t = SyncVoidThrow(e);
        Assert.True(t.IsCompleted);
        Assert.Same(e, Assert.Throws<ArithmeticException>(() => t.GetAwaiter().GetResult()));
    }

    [Fact]
    public void AsynchronousCompletionOutsideScheduler()
    {
        using var _ = TestUtil.NoSyncContext();
        var tcs = NewTcs();
        var t = AwaitTask(tcs.Task);
        Assert.False(t.IsCompleted);
        var task = t.AsTask();
        Assert.False(task.IsCompleted);
        tcs.SetResult(4);
        Assert.True(task.Wait(TestUtil.Bound));
        Assert.Equal(5, task.Result);
    }

    [Fact]
    public void NestedAsyncMethodsCompose()
    {
        using var _ = TestUtil.NoSyncContext();
        var tcs = NewTcs();
        var task = Outer(tcs.Task).AsTask();
        tcs.SetResult(1);
        Assert.True(task.Wait(TestUtil.Bound));
        Assert.Equal(20, task.Result);
    }

    [Fact]
    public void AsynchronousExceptionPropagates()
    {
        using var _ = TestUtil.NoSyncContext();
        var tcs = NewTcs();
        var task = AwaitTask(tcs.Task).AsTask();
        var e = new TimeoutException("late");
        tcs.SetException(e);
        var agg = Assert.Throws<AggregateException>(() => task.Wait(TestUtil.Bound));
        Assert.Same(e, agg.InnerException);
    }

    [Fact]
    public void VoidAsynchronousCompletion()
    {
        using var _ = TestUtil.NoSyncContext();
        var log = new List<string>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var t = AwaitTaskVoid(gate.Task, log);
        Assert.False(t.IsCompleted);
        Assert.Equal(["before"], log);
        var task = t.AsTask();
        gate.SetResult();
        Assert.True(task.Wait(TestUtil.Bound));
        Assert.Equal(["before", "after"], log);
    }

    [Fact]
    public void FromTaskWrapsCompletedTask()
    {
        var t = TandemTask<int>.FromTask(Task.FromResult(3));
        Assert.True(t.IsCompleted);
        Assert.Equal(3, t.GetAwaiter().GetResult());
    }

    [Fact]
    public void ImplicitConversionFromTask()
    {
        TandemTask<int> t = Task.FromResult(8);
        Assert.Equal(8, t.GetAwaiter().GetResult());
        TandemTask v = (TandemTask)Task.CompletedTask; // explicit: see TandemTask's conversion operator
        Assert.True(v.IsCompleted);
        v.GetAwaiter().GetResult();
    }

    [Fact]
    public void FromTaskRejectsNull()
    {
        Assert.Throws<ArgumentNullException>(() => TandemTask<int>.FromTask(null!));
        Assert.Throws<ArgumentNullException>(() => TandemTask.FromTask(null!));
    }

    [Fact]
    public void FromFaultedTaskRethrowsInnerException()
    {
        var e = new DivideByZeroException();
        TandemTask<int> t = Task.FromException<int>(e);
        Assert.True(t.IsCompleted);
        Assert.Same(e, Assert.Throws<DivideByZeroException>(() => t.GetAwaiter().GetResult()));
        TandemTask v = (TandemTask)Task.FromException(e);
        Assert.Same(e, Assert.Throws<DivideByZeroException>(() => v.GetAwaiter().GetResult()));
    }

    [Fact]
    public void FromPendingTaskTracksIt()
    {
        var tcs = NewTcs();
        TandemTask<int> t = tcs.Task;
        Assert.False(t.IsCompleted);
        tcs.SetResult(11);
        Assert.True(t.IsCompleted);
        Assert.Equal(11, t.GetAwaiter().GetResult());
    }

    [Fact]
    public void AsTaskOfWrappedTaskIsThatTask()
    {
        var source = Task.FromResult(1);
        Assert.Same(source, TandemTask<int>.FromTask(source).AsTask());
        var plain = Task.CompletedTask;
        Assert.Same(plain, TandemTask.FromTask(plain).AsTask());
    }

    [Fact]
    public void AsTaskOfSyncResult()
    {
        var task = SyncValue(6).AsTask();
        Assert.True(task.IsCompletedSuccessfully);
        Assert.Equal(6, task.Result);
        Assert.True(TandemTask.CompletedTask.AsTask().IsCompletedSuccessfully);
    }

    [Fact]
    public void AsTaskOfSyncExceptionIsFaulted()
    {
        var e = new FormatException();
        var task = SyncThrow(e).AsTask();
        Assert.True(task.IsFaulted);
        Assert.Same(e, task.Exception!.InnerException);
    }

    [Fact]
    public void AwaitingTwiceThrows()
    {
        using var _ = TestUtil.NoSyncContext();
        var tcs = NewTcs();
        var t = AwaitTask(tcs.Task);
        var first = t.AsTask(); // the one await
        tcs.SetResult(1);
        Assert.True(first.Wait(TestUtil.Bound));
        Assert.Equal(2, first.Result);
        Assert.Throws<InvalidOperationException>(() => t.IsCompleted);
        Assert.Throws<InvalidOperationException>(() => t.GetAwaiter().GetResult());
        Assert.Throws<InvalidOperationException>(() => t.GetAwaiter().UnsafeOnCompleted(() => { }));
    }

    [Fact]
    public void TwoConcurrentAwaitersThrow()
    {
        using var _ = TestUtil.NoSyncContext();
        var tcs = NewTcs();
        var t = AwaitTask(tcs.Task);
        int ran = 0;
        t.GetAwaiter().UnsafeOnCompleted(() => Interlocked.Increment(ref ran));
        Assert.Throws<InvalidOperationException>(() => t.GetAwaiter().OnCompleted(() => Interlocked.Increment(ref ran)));
        // The first awaiter still resumes once.
        tcs.SetResult(0);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref ran) == 1, TestUtil.Bound));
        Assert.Equal(1, t.GetAwaiter().GetResult());
        Assert.Equal(1, Volatile.Read(ref ran));
    }

    [Fact]
    public void GetResultBeforeCompletionThrows()
    {
        var tcs = NewTcs();
        using var _ = TestUtil.NoSyncContext();
        var t = AwaitTask(tcs.Task);
        Assert.Throws<InvalidOperationException>(() => t.GetAwaiter().GetResult());
        tcs.SetResult(0);
    }

    [Fact]
    public void ContinuationRegisteredAfterCompletionRunsAtOnce()
    {
        using var _ = TestUtil.NoSyncContext();
        var tcs = NewTcs();
        var t = AwaitTask(tcs.Task);
        tcs.SetResult(2);
        Assert.True(SpinWait.SpinUntil(() => t.IsCompleted, TestUtil.Bound));
        bool ran = false;
        t.GetAwaiter().UnsafeOnCompleted(() => ran = true);
        Assert.True(ran);
        Assert.Equal(3, t.GetAwaiter().GetResult());
    }

    [Fact]
    public void AmbientPropertiesOutsideTask()
    {
        Assert.False(Async.IsInTask);
        Assert.Equal(0, Async.CurrentTaskId);
        Assert.False(Async.IsAbortRequested);
        Assert.Throws<InvalidOperationException>(() => Async.CurrentPriority);
    }

    [Fact]
    public void YieldAndDelayOutsideTaskStillComplete()
    {
        using var _ = TestUtil.NoSyncContext();
        static async TandemTask<int> Work()
        {
            await Async.Yield();
            await Async.Delay(1);
            await Async.Delay(TimeSpan.Zero);
            return 3;
        }
        var task = Work().AsTask();
        Assert.True(task.Wait(TestUtil.Bound));
        Assert.Equal(3, task.Result);
    }

    [Fact]
    public void NegativeDelayMillisecondsThrows()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Async.Delay(-1));
        Assert.Equal("milliseconds", e.ParamName);
    }

    [Fact]
    public void NegativeDelayTimeSpanThrowsAsTheMillisecondsOverloadDoes()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Async.Delay(TimeSpan.FromSeconds(-5)));
        Assert.Equal("delay", e.ParamName);
        Assert.Contains("zero or more", e.Message);
    }

    [Fact]
    public void ADelayWaitedForSynchronouslyOutsideATaskThrowsInsteadOfReturningAtOnce()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Async.Delay(50).GetAwaiter().GetResult());
        Assert.Contains("await", e.Message);
        Async.Delay(0).GetAwaiter().GetResult(); // a zero delay has nothing to wait for
    }

    [Fact]
    public void ZeroDelayDoesNotSuspend()
    {
        Assert.True(Async.Delay(TimeSpan.Zero).GetAwaiter().IsCompleted);
        Assert.True(Async.Delay(0).GetAwaiter().IsCompleted);
        Assert.False(Async.Delay(1).GetAwaiter().IsCompleted);
        Assert.False(Async.Yield().GetAwaiter().IsCompleted);
    }

    [Fact]
    public void ALambdaReturningATaskOfTKeepsItsResult() // Task<T> converts implicitly only to TandemTask<T>
    {
        // Task<T> converts implicitly only to TandemTask<T>, so the valued overload is chosen and the result kept.
        using var s = new Tandem.Embedded.EmbeddedScheduler();
        var h = s.Spawn<int>(() => Task.FromResult(5)); // without <int> it does not compile: never a silent drop
        Assert.Equal(5, s.BlockOn(h));
    }
}
