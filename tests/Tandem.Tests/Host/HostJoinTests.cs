using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

public class HostJoinTests
{
    private sealed class Boom(string message) : Exception(message);

    [Fact]
    public void ResultReachesAnAwaitingTask() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        int result = s.BlockOn(async () =>
        {
            var child = s.Spawn(async () =>
            {
                await Async.Delay(5);
                return 20;
            });
            return await child + 1;
        });
        Assert.Equal(21, result);
    });

    [Fact]
    public void ResultReachesBlockOnAndGetResult() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var a = s.Spawn(async () =>
        {
            await Async.Yield();
            return "a";
        });
        Assert.Equal("a", s.BlockOn(a));

        using var finished = new ManualResetEventSlim(false);
        var b = s.Spawn(() => new TandemTask<int>(7));
        s.Spawn(async () =>
        {
            while (!b.IsFinished) await Async.Yield();
            finished.Set();
        });
        Assert.True(finished.Wait(TestUtil.Bound));
        Assert.Equal(TaskState.Completed, b.State);
        Assert.Equal(7, b.GetResult());
    });

    [Fact]
    public void ExceptionReachesAnAwaitingTask() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        string message = s.BlockOn(async () =>
        {
            var child = s.Spawn<int>(async () =>
            {
                await Async.Delay(1);
                throw new Boom("from child");
            });
            try
            {
                await child;
                return "no exception";
            }
            catch (Boom e)
            {
                return e.Message;
            }
        });
        Assert.Equal("from child", message);
    });

    [Fact]
    public void ExceptionReachesBlockOnAndGetResult() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var a = s.Spawn(async () =>
        {
            await Async.Yield();
            throw new Boom("a");
        });
        Assert.Equal("a", Assert.Throws<Boom>(() => s.BlockOn(a)).Message);

        // A synchronous throw (before the first await) is a fault too.
        var b = s.Spawn<int>(() => throw new Boom("b"));
        Assert.Equal("b", Assert.Throws<Boom>(() => s.BlockOn(b)).Message);

        var c = s.Spawn<int>(async () =>
        {
            await Async.Yield();
            throw new Boom("c");
        });
        SpinWait.SpinUntil(() => c.IsFinished, TestUtil.Bound);
        Assert.Equal(TaskState.Faulted, c.State);
        Assert.Equal("c", Assert.Throws<Boom>(() => c.GetResult()).Message);
    });

    [Fact]
    public void GetResultBeforeTheTaskFinishedThrows() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var h = s.Spawn(async () =>
        {
            await gate.Task;
            return 1;
        });
        Assert.Throws<InvalidOperationException>(() => h.GetResult());
        gate.SetResult();
        Assert.Equal(1, s.BlockOn(h));
    });

    [Fact]
    public void JoiningTwiceThrows() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var h = s.Spawn(async () =>
        {
            await Async.Yield();
            return 3;
        });
        Assert.Equal(3, s.BlockOn(h));
        Assert.Throws<InvalidOperationException>(() => h.GetResult());
        Assert.Throws<InvalidOperationException>(() => s.BlockOn(h));
        Assert.True(h.IsFinished);

        // Twice from inside a task: the second await throws.
        var outcome = s.BlockOn(async () =>
        {
            var child = s.Spawn(async () =>
            {
                await Async.Yield();
                return 4;
            });
            int first = await child;
            try
            {
                await child;
                return (first, "no exception");
            }
            catch (InvalidOperationException)
            {
                return (first, "invalid");
            }
        });
        Assert.Equal((4, "invalid"), outcome);

        // A faulted task joined twice: the fault once, then InvalidOperationException.
        var faulted = s.Spawn(async () =>
        {
            await Async.Yield();
            throw new Boom("once");
        });
        Assert.Throws<Boom>(() => s.BlockOn(faulted));
        Assert.Throws<InvalidOperationException>(() => faulted.GetResult());
    });

    [Fact]
    public void ASecondConcurrentJoinerIsRefused() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var target = s.Spawn(async () =>
        {
            await gate.Task;
            return 9;
        });
        using var firstWaiting = new ManualResetEventSlim(false);
        var first = s.Spawn(async () =>
        {
            var awaiting = target;
            firstWaiting.Set();
            return await awaiting;
        });
        Assert.True(firstWaiting.Wait(TestUtil.Bound));
        // The first joiner registers right after it signalled; wait until it did (the task is suspended).
        Assert.True(SpinWait.SpinUntil(() => first.State == TaskState.Pending, TestUtil.Bound));
        Assert.Throws<InvalidOperationException>(() => s.BlockOn(target));
        gate.SetResult();
        Assert.Equal(9, s.BlockOn(first));
    });

    [Fact]
    public void JoinSetYieldsInCompletionOrder() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var order = s.BlockOn(async () =>
        {
            using var set = s.CreateJoinSet<int>();
            foreach (int ms in new[] { 150, 10, 60 })
            {
                set.Spawn(Priority.Normal, ms, static async ms =>
                {
                    await Async.Delay(ms);
                    return ms;
                });
            }
            Assert.Equal(3, set.Count);
            var results = new List<int>();
            while (!set.IsEmpty) results.Add(await set.JoinNextAsync());
            return results;
        });
        Assert.Equal([10, 60, 150], order);
    });

    [Fact]
    public void JoinSetSpawnedFromOutsideYieldsInCompletionOrder() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        using var set = s.CreateJoinSet<int>();
        foreach (int ms in new[] { 60, 150, 10 })
            set.Spawn(Priority.High, ms, static async ms =>
            {
                await Async.Delay(ms);
                return ms;
            });
        var order = s.BlockOn(async () =>
        {
            var results = new List<int>();
            while (!set.IsEmpty) results.Add(await set.JoinNextAsync());
            return results;
        });
        Assert.Equal([10, 60, 150], order);
    });

    [Fact]
    public void JoinSetTryJoinNext() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (before, value, after, empty) = s.BlockOn(async () =>
        {
            using var set = s.CreateJoinSet<int>();
            set.Spawn(Priority.Normal, async () =>
            {
                await gate.Task;
                return 5;
            });
            bool before = set.TryJoinNext(out _);
            gate.SetResult();
            int value;
            while (!set.TryJoinNext(out value)) await Async.Yield();
            bool after = set.TryJoinNext(out _);
            return (before, value, after, set.IsEmpty);
        });
        Assert.False(before);
        Assert.Equal(5, value);
        Assert.False(after);
        Assert.True(empty);
    });

    [Fact]
    public void JoinSetPassesOnFaults() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var outcomes = s.BlockOn(async () =>
        {
            using var set = s.CreateJoinSet<int>();
            set.Spawn(Priority.Normal, async () =>
            {
                await Async.Delay(10);
                throw new Boom("fast");
            });
            set.Spawn(Priority.Normal, async () =>
            {
                await Async.Delay(80);
                return 2;
            });
            var list = new List<string>();
            while (!set.IsEmpty)
            {
                try
                {
                    list.Add((await set.JoinNextAsync()).ToString());
                }
                catch (Boom e)
                {
                    list.Add(e.Message);
                }
            }
            return list;
        });
        Assert.Equal(["fast", "2"], outcomes);
    });

    [Fact]
    public void JoinSetAbortAll() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        int finallies = 0;
        using var started = new CountdownEvent(50);
        var (aborted, completed) = s.BlockOn(async () =>
        {
            using var set = s.CreateJoinSet<int>(64);
            for (int i = 0; i < 50; i++)
            {
                set.Spawn(Priority.Normal, async () =>
                {
                    started.Signal();
                    try
                    {
                        await Async.Delay(TimeSpan.FromMinutes(10));
                        return 1;
                    }
                    finally
                    {
                        Interlocked.Increment(ref finallies);
                    }
                });
            }
            while (started.CurrentCount > 0) await Async.Yield();
            set.AbortAll();
            Assert.Equal(50, set.Count); // aborted tasks stay in the set until joined
            int aborted = 0, completed = 0;
            while (!set.IsEmpty)
            {
                try
                {
                    await set.JoinNextAsync();
                    completed++;
                }
                catch (TaskAbortedException)
                {
                    aborted++;
                }
            }
            return (aborted, completed);
        });
        Assert.Equal(50, aborted);
        Assert.Equal(0, completed);
        Assert.Equal(50, finallies);
    });

    [Fact]
    public void JoinSetDisposeAbortsTheRemainingTasksAndRunsTheirFinallyBlocks() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        const int Slow = 20;
        using var started = new CountdownEvent(Slow);
        using var unwound = new CountdownEvent(Slow);
        int fastResult = s.BlockOn(async () =>
        {
            var set = s.CreateJoinSet<int>();
            for (int i = 0; i < Slow; i++)
            {
                set.Spawn(Priority.Normal, async () =>
                {
                    started.Signal();
                    try
                    {
                        await Async.Delay(TimeSpan.FromMinutes(10));
                        return 0;
                    }
                    finally
                    {
                        unwound.Signal();
                    }
                });
            }
            set.Spawn(Priority.Normal, async () =>
            {
                await Async.Yield();
                return 42;
            });
            int fast = await set.JoinNextAsync();
            while (started.CurrentCount > 0) await Async.Yield();
            set.Dispose();
            Assert.Throws<ObjectDisposedException>(() => set.TryJoinNext(out _));
            set.Dispose(); // twice is fine
            return fast;
        });
        Assert.Equal(42, fastResult);
        Assert.True(unwound.Wait(TestUtil.Bound), $"{unwound.CurrentCount} finally blocks did not run");
        Assert.True(SpinWait.SpinUntil(() => s.TaskCount == 0, TestUtil.Bound));
    });

    [Fact]
    public void FuturesUnorderedMixesHostHandlesAndOperations() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var order = s.BlockOn(async () =>
        {
            // Each member waits for its own gate, opened one at a time in the order below: completion order is decided
            // by the test, not by timers racing a loaded machine.
            var gates = Enumerable.Range(0, 4).Select(_ => new OneShot<int>()).ToArray();
            using var set = s.CreateFuturesUnordered<int>();
            set.Push(s.Spawn(Priority.Normal, gates[2], static async gate => await gate.ReceiveAsync()));
            set.Push(Passed(gates[1]));
            set.Push(s.Spawn(Priority.High, gates[0], static async gate => await gate.ReceiveAsync()));
            set.Push(Passed(gates[3]));
            int[] values = [10, 60, 120, 200];
            var results = new List<int>();
            for (int i = 0; i < gates.Length; i++)
            {
                gates[i].Send(values[i]);
                results.Add(await set.NextAsync());
            }
            Assert.True(set.IsEmpty);
            return results;
        });
        Assert.Equal([10, 60, 120, 200], order);
    });

    [Fact]
    public void FuturesUnorderedPassesOnFaultsOfHandlesAndOperations() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var outcomes = s.BlockOn(async () =>
        {
            var gates = Enumerable.Range(0, 3).Select(_ => new OneShot<int>()).ToArray();
            using var set = s.CreateFuturesUnordered<int>();
            set.Push(s.Spawn<int>(async () =>
            {
                await gates[0].ReceiveAsync();
                throw new Boom("handle");
            }));
            set.Push(FailedOn(gates[1]));
            set.Push(Passed(gates[2]));
            var list = new List<string>();
            for (int i = 0; !set.IsEmpty; i++)
            {
                gates[i].Send(140); // one member finishes at a time, in the order pushed
                try
                {
                    list.Add((await set.NextAsync()).ToString());
                }
                catch (Boom e)
                {
                    list.Add(e.Message);
                }
            }
            return list;
        });
        Assert.Equal(["handle", "operation", "140"], outcomes);
    });

    [Fact]
    public void FuturesUnorderedOfManyHostHandles() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        long sum = s.BlockOn(async () =>
        {
            using var set = s.CreateFuturesUnordered<int>(1000);
            for (int i = 0; i < 1000; i++)
            {
                set.Push(s.Spawn(Priority.Normal, i, static async i =>
                {
                    if (i % 3 == 0) await Async.Delay(1 + i % 7);
                    else await Async.Yield();
                    return i;
                }));
            }
            long total = 0;
            while (!set.IsEmpty) total += await set.NextAsync();
            return total;
        });
        Assert.Equal(Enumerable.Range(0, 1000).Sum(), sum);
    });

    private static async TandemTask<int> Passed(OneShot<int> gate) => await gate.ReceiveAsync();

    private static async TandemTask<int> FailedOn(OneShot<int> gate)
    {
        await gate.ReceiveAsync();
        throw new Boom("operation");
    }
}
