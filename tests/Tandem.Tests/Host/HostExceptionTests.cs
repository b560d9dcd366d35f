using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

public class HostExceptionTests
{
    private sealed class TaskFault(int index) : Exception($"task {index}")
    {
        public int Index { get; } = index;
    }

    [Fact]
    public void ExceptionsUnderLoadReachTheirOwnJoiners() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(4);
        const int N = 5000;
        var handles = new JoinHandle<int>[N];
        for (int i = 0; i < N; i++)
        {
            handles[i] = s.Spawn(Priorities.FromInt32(i % Priorities.Count), i, static async i =>
            {
                await Async.Yield();
                if (i % 3 == 0) await Async.Delay(1 + i % 4);
                if (i % 7 == 0) throw new TaskFault(i);
                await Async.Yield();
                if (i % 11 == 0) throw new TaskFault(-i);
                return i;
            });
        }

        // Half joined from inside a task, half from outside, concurrently.
        var inside = s.Spawn(async () =>
        {
            var wrong = new List<string>();
            for (int i = 0; i < N; i += 2) await Check(handles[i], i, wrong);
            return wrong;
        });
        var wrongOutside = new List<string>();
        for (int i = 1; i < N; i += 2)
        {
            try
            {
                int value = s.BlockOn(handles[i]);
                if (i % 7 == 0 || i % 11 == 0 || value != i) wrongOutside.Add($"{i}: returned {value}");
            }
            catch (TaskFault e)
            {
                int expected = i % 7 == 0 ? i : -i;
                if ((i % 7 != 0 && i % 11 != 0) || e.Index != expected) wrongOutside.Add($"{i}: threw for {e.Index}");
            }
        }
        Assert.Empty(wrongOutside);
        Assert.Empty(s.BlockOn(inside));

        // The scheduler runs on.
        Assert.Equal(42, s.BlockOn(async () =>
        {
            await Async.Delay(1);
            return 42;
        }));
        Assert.True(SpinWait.SpinUntil(() => s.TaskCount == 0, TestUtil.Bound));
    }, TimeSpan.FromSeconds(60));

    private static async TandemTask Check(JoinHandle<int> handle, int i, List<string> wrong)
    {
        try
        {
            int value = await handle;
            if (i % 7 == 0 || i % 11 == 0 || value != i) wrong.Add($"{i}: returned {value}");
        }
        catch (TaskFault e)
        {
            int expected = i % 7 == 0 ? i : -i;
            if ((i % 7 != 0 && i % 11 != 0) || e.Index != expected) wrong.Add($"{i}: threw for {e.Index}");
        }
    }

    [Fact]
    public void PollFunctionAndFutureFaultsReachTheJoiner() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var poll = s.Schedule<int>(Priority.Normal, _ => throw new TaskFault(1));
        Assert.Equal(1, Assert.Throws<TaskFault>(() => s.BlockOn(poll)).Index);

        var future = new ThrowingFuture();
        var h = s.Spawn(Priority.Normal, future);
        Assert.Equal(2, Assert.Throws<TaskFault>(() => s.BlockOn(h)).Index);
        Assert.Equal(1, future.Disposed);
    });

    private sealed class ThrowingFuture : IFuture<int>, IDisposable
    {
        public int Disposed;

        public Poll<int> Poll(PollContext context) => throw new TaskFault(2);

        public void Dispose() => Interlocked.Increment(ref Disposed);
    }

    [Fact]
    public void AFaultNobodyJoinedIsReportedAtShutdownWithoutWaitingForAGarbageCollection() => Bounded.Run(() =>
    {
        var s = new HostScheduler(2);
        var raised = new ConcurrentQueue<UnobservedExceptionEventArgs>();
        s.UnobservedTaskException += (_, e) => raised.Enqueue(e);
        var forgotten = s.Spawn(static async () =>
        {
            await Async.Yield();
            throw new TaskFault(7);
        });
        var joined = s.Spawn(static async () =>
        {
            await Async.Yield();
            throw new TaskFault(8);
        });
        Assert.Throws<TaskFault>(() => s.BlockOn(joined)); // observed: never reported
        Assert.True(SpinWait.SpinUntil(() => forgotten.IsFinished, TestUtil.Bound));
        Assert.Empty(raised); // its handle is alive: nothing is reported yet
        Assert.True(s.Shutdown(TestUtil.Bound));
        var e = Assert.Single(raised);
        Assert.Equal(forgotten.Id, e.TaskId);
        Assert.Equal(7, Assert.IsType<TaskFault>(e.Exception).Index);
        Assert.Throws<TaskFault>(() => forgotten.GetResult()); // still joinable after shutdown; reported once only
        s.Dispose();
        Assert.Single(raised);
    });

    [Fact]
    public void UnobservedIsRaisedWhenAFaultedTaskIsDetachedBeforeItFinishes() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var raised = new ConcurrentQueue<UnobservedExceptionEventArgs>();
        using var got = new ManualResetEventSlim(false);
        s.UnobservedTaskException += (sender, e) =>
        {
            Assert.Same(s, sender);
            raised.Enqueue(e);
            got.Set();
        };
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var h = s.Spawn(async () =>
        {
            await gate.Task;
            throw new TaskFault(3);
        });
        h.Detach();
        Assert.Empty(raised);
        gate.SetResult();
        Assert.True(got.Wait(TestUtil.Bound));
        var e = Assert.Single(raised);
        Assert.Equal(h.Id, e.TaskId);
        Assert.Equal(3, Assert.IsType<TaskFault>(e.Exception).Index);
    });

    [Fact]
    public void UnobservedIsRaisedWhenAFaultedTaskIsDetachedAfterItFinished() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var raised = new ConcurrentQueue<UnobservedExceptionEventArgs>();
        s.UnobservedTaskException += (_, e) => raised.Enqueue(e);
        var h = s.Spawn(async () =>
        {
            await Async.Yield();
            throw new TaskFault(4);
        });
        Assert.True(SpinWait.SpinUntil(() => h.IsFinished, TestUtil.Bound));
        Assert.Empty(raised);
        h.Detach();
        var e = Assert.Single(raised); // raised synchronously by Detach
        Assert.Equal(h.Id, e.TaskId);
        h.Detach(); // once only
        Assert.Single(raised);
    });

    [Fact]
    public void UnobservedIsNotRaisedForADetachedTaskThatSucceedsOrIsAborted() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        int raised = 0;
        s.UnobservedTaskException += (_, _) => Interlocked.Increment(ref raised);
        var ok = s.Spawn(async () =>
        {
            await Async.Yield();
            return 1;
        });
        ok.Detach();
        var aborted = s.Spawn(async () =>
        {
            await Async.Delay(TimeSpan.FromMinutes(10));
            return 1;
        });
        aborted.Abort();
        aborted.Detach();
        Assert.True(SpinWait.SpinUntil(() => s.TaskCount == 0, TestUtil.Bound));
        CollectGarbage();
        Assert.Equal(0, raised);
    });

    [Fact]
    public void UnobservedIsRaisedWhenTheHandleOfAFaultedTaskIsCollectedUnjoined() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var raised = new ConcurrentQueue<UnobservedExceptionEventArgs>();
        s.UnobservedTaskException += (_, e) => raised.Enqueue(e);
        long id = SpawnFaultingAndDropTheHandle(s, 5);
        Assert.True(SpinWait.SpinUntil(() => s.TaskCount == 0, TestUtil.Bound));
        for (int attempt = 0; attempt < 50 && raised.IsEmpty; attempt++) CollectGarbage();
        var e = Assert.Single(raised);
        Assert.Equal(id, e.TaskId);
        Assert.Equal(5, Assert.IsType<TaskFault>(e.Exception).Index);
    });

    [Fact]
    public void UnobservedIsNotRaisedWhenAFaultedTaskIsJoined() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var raised = new ConcurrentQueue<UnobservedExceptionEventArgs>();
        s.UnobservedTaskException += (_, e) => raised.Enqueue(e);
        JoinAFaultedTaskAndDropTheHandle(s);
        JoinAFaultedTaskFromATaskAndDropTheHandle(s);
        // A marker that is not joined: once it is reported, the collector has run finalizers after the joined ones became garbage.
        long marker = SpawnFaultingAndDropTheHandle(s, 99);
        Assert.True(SpinWait.SpinUntil(() => s.TaskCount == 0, TestUtil.Bound));
        for (int attempt = 0; attempt < 50 && raised.IsEmpty; attempt++) CollectGarbage();
        CollectGarbage();
        var e = Assert.Single(raised);
        Assert.Equal(marker, e.TaskId);
    });

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long SpawnFaultingAndDropTheHandle(HostScheduler s, int index)
    {
        var h = s.Spawn(Priority.Normal, index, static async index =>
        {
            await Async.Yield();
            throw new TaskFault(index);
        });
        return h.Id;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void JoinAFaultedTaskAndDropTheHandle(HostScheduler s)
    {
        var h = s.Spawn(async () =>
        {
            await Async.Yield();
            throw new TaskFault(6);
        });
        Assert.Throws<TaskFault>(() => s.BlockOn(h));
        h.Detach(); // joined already: detaching reports nothing
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void JoinAFaultedTaskFromATaskAndDropTheHandle(HostScheduler s)
    {
        int index = s.BlockOn(async () =>
        {
            var h = s.Spawn(async () =>
            {
                await Async.Delay(1);
                throw new TaskFault(7);
            });
            try
            {
                await h;
                return 0;
            }
            catch (TaskFault e)
            {
                return e.Index;
            }
        });
        Assert.Equal(7, index);
    }

    private static void CollectGarbage()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
