#if DEBUG
using Tandem;

namespace Tandem.Tests;

/// <summary>
/// A thread that runs an action and stops at the test hook points it is given, in order, the first time it reaches
/// each, until released: forces the interleaving of a race (see <see cref="TestHooks"/>, compiled into Debug builds only).
/// </summary>
internal sealed class HookedThread
{
    private readonly SemaphoreSlim _reached = new(0);
    private readonly SemaphoreSlim _release = new(0);
    private readonly HookPoint[] _points;
    private int _next; // the hooked thread's own
    private volatile bool _runFree;
    private Thread _thread = null!;

    private HookedThread(HookPoint[] points) => _points = points;

    /// <summary>Starts <paramref name="action"/> on a new thread and returns once it stands at <paramref name="point"/>.</summary>
    internal static HookedThread StartStoppedAt(HookPoint point, Action action) => StartStoppedAt([point], action);

    /// <summary>Starts <paramref name="action"/> on a new thread that will stop at each of <paramref name="points"/> in
    /// turn (see <see cref="ReleaseToNextStop"/>); returns once it stands at the first.</summary>
    internal static HookedThread StartStoppedAt(HookPoint[] points, Action action)
    {
        var hooked = new HookedThread(points);
        TestHooks.Install(reached =>
        {
            if (hooked._runFree || Thread.CurrentThread != hooked._thread || hooked._next >= points.Length || reached != points[hooked._next]) return;
            hooked._next++;
            hooked._reached.Release();
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
        Assert.True(hooked._reached.Wait(TestUtil.Bound), $"the thread never reached {points[0]}");
        return hooked;
    }

    /// <summary>Lets the thread go on from its stop and returns once it stands at the next point it was given.</summary>
    internal void ReleaseToNextStop()
    {
        _release.Release();
        Assert.True(_reached.Wait(TestUtil.Bound), "the thread never reached its next stop");
    }

    /// <summary>Lets the thread go on from the hook point, past any stop left, and waits for it to end.</summary>
    internal void ReleaseAndJoin()
    {
        _runFree = true;
        _release.Release();
        TestUtil.JoinOrFail(_thread);
    }
}
#endif
