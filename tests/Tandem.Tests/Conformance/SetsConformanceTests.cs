using Tandem;

namespace Tandem.Tests.Conformance;

/// <summary>Join sets and futures-unordered sets: one contract on both tiers.</summary>
public class SetsConformanceTests
{
    // Deadlines far enough apart that completion order is deterministic on the real clock of the host tier too.
    private static readonly int[] Delays = [120, 10, 60];

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void JoinSetJoinsInCompletionOrder(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var order = rt.BlockOn(async () =>
        {
            using var set = rt.CreateJoinSet<int>();
            foreach (int ms in Delays)
                set.Spawn(Priority.Normal, ms, static async ms =>
                {
                    await Async.Delay(TimeSpan.FromMilliseconds(ms));
                    return ms;
                });
            Assert.Equal(3, set.Count);
            var got = new List<int>();
            while (!set.IsEmpty) got.Add(await set.JoinNextAsync());
            return got;
        });
        Assert.Equal([10, 60, 120], order);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void JoinSetAbortAllAbortsEveryTaskAndRunsTheirFinallyBlocks(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        int started = 0, unwound = 0;
        var outcomes = rt.BlockOn(async () =>
        {
            using var set = rt.CreateJoinSet<int>();
            for (int i = 0; i < 5; i++)
                set.Spawn(Priority.Normal, async () =>
                {
                    Interlocked.Increment(ref started);
                    try
                    {
                        await Async.Delay(TimeSpan.FromHours(1));
                        return 1;
                    }
                    finally
                    {
                        Interlocked.Increment(ref unwound);
                    }
                });
            while (Volatile.Read(ref started) < 5) await Async.Yield();
            set.AbortAll();
            int aborted = 0;
            while (!set.IsEmpty)
            {
                try
                {
                    await set.JoinNextAsync();
                }
                catch (TaskAbortedException)
                {
                    aborted++;
                }
            }
            return aborted;
        });
        Assert.Equal(5, outcomes);
        Assert.Equal(5, unwound);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void DisposingAJoinSetAbortsWhatIsLeft(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        int unwound = 0, started = 0;
        var left = rt.BlockOn(async () =>
        {
            var handles = new List<AbortHandle>();
            using (var set = rt.CreateJoinSet<int>())
            {
                for (int i = 0; i < 3; i++)
                    handles.Add(set.Spawn(Priority.Normal, async () =>
                    {
                        Interlocked.Increment(ref started);
                        try
                        {
                            await Async.Delay(TimeSpan.FromHours(1));
                            return 0;
                        }
                        finally
                        {
                            Interlocked.Increment(ref unwound);
                        }
                    }));
                while (Volatile.Read(ref started) < 3) await Async.Yield();
            }
            while (handles.Any(h => !h.IsFinished)) await Async.Yield();
            return handles.Count(h => h.IsFinished);
        });
        Assert.Equal(3, left);
        Assert.Equal(3, unwound);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void FuturesUnorderedYieldsInCompletionOrder(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var order = rt.BlockOn(async () =>
        {
            using var fu = rt.CreateFuturesUnordered<int>();
            fu.Push(rt.Spawn(Priority.Normal, 120, static async ms =>
            {
                await Async.Delay(TimeSpan.FromMilliseconds(ms));
                return ms;
            }));
            fu.Push(Sleep(10));
            fu.Push(Sleep(60));
            var got = new List<int>();
            await foreach (int x in fu) got.Add(x);
            return got;
        });
        Assert.Equal([10, 60, 120], order);

        static async TandemTask<int> Sleep(int ms)
        {
            await Async.Delay(TimeSpan.FromMilliseconds(ms));
            return ms;
        }
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void SetsRejectBadInput(Tier mode)
    {
        using var rt = Runtimes.Create(mode);
        Assert.Equal("capacity", Assert.Throws<ArgumentOutOfRangeException>(() => rt.CreateJoinSet<int>(0)).ParamName);
        Assert.Equal("capacity", Assert.Throws<ArgumentOutOfRangeException>(() => rt.CreateFuturesUnordered<int>(-1)).ParamName);
        using var set = rt.CreateJoinSet<int>(1);
        Assert.Throws<InvalidOperationException>(() => set.JoinNextAsync()); // empty
        set.Spawn(Priority.Normal, async () =>
        {
            await Async.Yield();
            return 1;
        });
        Assert.Throws<CapacityExceededException>(() => set.Spawn(Priority.Normal, async () =>
        {
            await Async.Yield();
            return 2;
        }));
    }

    /// <summary>A join set checks a spawn's arguments before its room: a null method or an invalid priority is refused with
    /// the argument's exception even when the set is full (not with false, nor with the set's capacity error).</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AFullJoinSetStillRejectsBadArguments(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        using var set = rt.CreateJoinSet<int>(1);
        set.Spawn(Priority.Normal, static async () =>
        {
            await Async.Delay(TimeSpan.FromHours(1));
            return 1;
        });
        Assert.Equal("method", Assert.Throws<ArgumentNullException>(() => set.TrySpawn(Priority.Normal, 0, null!, out _)).ParamName);
        Assert.Equal("method", Assert.Throws<ArgumentNullException>(() => set.Spawn(Priority.Normal, 0, (Func<int, TandemTask<int>>)null!)).ParamName);
        Assert.Equal("priority", Assert.Throws<ArgumentOutOfRangeException>(() => set.TrySpawn((Priority)99, 0, static async _ => 2, out _)).ParamName);
        Assert.Equal(1, set.Count);
        set.AbortAll();
    });

    /// <summary>The handle that <c>TrySpawn</c> gives out is the member's: it carries the task's id and aborts it, and the set
    /// joins it as aborted.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void TrySpawnGivesAHandleThatAbortsTheMember(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var (id, abortedId) = rt.BlockOn(async () =>
        {
            using var set = rt.CreateJoinSet<int>();
            Assert.True(set.TrySpawn(Priority.Normal, 0, static async _ =>
            {
                await Async.Delay(TimeSpan.FromHours(1));
                return 1;
            }, out var handle));
            Assert.NotEqual(0, handle.Id);
            handle.Abort();
            try
            {
                await set.JoinNextAsync();
                return (handle.Id, 0L);
            }
            catch (TaskAbortedException e)
            {
                return (handle.Id, e.TaskId);
            }
        });
        Assert.Equal(id, abortedId);
    });

    /// <summary><c>JoinNextAsync</c> with a token already cancelled throws at once when no member has finished (the call
    /// throws; it returns no task), and still joins a member that has finished: a result that is there wins.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void JoinNextAsyncWithACancelledTokenThrowsAtOnceUnlessAMemberHasFinished(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var (threwAtOnce, joined) = rt.BlockOn(async () =>
        {
            var cancelled = new CancellationToken(canceled: true);
            using var set = rt.CreateJoinSet<int>();
            var slow = set.Spawn(Priority.Normal, static async () =>
            {
                await Async.Delay(TimeSpan.FromHours(1));
                return 1;
            });
            bool threwAtOnce;
            try
            {
                _ = set.JoinNextAsync(cancelled);
                threwAtOnce = false;
            }
            catch (OperationCanceledException e) when (e.CancellationToken == cancelled)
            {
                threwAtOnce = true;
            }
            var quick = set.Spawn(Priority.Normal, static async () =>
            {
                await Async.Yield();
                return 2;
            });
            while (!quick.IsFinished) await Async.Yield();
            // On the host tier a member's end reaches its handle first and the set an instant later (documented on
            // TryJoinNext): until it has, the cancelled token still wins. A bounded number of yields, not a wait.
            int joined = 0;
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    joined = await set.JoinNextAsync(cancelled);
                    break;
                }
                catch (OperationCanceledException) when (attempt < 100_000)
                {
                    await Async.Yield();
                }
            }
            slow.Abort();
            return (threwAtOnce, joined);
        });
        Assert.True(threwAtOnce);
        Assert.Equal(2, joined);
    });
}
