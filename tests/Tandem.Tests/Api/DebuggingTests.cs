using System.Diagnostics;
using System.Reflection;
using Tandem;
using Tandem.Embedded;
using Tandem.Tests.Conformance;

namespace Tandem.Tests.Api;

/// <summary>Debugging as a .NET user expects: stack traces of the user's code, and debugger displays that say what a thing is.</summary>
public class DebuggingTests
{
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AnExceptionThrownThreeAwaitsDeepShowsTheUsersFramesAndHardlyAnyOfTandems(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var error = Assert.Throws<InvalidOperationException>(() => rt.BlockOn(() => Outer()));
        var frames = error.StackTrace!.Split('\n').Select(f => f.Trim()).Where(f => f.StartsWith("at ", StringComparison.Ordinal)).ToArray();
        Assert.Contains(frames, f => f.Contains(nameof(Outer)));
        Assert.Contains(frames, f => f.Contains(nameof(Middle)));
        Assert.Contains(frames, f => f.Contains(nameof(Inner)));
        var tandemFrames = frames.Where(f => f.StartsWith("at Tandem.", StringComparison.Ordinal) && !f.StartsWith("at Tandem.Tests.", StringComparison.Ordinal)).ToArray();
        Assert.True(tandemFrames.Length <= 2, "Tandem's glue shows in the trace:\n" + string.Join("\n", tandemFrames));
    });

    private static async TandemTask<int> Outer()
    {
        await Async.Yield();
        return await Middle() + 1;
    }

    private static async TandemTask<int> Middle()
    {
        await Async.Yield();
        return await Inner() + 1;
    }

    private static async TandemTask<int> Inner()
    {
        await Async.Yield();
        throw new InvalidOperationException("three awaits deep");
    }

    [Fact]
    public void HandlesSetsAndSchedulersTellTheDebuggerWhatTheyAre()
    {
        using var s = new EmbeddedScheduler(8);
        var handle = s.Spawn(Priority.High, async () =>
        {
            await Async.Yield();
            return 1;
        });
        Assert.Equal($"JoinHandle task {handle.Id}, not finished", Display(handle));
        Assert.Equal("EmbeddedScheduler 1/8 tasks", Display(s));
        s.BlockOn(handle);
        Assert.Equal($"JoinHandle task {handle.Id}, finished", Display(handle));
        using var set = s.CreateJoinSet<int>(4);
        Assert.Equal("JoinSet Count = 0, Capacity = 4", Display(set));
        Assert.Equal("JoinHandle (default)", Display(default(JoinHandle<int>)));
        using var host = new Tandem.Host.HostScheduler(2);
        Assert.Equal("HostScheduler 2 workers, 0 tasks", Display(host));
    }

    /// <summary>A disposed join set says so in the debugger, rather than showing a count it no longer keeps.</summary>
    [Fact]
    public void ADisposedJoinSetTellsTheDebuggerItIsDisposed()
    {
        using var s = new EmbeddedScheduler(8);
        var set = s.CreateJoinSet<int>(4);
        set.Spawn(Priority.Normal, async () => 1);
        Assert.Equal("JoinSet Count = 1, Capacity = 4", Display(set));
        set.Dispose();
        Assert.Equal("JoinSet (disposed)", Display(set));
    }

    /// <summary>A futures-unordered set shows its count and capacity in the debugger, and once disposed says so.</summary>
    [Fact]
    public void AFuturesUnorderedSetTellsTheDebuggerItsCountAndWhenItIsDisposed()
    {
        var set = new FuturesUnordered<int>(4);
        set.Push(new TandemTask<int>(1));
        Assert.Equal("FuturesUnordered Count = 1, Capacity = 4", Display(set));
        set.Dispose();
        Assert.Equal("FuturesUnordered (disposed)", Display(set));
    }

    /// <summary>A task object shows the debugger its task's id, priority and generation, and whether an abort was requested.</summary>
    [Fact]
    public void ATaskTellsTheDebuggerItsIdPriorityGenerationAndAbort()
    {
        using var s = new EmbeddedScheduler(4);
        var core = new TaskCore?[1];
        var gate = new OneShot<int>();
        var handle = s.Spawn(Priority.High, async () =>
        {
            core[0] = TaskCore.Current;
            return await gate.ReceiveAsync();
        });
        s.RunUntilIdle();
        Assert.NotNull(core[0]);
        Assert.Matches($"^task {handle.Id}, High, generation -?[0-9]+$", TaskDisplay(core[0]!));
        handle.Abort();
        Assert.Matches($"^task {handle.Id}, High, generation -?[0-9]+, abort requested$", TaskDisplay(core[0]!));
        Assert.Throws<TaskAbortedException>(() => s.BlockOn(handle));
    }

    /// <summary>What a debugger shows for a task object (its display member is declared on <see cref="TaskCore"/>).</summary>
    private static string TaskDisplay(TaskCore task)
    {
        Assert.Equal("{DebuggerDisplay,nq}", typeof(TaskCore).GetCustomAttribute<DebuggerDisplayAttribute>()!.Value);
        var property = typeof(TaskCore).GetProperty("DebuggerDisplay", BindingFlags.Instance | BindingFlags.NonPublic)!;
        return (string)property.GetValue(task)!;
    }

    /// <summary>What a debugger shows for <paramref name="value"/>: its <see cref="DebuggerDisplayAttribute"/>'s member.</summary>
    private static string Display(object value)
    {
        var attribute = value.GetType().GetCustomAttribute<DebuggerDisplayAttribute>();
        Assert.NotNull(attribute);
        Assert.Equal("{DebuggerDisplay,nq}", attribute.Value);
        var property = value.GetType().GetProperty("DebuggerDisplay", BindingFlags.Instance | BindingFlags.NonPublic)!;
        return (string)property.GetValue(value)!;
    }
}
