using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Embedded;

public class JoinSetTests
{
    private static EmbeddedScheduler Virtual(int maxTasks = 16) =>
        new(new EmbeddedOptions { MaxTasks = maxTasks, Clock = new VirtualClock() });

    private static async TandemTask<int> After(int ms, int value)
    {
        await Async.Delay(ms);
        return value;
    }

    [Fact]
    public void JoinsInCompletionOrderNotSpawnOrder()
    {
        using var s = Virtual();
        var got = s.BlockOn(async () =>
        {
            using var set = s.CreateJoinSet<int>();
            foreach (int ms in new[] { 50, 10, 40, 20, 30 })
                set.Spawn(Priority.Normal, ms, static ms => After(ms, ms));
            var results = new List<int>();
            while (!set.IsEmpty) results.Add(await set.JoinNextAsync());
            return results;
        });
        Assert.Equal([10, 20, 30, 40, 50], got);
    }

    [Fact]
    public void CompletionOrderFollowsYieldCounts()
    {
        using var s = new EmbeddedScheduler();
        var got = s.BlockOn(Priority.Low, async () =>
        {
            using var set = s.CreateJoinSet<int>();
            foreach (int yields in new[] { 3, 0, 2, 1 })
                set.Spawn(Priority.Normal, yields, static async y => { for (int i = 0; i < y; i++) await Async.Yield(); return y; });
            var results = new List<int>();
            while (!set.IsEmpty) results.Add(await set.JoinNextAsync());
            return results;
        });
        Assert.Equal([0, 1, 2, 3], got);
    }

    [Fact]
    public void TryJoinNextOutsideAnyTask()
    {
        using var s = new EmbeddedScheduler();
        using var set = s.CreateJoinSet<string>(4);
        Assert.True(set.IsEmpty);
        Assert.False(set.TryJoinNext(out _));
        set.Spawn(Priority.Normal, async () => { await Async.Yield(); await Async.Yield(); return "slow"; });
        set.Spawn(Priority.Normal, async () => { await Async.Yield(); return "fast"; });
        Assert.Equal(2, set.Count);
        Assert.False(set.TryJoinNext(out _)); // nothing finished yet
        s.PollNext();
        s.PollNext();
        Assert.False(set.TryJoinNext(out _));
        s.RunUntilIdle();
        Assert.True(set.TryJoinNext(out var first));
        Assert.Equal("fast", first);
        Assert.Equal(1, set.Count);
        Assert.True(set.TryJoinNext(out var second));
        Assert.Equal("slow", second);
        Assert.True(set.IsEmpty);
        Assert.False(set.TryJoinNext(out _));
    }

    [Fact]
    public void JoinNextAsyncOnEmptySetThrows()
    {
        using var s = new EmbeddedScheduler();
        using var set = s.CreateJoinSet<int>();
        Assert.Throws<InvalidOperationException>(() => set.JoinNextAsync());
        var r = s.BlockOn(async () =>
        {
            await Async.Yield();
            try { await set.JoinNextAsync(); return "no"; }
            catch (InvalidOperationException) { return "threw"; }
        });
        Assert.Equal("threw", r);
    }

    [Fact]
    public void JoinNextAsyncCompletesSynchronouslyWhenAMemberHasFinished()
    {
        using var s = new EmbeddedScheduler();
        using var set = s.CreateJoinSet<int>();
        set.Spawn(Priority.Normal, async () => 8);
        s.RunUntilIdle();
        var t = set.JoinNextAsync();
        Assert.True(t.IsCompleted);
#pragma warning disable xUnit1031 // a completed TandemTask: reading it does not block
        Assert.Equal(8, t.GetAwaiter().GetResult());
#pragma warning restore xUnit1031
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData((1 << 20) + 1)]
    public void CapacityOutOfRangeThrows(int capacity)
    {
        using var s = new EmbeddedScheduler();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => s.CreateJoinSet<int>(capacity));
        Assert.Equal("capacity", e.ParamName);
    }

    /// <summary>The largest capacity, <see cref="JoinSet{T}.MaxCapacity"/>, is accepted (the limit is inclusive).</summary>
    [Fact]
    public void TheLargestCapacityIsAccepted()
    {
        using var s = new EmbeddedScheduler();
        using var set = s.CreateJoinSet<int>(JoinSet<int>.MaxCapacity);
        Assert.Equal(1 << 20, set.Capacity);
        Assert.True(set.IsEmpty);
    }

    [Fact]
    public void SpawnBeyondSetCapacityThrows()
    {
        using var s = new EmbeddedScheduler(16);
        using var set = s.CreateJoinSet<int>(2);
        set.Spawn(Priority.Normal, async () => 1);
        set.Spawn(Priority.Normal, async () => 2);
        var e = Assert.Throws<CapacityExceededException>(() => set.Spawn(Priority.Normal, async () => 3));
        Assert.Equal(2, e.Capacity);
        Assert.False(set.TrySpawn(Priority.Normal, 0, static async _ => 3, out var none));
        Assert.Equal(0, none.Id);
        Assert.Equal(2, set.Count);
        Assert.Equal(2, s.TaskCount); // nothing was spawned on the scheduler
        s.RunUntilIdle();
        Assert.True(set.TryJoinNext(out _));
        Assert.True(set.TrySpawn(Priority.Normal, 0, static async _ => 3, out _)); // room again
    }

    [Fact]
    public void SpawnBeyondSchedulerCapacityThrowsTheSchedulersError()
    {
        using var s = new EmbeddedScheduler(2);
        using var set = s.CreateJoinSet<int>(10);
        set.Spawn(Priority.Normal, async () => { await Async.Yield(); return 1; });
        set.Spawn(Priority.Normal, async () => { await Async.Yield(); return 2; });
        var e = Assert.Throws<CapacityExceededException>(() => set.Spawn(Priority.Normal, async () => 3));
        Assert.Equal(2, e.Capacity);
        Assert.False(set.TrySpawn(Priority.Normal, 0, static async _ => 3, out _));
        Assert.Equal(2, set.Count); // the reserved member index was given back
        s.RunUntilIdle();
        int sum = 0;
        while (set.TryJoinNext(out int r)) sum += r;
        Assert.Equal(3, sum);
        Assert.True(set.IsEmpty);
    }

    [Fact]
    public void FinishedMembersHoldTheirSchedulerSlotsUntilJoined()
    {
        using var s = new EmbeddedScheduler(2);
        using var set = s.CreateJoinSet<int>();
        set.Spawn(Priority.Normal, async () => 1);
        set.Spawn(Priority.Normal, async () => 2);
        s.RunUntilIdle();
        // Unlike plain unjoined tasks, set members are not reclaimed: the set will join them.
        Assert.False(s.TrySpawn(Priority.Normal, async () => 3, out _));
        Assert.True(set.TryJoinNext(out _));
        Assert.True(s.TrySpawn(Priority.Normal, async () => 3, out _));
    }

    [Fact]
    public void ExceptionsSurfaceFromJoinNextAsync()
    {
        using var s = Virtual();
        var got = s.BlockOn(async () =>
        {
            using var set = s.CreateJoinSet<int>();
            set.Spawn(Priority.Normal, async () => { await Async.Delay(10); throw new FormatException("f"); });
            set.Spawn(Priority.Normal, () => After(20, 2));
            var results = new List<string>();
            while (!set.IsEmpty)
            {
                try { results.Add((await set.JoinNextAsync()).ToString()); }
                catch (FormatException e) { results.Add(e.Message); }
            }
            return results;
        });
        Assert.Equal(["f", "2"], got);
    }

    [Fact]
    public void ExceptionsSurfaceFromTryJoinNext()
    {
        using var s = new EmbeddedScheduler();
        using var set = s.CreateJoinSet<int>();
        var e = new ApplicationException();
        set.Spawn(Priority.Normal, async () => { await Async.Yield(); throw e; });
        s.RunUntilIdle();
        Assert.Same(e, Assert.Throws<ApplicationException>(() => set.TryJoinNext(out _)));
        Assert.True(set.IsEmpty); // taken out even though it threw
    }

    [Fact]
    public void MembersRunAtTheirOwnPriority()
    {
        using var s = new EmbeddedScheduler();
        var got = s.BlockOn(Priority.Idle, async () =>
        {
            using var set = s.CreateJoinSet<Priority>();
            foreach (var p in new[] { Priority.Idle, Priority.Normal, Priority.Critical, Priority.Low, Priority.High })
                set.Spawn(p, async () => { await Async.Yield(); return Async.CurrentPriority; });
            var results = new List<Priority>();
            while (!set.IsEmpty) results.Add(await set.JoinNextAsync());
            return results;
        });
        Assert.Equal([Priority.Critical, Priority.High, Priority.Normal, Priority.Low, Priority.Idle], got);
    }

    [Fact]
    public void HandleFromTheSetCanAbortButTheSetJoins()
    {
        using var s = new EmbeddedScheduler();
        using var set = s.CreateJoinSet<int>();
        var h = set.Spawn(Priority.Normal, async () => { await Async.Yield(); return 1; });
        Assert.NotEqual(0, h.Id);
        Assert.False(h.IsFinished);
        s.RunUntilIdle();
        Assert.True(h.IsFinished);
        Assert.True(set.TryJoinNext(out int r));
        Assert.Equal(1, r);
    }

    [Fact]
    public void AbortingOneMemberThroughItsHandleLetsTheSetJoinItAsAborted()
    {
        using var s = new EmbeddedScheduler();
        using var set = s.CreateJoinSet<int>();
        var victim = set.Spawn(Priority.Normal, async () => { await Async.Delay(TimeSpan.FromDays(1)); return 1; });
        set.Spawn(Priority.Normal, async () => { await Async.Yield(); return 2; });
        s.RunUntilIdle();
        victim.Abort();
        s.RunUntilIdle();
        var results = new List<string>();
        while (!set.IsEmpty)
        {
            try
            {
                Assert.True(set.TryJoinNext(out int value));
                results.Add(value.ToString());
            }
            catch (TaskAbortedException e)
            {
                results.Add(e.TaskId == victim.Id ? "victim aborted" : "wrong task aborted");
            }
        }
        Assert.Equal(["2", "victim aborted"], results.Order());
        Assert.Throws<InvalidOperationException>(() => default(AbortHandle).Abort());
    }

    [Fact]
    public void SetIsReusableAfterDraining()
    {
        using var s = new EmbeddedScheduler();
        using var set = s.CreateJoinSet<int>(3);
        for (int round = 0; round < 5; round++)
        {
            for (int i = 0; i < 3; i++) set.Spawn(Priority.Normal, i + round * 10, static async v => { await Async.Yield(); return v; });
            s.RunUntilIdle();
            var got = new List<int>();
            while (set.TryJoinNext(out int v)) got.Add(v);
            Assert.Equal(new[] { 0, 1, 2 }.Select(i => i + round * 10), got.Order());
        }
        Assert.Equal(0, s.TaskCount);
    }

    [Fact]
    public void DisposedSetRefusesUse()
    {
        using var s = new EmbeddedScheduler();
        var set = s.CreateJoinSet<int>();
        set.Dispose();
        set.Dispose(); // idempotent
        Assert.Throws<ObjectDisposedException>(() => set.Spawn(Priority.Normal, async () => 1));
        Assert.Throws<ObjectDisposedException>(() => set.TryJoinNext(out _));
        Assert.Throws<ObjectDisposedException>(() => set.JoinNextAsync());
    }

    [Fact]
    public void DisposeLetsFinishedMembersGo()
    {
        using var s = new EmbeddedScheduler(2);
        var set = s.CreateJoinSet<int>();
        set.Spawn(Priority.Normal, async () => 1);
        set.Spawn(Priority.Normal, async () => 2);
        s.RunUntilIdle();
        set.Dispose();
        Assert.True(s.TrySpawn(Priority.Normal, async () => 3, out _));
        Assert.True(s.TrySpawn(Priority.Normal, async () => 4, out _));
    }

    [Fact]
    public void NullMethodRejectedWithoutReservingAMember()
    {
        using var s = new EmbeddedScheduler();
        using var set = s.CreateJoinSet<int>(1);
        Assert.Throws<ArgumentNullException>(() => set.Spawn(Priority.Normal, (Func<TandemTask<int>>)null!));
        Assert.True(set.IsEmpty);
        set.Spawn(Priority.Normal, async () => 1);
    }

    [Fact]
    public void ManyMembersAllJoinedExactlyOnce()
    {
        using var s = Virtual(256);
        var got = s.BlockOn(async () =>
        {
            using var set = s.CreateJoinSet<int>(200);
            for (int i = 0; i < 200; i++) set.Spawn(Priority.Normal, i, static i => After((i * 31) % 17, i));
            var results = new List<int>();
            while (!set.IsEmpty) results.Add(await set.JoinNextAsync());
            return results;
        });
        Assert.Equal(Enumerable.Range(0, 200), got.Order());
    }
}
