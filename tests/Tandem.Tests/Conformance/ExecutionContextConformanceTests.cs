using Tandem;

namespace Tandem.Tests.Conformance;

/// <summary>
/// AsyncLocal values: they flow from the spawner into a task and across its awaits, and never leak out.
/// Each task is its own synchronization context while it is polled, however its polls interleave.
/// </summary>
public class ExecutionContextConformanceTests
{
    private static readonly AsyncLocal<string?> s_value = new();

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AsyncLocalFlowsIntoATaskAndDoesNotLeak(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        s_value.Value = "caller";
        var (seenAtStart, seenAfterAwait) = rt.BlockOn(async () =>
        {
            string? first = s_value.Value;
            s_value.Value = "task A";
            await Async.Yield();
            await Task.Delay(1);
            return (first, s_value.Value);
        });
        Assert.Equal("caller", seenAtStart);       // flowed from the spawner
        Assert.Equal("task A", seenAfterAwait);    // kept across the task's own awaits
        Assert.Equal("caller", s_value.Value);     // the caller's value is untouched

        s_value.Value = null;
        string? seenByB = rt.BlockOn(async () =>
        {
            await Async.Yield();
            return s_value.Value;
        });
        Assert.Null(seenByB);                      // task A's value did not leak into task B
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void InterleavedTasksEachKeepTheirOwnAsyncLocalAndSynchronizationContext(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        const int tasks = 4, yields = 200;
        var handles = new JoinHandle<(int Mismatches, SynchronizationContext? Context)>[tasks];
        for (int i = 0; i < tasks; i++)
        {
            handles[i] = rt.Spawn(Priority.Normal, i, static async me =>
            {
                string mine = $"task {me}";
                s_value.Value = mine;
                var context = SynchronizationContext.Current;
                int mismatches = 0;
                for (int k = 0; k < yields; k++)
                {
                    await Async.Yield();
                    if (s_value.Value != mine || !ReferenceEquals(SynchronizationContext.Current, context)) mismatches++;
                }
                return (mismatches, context);
            });
        }
        var results = handles.Select(h => rt.BlockOn(h)).ToArray();
        Assert.All(results, r => Assert.Equal(0, r.Mismatches));
        Assert.All(results, r => Assert.NotNull(r.Context));
        Assert.Equal(tasks, results.Select(r => r.Context).Distinct().Count()); // one context per task
        Assert.Null(s_value.Value);                                            // nothing leaked to the caller
    });

    private static async TandemTask<string?> SetsAndReturnsSynchronously()
    {
        s_value.Value = "inner, synchronous";
        return s_value.Value;
    }

    private static async TandemTask<string?> SetsThenAwaits()
    {
        s_value.Value = "inner, before its await";
        await Async.Yield();
        string? seen = s_value.Value; // its own value, restored as it resumes
        s_value.Value = "inner, after its await";
        await Async.Yield();
        return seen;
    }

    private static async Task<string?> PlainSetsThenAwaits()
    {
        s_value.Value = "plain inner";
        await Task.Yield();
        return s_value.Value;
    }

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ANestedMethodsAmbientValuesDoNotLeakIntoItsCallerAsInDotNet(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var seen = rt.BlockOn(async () =>
        {
            s_value.Value = "outer";
            var results = new List<string?>();
            results.Add(await SetsAndReturnsSynchronously());
            results.Add(s_value.Value);              // the caller's value again
            results.Add(await SetsThenAwaits());
            results.Add(s_value.Value);              // still the caller's, though the inner method suspended twice
            results.Add(await PlainSetsThenAwaits()); // an ordinary async Task method behaves the same
            results.Add(s_value.Value);
            await Async.Yield();
            results.Add(s_value.Value);              // and across the caller's own awaits
            return results;
        });
        Assert.Equal(
            ["inner, synchronous", "outer", "inner, before its await", "outer", "plain inner", "outer", "outer"],
            seen);
    });

    /// <summary>As <see cref="ANestedMethodsAmbientValuesDoNotLeakIntoItsCallerAsInDotNet"/>, for a caller that has no
    /// ambient values at all (the thread holds no execution context: its undoing restores the runtime's empty one).</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ANestedMethodsAmbientValueDoesNotLeakIntoACallerThatHadNone(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var seen = new List<string?>();
        Exception? error = null;
        // Driven from a thread that inherited no context, so the task and the thread polling it start with none.
        var driver = new Thread(() =>
        {
            try
            {
                seen = rt.BlockOn(async () =>
                {
                    var results = new List<string?> { s_value.Value };
                    results.Add(await SetsAndReturnsSynchronously());
                    results.Add(s_value.Value);
                    results.Add(await SetsThenAwaits());
                    results.Add(s_value.Value);
                    await SetsWithoutAResult(); // a TandemTask method (no result) has the same rules
                    results.Add(s_value.Value);
                    return results;
                });
            }
            catch (Exception e) { error = e; }
        }) { IsBackground = true };
        driver.UnsafeStart();
        TestUtil.JoinOrFail(driver);
        Assert.Null(error);
        Assert.Equal([null, "inner, synchronous", null, "inner, before its await", null, null], seen);
    });

    /// <summary>The same rules for a Tandem method started outside any task (on a plain thread, no runtime).</summary>
    [Fact]
    public void AMethodStartedOutsideAnyTaskKeepsItsAmbientChangesToItself() => TestUtil.RunOnThread(() =>
    {
        s_value.Value = "caller";
        Assert.Equal("inner, synchronous", SetsAndReturnsSynchronously().GetAwaiter().GetResult());
        Assert.Equal("caller", s_value.Value);
        var before = SynchronizationContext.Current;
        SetsASynchronizationContext(new SynchronizationContext(), suspend: false).GetAwaiter().GetResult();
        Assert.Same(before, SynchronizationContext.Current);
    });

    /// <summary>A task spawned by a task starts with the values its spawner has at the spawn — however they changed since
    /// the spawner's previous spawn, with the flow suppressed (no values: it runs in its polling thread's, the embedded
    /// loop's caller's or a host worker's empty one), and whichever reused task object
    /// (the embedded tier reads the spawner's context through the loop's thread, comparing it with the one the object's
    /// last task had).</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ATaskSpawnedByATaskStartsWithTheSpawnersValuesOfThatMoment(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        s_value.Value = "loop";
        var seen = rt.BlockOn(async () =>
        {
            var seen = new List<string?>();
            async Task See() => seen.Add(await rt.Spawn(static () => new TandemTask<string?>(s_value.Value)));
            s_value.Value = "a";
            await See();
            await See(); // the same values again
            s_value.Value = "b";
            await See();
            JoinHandle<string?> suppressed;
            using (ExecutionContext.SuppressFlow()) suppressed = rt.Spawn(static () => new TandemTask<string?>(s_value.Value));
            seen.Add(await suppressed);
            await See(); // flowing again
            s_value.Value = null;
            await See();
            return seen;
        });
        string? pollingThreads = mode == RuntimeMode.Embedded ? "loop" : null;
        Assert.Equal(["a", "a", "b", pollingThreads, "b", null], seen);
        Assert.Equal("loop", s_value.Value);
    });

    /// <summary>A task whose spawner suppressed the flow brings no context: its first poll runs in the polling loop's,
    /// which is saved back as the task's own, so a later poll by a loop with other values still runs in it (seen here
    /// by a callback posted to the task, which runs in the poll's context as it is).</summary>
    [Fact]
    public void ATaskSpawnedWithTheFlowSuppressedKeepsTheContextOfItsFirstPoll() => Bounded.Run(() =>
    {
        using var noContext = TestUtil.NoSyncContext();
        using var s = new EmbeddedScheduler();
        var gate = new OneShot<int>();
        var context = new SynchronizationContext?[1];
        JoinHandle<int> task;
        using (ExecutionContext.SuppressFlow())
        {
            task = s.Spawn(Priority.Normal, (gate, context), static async st =>
            {
                st.context[0] = SynchronizationContext.Current;
                return await st.gate.ReceiveAsync();
            });
        }
        s_value.Value = "first loop";
        s.RunUntilIdle(); // the task's first poll
        s_value.Value = "second loop";
        string? seen = "never ran";
        context[0]!.Post(_ => seen = s_value.Value, null);
        s.RunUntilIdle(); // the callback runs in the task's second poll
        gate.Send(1);
        Assert.Equal(1, s.BlockOn(task));
        Assert.Equal("first loop", seen);
    });

    /// <summary>A loop driven with the flow suppressed (the caller of <c>BlockOn</c> inside
    /// <see cref="ExecutionContext.SuppressFlow"/>) gets its own context back after each poll: what a task set stays the
    /// task's, and the flow is still suppressed when the call returns.</summary>
    [Fact]
    public void ALoopDrivenWithTheFlowSuppressedGetsItsOwnContextBackAfterEachPoll() => Bounded.Run(() =>
    {
        using var noContext = TestUtil.NoSyncContext();
        using var s = new EmbeddedScheduler();
        s_value.Value = "caller";
        string? seenByNext = "never ran";
        using (ExecutionContext.SuppressFlow())
        {
            var setter = s.Spawn(Priority.Normal, 0, static async _ =>
            {
                s_value.Value = "set by the task";
                await Async.Yield();
                return 0;
            });
            s.BlockOn(setter);
            Assert.Equal("caller", s_value.Value); // nothing of the task's reached the loop's caller
            Assert.True(ExecutionContext.IsFlowSuppressed());
            seenByNext = s.BlockOn(s.Spawn(Priority.Normal, 0, static async _ => s_value.Value));
        }
        Assert.NotEqual("set by the task", seenByNext); // nor the next task
    });

    /// <summary>What a task sets after a resumption is saved as its own context at the poll's end: a callback posted to
    /// the task runs in a later poll with the task's values, not the spawner's.</summary>
    [Fact]
    public void ACallbackPostedToATaskSeesTheValuesTheTaskSetBeforeItSuspended() => Bounded.Run(() =>
    {
        using var noContext = TestUtil.NoSyncContext();
        using var s = new EmbeddedScheduler();
        var gate = new OneShot<int>();
        var context = new SynchronizationContext?[1];
        s_value.Value = "spawner";
        var task = s.Spawn(Priority.Normal, (gate, context), static async st =>
        {
            await Async.Yield(); // from here the method runs in a resumption, which leaves its context on the poll
            s_value.Value = "task";
            st.context[0] = SynchronizationContext.Current;
            return await st.gate.ReceiveAsync();
        });
        s.RunUntilIdle(); // the task's first polls
        string? seen = "never ran";
        context[0]!.Post(_ => seen = s_value.Value, null);
        s.RunUntilIdle(); // the callback runs in the task's next poll
        gate.Send(1);
        Assert.Equal(1, s.BlockOn(task));
        Assert.Equal("task", seen);
        Assert.Equal("spawner", s_value.Value);
    });

    private static async TandemTask SetsWithoutAResult() => s_value.Value = "inner, no result";

    private static async TandemTask SetsASynchronizationContext(SynchronizationContext other, bool suspend)
    {
        SynchronizationContext.SetSynchronizationContext(other);
        if (suspend) await Async.Yield();
    }

    /// <summary>A Tandem method that sets a synchronization context in its synchronous part leaves its caller's in place
    /// when it returns or first suspends, as a .NET async method does; the task's own context is back when it resumes.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ANestedMethodsSynchronizationContextDoesNotLeakIntoItsCaller(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var other = new SynchronizationContext();
        var seen = rt.BlockOn(async () =>
        {
            var mine = SynchronizationContext.Current;
            var results = new List<bool> { mine is not null };
            await SetsASynchronizationContext(other, suspend: false);
            results.Add(ReferenceEquals(SynchronizationContext.Current, mine));
            var pending = SetsASynchronizationContext(other, suspend: true);
            results.Add(ReferenceEquals(SynchronizationContext.Current, mine));
            await pending;
            results.Add(ReferenceEquals(SynchronizationContext.Current, mine));
            return results;
        });
        Assert.Equal([true, true, true, true], seen);
    });
}
