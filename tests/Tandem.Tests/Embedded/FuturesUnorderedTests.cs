using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Embedded;

public class FuturesUnorderedTests
{
    /// <summary>Pending until released; records its polls and the waker it was last given.</summary>
    private sealed class ManualFuture(int value) : IFuture<int>, IDisposable
    {
        public int Polls;
        public int Disposals;
        public Waker Waker;
        public volatile bool Release;
        public Exception? Throw;

        public Poll<int> Poll(PollContext context)
        {
            Polls++;
            Waker = context.Waker;
            if (Throw is not null) throw Throw;
            return Release ? value : Poll<int>.Pending;
        }

        public void Dispose() => Disposals++;

        public void Complete()
        {
            Release = true;
            Waker.Wake();
        }
    }

    private static EmbeddedScheduler Virtual() => new(new EmbeddedOptions { Clock = new VirtualClock() });

    private static async TandemTask<int> After(int ms, int value)
    {
        await Async.Delay(ms);
        return value;
    }

    [Fact]
    public void OperationsComeOutInCompletionOrder()
    {
        using var s = Virtual();
        var got = s.BlockOn(async () =>
        {
            using var fu = new FuturesUnordered<int>();
            foreach (int ms in new[] { 30, 10, 20 }) fu.Push(After(ms, ms));
            Assert.Equal(3, fu.Count);
            var results = new List<int>();
            while (!fu.IsEmpty) results.Add(await fu.NextAsync());
            return results;
        });
        Assert.Equal([10, 20, 30], got);
    }

    [Fact]
    public void HandlesComeOutInCompletionOrder()
    {
        using var s = Virtual();
        var got = s.BlockOn(async () =>
        {
            using var fu = s.CreateFuturesUnordered<int>(4);
            fu.Push(s.Spawn(() => After(40, 4)));
            fu.Push(s.Spawn(() => After(10, 1)));
            fu.Push(s.Spawn(() => After(30, 3)));
            var results = new List<int>();
            while (!fu.IsEmpty) results.Add(await fu.NextAsync());
            return results;
        });
        Assert.Equal([1, 3, 4], got);
    }

    [Fact]
    public void MixedKindsIncludingFutures()
    {
        using var s = Virtual();
        var manual = new ManualFuture(2);
        var got = s.BlockOn(async () =>
        {
            using var fu = new FuturesUnordered<int>();
            fu.Push(s.Spawn(() => After(30, 3)));
            fu.Push(After(10, 1));
            fu.Push(manual);
            var results = new List<int>();
            results.Add(await fu.NextAsync()); // 1 at t=10
            manual.Complete();
            results.Add(await fu.NextAsync()); // 2, woken
            results.Add(await fu.NextAsync()); // 3 at t=30
            return results;
        });
        Assert.Equal([1, 2, 3], got);
        Assert.Equal(1, manual.Disposals);
    }

    [Fact]
    public void AlreadyCompletedOperationIsReadyAtOnce()
    {
        using var fu = new FuturesUnordered<int>(2);
        fu.Push(new TandemTask<int>(5));
        Assert.True(fu.TryNext(out int r));
        Assert.Equal(5, r);
        Assert.True(fu.IsEmpty);
    }

    [Fact]
    public void TryNextOutsideAnyTask()
    {
        using var s = new EmbeddedScheduler();
        using var fu = new FuturesUnordered<int>(4);
        Assert.False(fu.TryNext(out _));
        fu.Push(s.Spawn(async () => { await Async.Yield(); return 7; }));
        Assert.False(fu.TryNext(out _));
        s.RunUntilIdle();
        Assert.True(fu.TryNext(out int r));
        Assert.Equal(7, r);
        Assert.False(fu.TryNext(out _));
    }

    [Fact]
    public void FuturesArePolledOnlyWhenTheirWakerFires()
    {
        using var fu = new FuturesUnordered<int>(16);
        var futures = Enumerable.Range(0, 10).Select(i => new ManualFuture(i)).ToArray();
        foreach (var f in futures) fu.Push(f);
        Assert.False(fu.TryNext(out _)); // first poll of each
        Assert.All(futures, f => Assert.Equal(1, f.Polls));
        Assert.False(fu.TryNext(out _));
        Assert.False(fu.TryNext(out _));
        Assert.All(futures, f => Assert.Equal(1, f.Polls)); // nobody woke
        futures[3].Waker.Wake();
        futures[3].Waker.Wake();
        Assert.False(fu.TryNext(out _));
        for (int i = 0; i < futures.Length; i++) Assert.Equal(i == 3 ? 2 : 1, futures[i].Polls);
        futures[7].Complete();
        Assert.True(fu.TryNext(out int r));
        Assert.Equal(7, r);
        Assert.Equal(2, futures[7].Polls);
        Assert.Equal(1, futures[7].Disposals);
        Assert.Equal(9, fu.Count);
    }

    [Fact]
    public void MemberWakersAreNotRegistryWakers()
    {
        using var fu = new FuturesUnordered<int>(2);
        var f = new ManualFuture(0);
        fu.Push(f);
        fu.TryNext(out _);
        Assert.False(f.Waker.IsNoop);
        Assert.Equal(-1, f.Waker.RegistryIndex);
    }

    [Fact]
    public void StaleMemberWakerDoesNotPollTheIndexsNextFuture()
    {
        using var fu = new FuturesUnordered<int>(1);
        var first = new ManualFuture(1) { Release = true };
        fu.Push(first);
        Assert.True(fu.TryNext(out _));
        var second = new ManualFuture(2);
        fu.Push(second);
        Assert.False(fu.TryNext(out _));
        Assert.Equal(1, second.Polls);
        first.Waker.Wake(); // same index, earlier generation
        Assert.False(fu.TryNext(out _));
        Assert.Equal(1, second.Polls);
        Assert.NotEqual(first.Waker, second.Waker);
    }

    [Fact]
    public void FutureWokenFromAnotherThreadResumesTheConsumer()
    {
        using var s = new EmbeddedScheduler();
        var f = new ManualFuture(11);
        var polled = new ManualResetEventSlim();
        var h = s.Spawn(async () =>
        {
            using var fu = new FuturesUnordered<int>(2);
            fu.Push(f);
            Assert.False(fu.TryNext(out _));
            polled.Set();
            return await fu.NextAsync();
        });
        Exception? error = null;
        int result = 0;
        var driver = TestUtil.StartThread(() => result = s.BlockOn(h), e => error = e);
        Assert.True(polled.Wait(TestUtil.Bound));
        TestUtil.WaitUntilBlocked(driver);
        TestUtil.RunOnThread(f.Complete);
        TestUtil.JoinOrFail(driver);
        Assert.Null(error);
        Assert.Equal(11, result);
        Assert.Equal(2, f.Polls);
    }

    [Fact]
    public void ExceptionsSurfaceFromEveryKind()
    {
        using var s = Virtual();
        var future = new ManualFuture(0) { Throw = new FormatException("future") };
        var got = s.BlockOn(async () =>
        {
            using var fu = new FuturesUnordered<int>();
            fu.Push(s.Spawn<int>(async () => { await Async.Delay(10); throw new FormatException("handle"); }));
            fu.Push(Failing());
            fu.Push(future);
            var messages = new List<string>();
            while (!fu.IsEmpty)
            {
                try { await fu.NextAsync(); messages.Add("value"); }
                catch (FormatException e) { messages.Add(e.Message); }
            }
            return messages;
        });
        Assert.Equal(["future", "operation", "handle"], got);
        Assert.Equal(1, future.Disposals);

        static async TandemTask<int> Failing()
        {
            await Async.Delay(5);
            throw new FormatException("operation");
        }
    }

    [Fact]
    public void TryNextRethrows()
    {
        using var fu = new FuturesUnordered<int>(2);
        var e = new TimeoutException();
        fu.Push(new ManualFuture(0) { Throw = e });
        Assert.Same(e, Assert.Throws<TimeoutException>(() => fu.TryNext(out _)));
        Assert.True(fu.IsEmpty);
    }

    [Fact]
    public void NextAsyncOnEmptySetThrows()
    {
        using var fu = new FuturesUnordered<int>();
        Assert.Throws<InvalidOperationException>(() => fu.NextAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65_537)]
    public void CapacityOutOfRangeThrows(int capacity)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new FuturesUnordered<int>(capacity));
        Assert.Equal("capacity", e.ParamName);
    }

    [Fact]
    public void MaximumCapacityAccepted()
    {
        using var fu = new FuturesUnordered<int>(FuturesUnordered<int>.MaxCapacity);
        Assert.Equal(65_536, fu.Capacity);
        var last = new ManualFuture(1);
        for (int i = 0; i < 1000; i++) fu.Push(new TandemTask<int>(0));
        fu.Push(last);
        for (int i = 0; i < 1000; i++) Assert.True(fu.TryNext(out _));
        Assert.False(fu.TryNext(out _));
        last.Complete();
        Assert.True(fu.TryNext(out int r));
        Assert.Equal(1, r);
    }

    [Fact]
    public void PushBeyondCapacityThrows()
    {
        using var s = new EmbeddedScheduler();
        using var fu = new FuturesUnordered<int>(2);
        fu.Push(new ManualFuture(1));
        fu.Push(new TandemTask<int>(2));
        var e = Assert.Throws<CapacityExceededException>(() => fu.Push(new ManualFuture(3)));
        Assert.Equal(2, e.Capacity);
        Assert.Throws<CapacityExceededException>(() => fu.Push(new TandemTask<int>(4)));
        Assert.Equal(2, fu.Count);
        Assert.True(fu.TryNext(out int r));
        Assert.Equal(2, r);
        fu.Push(new TandemTask<int>(5)); // room again
        Assert.Equal(2, fu.Count);
    }

    [Fact]
    public void AsyncEnumerationYieldsEveryResultInCompletionOrder()
    {
        using var s = Virtual();
        var got = s.BlockOn(async () =>
        {
            using var fu = new FuturesUnordered<int>();
            foreach (int ms in new[] { 25, 5, 15 }) fu.Push(After(ms, ms));
            var results = new List<int>();
            await foreach (var v in fu) results.Add(v);
            Assert.True(fu.IsEmpty);
            return results;
        });
        Assert.Equal([5, 15, 25], got);
    }

    [Fact]
    public void AsyncEnumerationOfEmptySetEndsAtOnce()
    {
        using var s = new EmbeddedScheduler();
        var n = s.BlockOn(async () =>
        {
            using var fu = new FuturesUnordered<int>();
            int count = 0;
            await foreach (var _ in fu) count++;
            return count;
        });
        Assert.Equal(0, n);
    }

    [Fact]
    public void AsyncEnumerationHonoursCancellation()
    {
        using var s = Virtual();
        var got = s.BlockOn(() => EnumerateCancellingAfterTheFirst(fu =>
        {
            foreach (int ms in new[] { 1, 2, 3 }) fu.Push(After(ms, ms));
        }));
        Assert.Equal([1, -1], got);
    }

    /// <summary>Enumerates a set filled by <paramref name="fill"/>, cancelling its token after the first result: the
    /// results, then -1 if the enumeration ended with <see cref="OperationCanceledException"/>.</summary>
    private static async TandemTask<List<int>> EnumerateCancellingAfterTheFirst(Action<FuturesUnordered<int>> fill)
    {
        using var cts = new CancellationTokenSource();
        using var fu = new FuturesUnordered<int>();
        fill(fu);
        var results = new List<int>();
        try
        {
            await foreach (var v in fu.WithCancellation(cts.Token))
            {
                results.Add(v);
                cts.Cancel();
            }
        }
        catch (OperationCanceledException) { results.Add(-1); }
        return results;
    }

    /// <summary>An enumeration stops at the first step after its token is cancelled, even when the remaining members have
    /// already completed (their results are there to take).</summary>
    [Fact]
    public void AsyncEnumerationStopsAtCancellationEvenWhenResultsAreReady()
    {
        using var s = new EmbeddedScheduler();
        var got = s.BlockOn(() => EnumerateCancellingAfterTheFirst(fu =>
        {
            foreach (int v in new[] { 1, 2, 3 }) fu.Push(new TandemTask<int>(v)); // all completed already
        }));
        Assert.Equal([1, -1], got);
    }

    /// <summary><c>NextAsync</c> with a cancelled token still takes out a future member that is ready when polled (the wait
    /// is what the token ends, not the taking); with nothing ready it throws at once, from the call itself.</summary>
    [Fact]
    public void NextAsyncWithACancelledTokenTakesAReadyFutureAndOtherwiseThrowsAtOnce()
    {
        using var s = new EmbeddedScheduler();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var (value, threwAtOnce) = s.BlockOn(async () =>
        {
            using var fu = new FuturesUnordered<int>();
            fu.Push(new ManualFuture(5) { Release = true }); // ready at its first poll
            int v = await fu.NextAsync(cts.Token);
            fu.Push(new ManualFuture(6)); // pending
            bool atOnce;
            try
            {
                _ = fu.NextAsync(cts.Token);
                atOnce = false;
            }
            catch (OperationCanceledException)
            {
                atOnce = true;
            }
            return (v, atOnce);
        });
        Assert.Equal(5, value);
        Assert.True(threwAtOnce);
    }

    /// <summary>A future member polled by the set inside a task is told that task's priority.</summary>
    [Fact]
    public void AFutureMemberIsToldThePriorityOfTheTaskThatPollsIt()
    {
        using var s = new EmbeddedScheduler();
        var seen = new List<Priority>();
        var handle = s.Spawn(Priority.High, async () =>
        {
            using var fu = new FuturesUnordered<int>();
            fu.Push(new PriorityRecordingFuture(seen));
            return await fu.NextAsync();
        });
        Assert.Equal(1, s.BlockOn(handle));
        Assert.Equal([Priority.High], seen);
    }

    private sealed class PriorityRecordingFuture(List<Priority> seen) : IFuture<int>
    {
        public Poll<int> Poll(PollContext context)
        {
            seen.Add(context.Priority);
            return 1;
        }
    }

    [Fact]
    public void DisposeDisposesPendingFuturesAndDetachesHandles()
    {
        using var s = new EmbeddedScheduler(2);
        var f = new ManualFuture(1);
        int ran = 0;
        var fu = new FuturesUnordered<int>(4);
        fu.Push(f);
        fu.Push(s.Spawn(async () => { await Async.Yield(); ran++; return 2; }));
        fu.Dispose();
        Assert.Equal(1, f.Disposals);
        s.RunUntilIdle();
        Assert.Equal(1, ran); // the task ran on, unjoined
        Assert.Equal(0, s.TaskCount);
        // Its slot was freed when it finished: both slots are available.
        Assert.True(s.TrySpawn(Priority.Normal, async () => 0, out _));
        Assert.True(s.TrySpawn(Priority.Normal, async () => 0, out _));
        fu.Dispose();
        Assert.Equal(1, f.Disposals);
        Assert.Throws<ObjectDisposedException>(() => fu.TryNext(out _));
        Assert.Throws<ObjectDisposedException>(() => fu.NextAsync());
        Assert.Throws<ObjectDisposedException>(() => fu.Push(new TandemTask<int>(1)));
    }

    [Fact]
    public void PushNullFutureThrows()
    {
        using var fu = new FuturesUnordered<int>(1);
        Assert.Throws<ArgumentNullException>(() => fu.Push((IFuture<int>)null!));
        Assert.True(fu.IsEmpty);
    }

    [Fact]
    public void HandleAlreadyInASetCannotBePushedTwice()
    {
        using var s = new EmbeddedScheduler();
        using var a = new FuturesUnordered<int>(2);
        var h = s.Spawn(async () => { await Async.Yield(); return 1; });
        a.Push(h);
        using var b = new FuturesUnordered<int>(2);
        Assert.Throws<InvalidOperationException>(() => b.Push(h));
    }

    [Fact]
    public void ManyWakesFromManyThreadsAllArrive()
    {
        const int threads = 4, perThread = 16;
        using var s = new EmbeddedScheduler();
        var futures = Enumerable.Range(0, threads * perThread).Select(i => new ManualFuture(i)).ToArray();
        var ready = new ManualResetEventSlim();
        var h = s.Spawn(async () =>
        {
            using var fu = new FuturesUnordered<int>(threads * perThread);
            foreach (var f in futures) fu.Push(f);
            Assert.False(fu.TryNext(out _));
            ready.Set();
            var results = new List<int>();
            while (!fu.IsEmpty) results.Add(await fu.NextAsync());
            return results;
        });
        Exception? error = null;
        List<int>? got = null;
        var driver = TestUtil.StartThread(() => got = s.BlockOn(h), e => error = e);
        Assert.True(ready.Wait(TestUtil.Bound));
        var completers = Enumerable.Range(0, threads).Select(t => TestUtil.StartThread(() =>
        {
            for (int i = t; i < futures.Length; i += threads) futures[i].Complete();
        }, e => error = e)).ToArray();
        foreach (var c in completers) TestUtil.JoinOrFail(c);
        TestUtil.JoinOrFail(driver);
        Assert.Null(error);
        Assert.Equal(Enumerable.Range(0, threads * perThread), got!.Order());
    }
}
