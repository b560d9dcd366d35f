using Tandem;

namespace Tandem.Tests.Tasks;

/// <summary>
/// The polling loops read and write the thread's synchronization and execution contexts through the runtime's own
/// fields. These tests pin that the fields exist on the runtime we ship for, and mean what the public API says.
/// </summary>
public class ThreadAmbientTests
{
    private static readonly AsyncLocal<int> s_local = new();

    [Fact]
    public void TheThreadFieldsAreAvailableOnThisRuntime() =>
        // If a runtime renames them, the loops fall back to the public API; this test says so loudly. CI also runs
        // the conformance suites with the fallback forced (TANDEM_THREAD_FIELDS=0), where this must be false.
        Assert.Equal(Environment.GetEnvironmentVariable(ThreadAmbient.SwitchVariable) != "0", ThreadAmbient.Available);

    [Fact]
    public void TheFieldsHoldWhatThePublicApiSetsAndCaptures() => TestUtil.RunOnThread(() =>
    {
        var thread = Thread.CurrentThread;
        var mine = new SynchronizationContext();
        SynchronizationContext.SetSynchronizationContext(mine);
        Assert.Same(mine, ThreadAmbient.SynchronizationContextOf(thread));

        ThreadAmbient.SynchronizationContextOf(thread) = null;
        Assert.Null(SynchronizationContext.Current);

        s_local.Value = 7; // gives the thread an execution context of its own
        Assert.Same(ExecutionContext.Capture(), ThreadAmbient.ExecutionContextOf(thread));
    });

    [Fact]
    public void ReadingTheFieldsCapturesWhatThePublicApiCaptures() => TestUtil.RunOnThread(() =>
    {
        if (!ThreadAmbient.Available) return; // the fallback never reads them
        var thread = Thread.CurrentThread;
        Assert.Same(ExecutionContext.Capture(), AmbientContext.CaptureOn(thread));

        s_local.Value = 7;
        var own = ExecutionContext.Capture();
        Assert.Same(own, AmbientContext.CaptureOn(thread));
        Assert.False(ThreadAmbient.IsFlowSuppressedOf(own!));

        using (ExecutionContext.SuppressFlow())
        {
            Assert.Null(ExecutionContext.Capture());
            Assert.Null(AmbientContext.CaptureOn(thread));
            Assert.True(ThreadAmbient.IsFlowSuppressedOf(ThreadAmbient.ExecutionContextOf(thread)!));
        }
        Assert.Same(ExecutionContext.Capture(), AmbientContext.CaptureOn(thread)); // flowing again (a new object)
        ref var field = ref ThreadAmbient.ExecutionContextOf(thread);
        var saved = field;
        field = null; // for a moment, as a thread that never set a value: the default context
        var captured = ExecutionContext.Capture();
        var read = AmbientContext.CaptureOn(thread);
        field = saved;
        Assert.Same(captured, read);
    });

    [Fact]
    public void ProbingTheFieldsLeavesTheThreadItsOwnContextObjects() => TestUtil.RunOnThread(() =>
    {
        if (!ThreadAmbient.Available) return;
        var thread = Thread.CurrentThread;
        ref var field = ref ThreadAmbient.ExecutionContextOf(thread);
        var saved = field;
        try
        {
            field = null; // a thread that never set a value
            Assert.True(ThreadAmbient.Probe());
            Assert.Null(ThreadAmbient.ExecutionContextOf(thread)); // not an empty copy: loops and spawns compare objects

            s_local.Value = 3;
            var own = ThreadAmbient.ExecutionContextOf(thread);
            Assert.True(ThreadAmbient.Probe());
            Assert.Same(own, ThreadAmbient.ExecutionContextOf(thread));
        }
        finally
        {
            field = saved;
        }
    });
}
