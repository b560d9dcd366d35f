#if DEBUG
using Tandem;

namespace Tandem.Tests;

/// <summary>
/// A thread that runs an action and stops the first time it reaches a test hook point, until released: forces the
/// interleaving of a race (see <see cref="TestHooks"/>, compiled into Debug builds only).
/// </summary>
internal sealed class HookedThread
{
    private readonly ManualResetEventSlim _reached = new();
    private readonly ManualResetEventSlim _release = new();
    private Thread _thread = null!;

    private HookedThread()
    {
    }

    /// <summary>Starts <paramref name="action"/> on a new thread and returns once it stands at <paramref name="point"/>.</summary>
    internal static HookedThread StartStoppedAt(HookPoint point, Action action)
    {
        var hooked = new HookedThread();
        int stopped = 0;
        TestHooks.Install(reached =>
        {
            if (reached != point || Thread.CurrentThread != hooked._thread || Interlocked.Exchange(ref stopped, 1) != 0) return;
            hooked._reached.Set();
            hooked._release.Wait(TestUtil.Bound);
        });
        try
        {
            hooked._thread = new Thread(() => action()) { IsBackground = true, Name = "hooked" };
            hooked._thread.Start(); // the hook flows to the thread with the caller's execution context
        }
        finally
        {
            TestHooks.Install(null);
        }
        Assert.True(hooked._reached.Wait(TestUtil.Bound), $"the thread never reached {point}");
        return hooked;
    }

    /// <summary>Lets the thread go on from the hook point and waits for it to end.</summary>
    internal void ReleaseAndJoin()
    {
        _release.Set();
        TestUtil.JoinOrFail(_thread);
    }
}
#endif
