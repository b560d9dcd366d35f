using Tandem;
using Tandem.Embedded;
using Tandem.Host;

namespace Tandem.Tests.Regressions;

/// <summary>
/// Behaviours the spec suites found broken, fixed, and kept here so they stay fixed.
/// </summary>
public class SpecRegressionTests
{
    [Fact]
    public void EmbeddedBlockOnReturnsWhenAHostTaskItWaitsForFinishes() => Bounded.Run(() =>
    {
        // Runtime.BlockOn(handle) is the unified API: on the host tier it accepts any runtime's handle (it waits on
        // the handle's completion). On the embedded tier the loop polls its own tasks, parks with nothing ready, and
        // nothing unparks it when a foreign task finishes. (Blocking on another *embedded* scheduler's handle hangs
        // too; there it is at least arguable, since nobody drives that scheduler — but it is not rejected either.)
        using var embedded = new EmbeddedScheduler();
        using var host = new HostScheduler(1);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hostTask = host.Spawn(Priority.Normal, async () =>
        {
            await gate.Task;
            return 7;
        });
        var loop = Thread.CurrentThread;
        Exception? error = null;
        var opener = TestUtil.StartThread(() =>
        {
            TestUtil.WaitUntilBlocked(loop); // the embedded loop has parked
            gate.SetResult();
        }, e => error = e);
        // Expected: 7 once the host task finishes (or an immediate InvalidOperationException for a foreign handle).
        Assert.Equal(7, embedded.BlockOn(hostTask));
        TestUtil.JoinOrFail(opener);
        Assert.Null(error);
    }, TimeSpan.FromSeconds(10));

    [Fact]
    public void IsIdleIsTrueAfterASignalIsClearedBeforeTheLoopSawIt()
    {
        // IsIdle: "True when no task is ready to run right now (every unfinished task waits for a wake or a timer)".
        using var s = new EmbeddedScheduler();
        int index = -1;
        s.Schedule(Priority.Normal, cx =>
        {
            index = cx.Waker.RegistryIndex;
            return Poll.Pending;
        });
        s.RunUntilIdle();
        Assert.True(s.IsIdle);
        s.Wakers.Signal(index);
        Assert.False(s.IsIdle);
        Assert.True(s.Registry.Clear(index));
        Assert.Equal(0, s.Registry.CountSignalled());
        Assert.True(s.IsIdle); // fails: still false
        Assert.Equal(0, s.RunUntilIdle()); // and indeed nothing runs
    }
}
