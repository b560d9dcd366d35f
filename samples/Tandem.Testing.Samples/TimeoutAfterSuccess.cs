namespace Tandem.Testing.Samples;

/// <summary>
/// Bug 3, a timeout that fires after success: a handler fetches a value under a 100 ms timeout (a
/// <see cref="CancellationTokenSource"/> on the simulation's clock, as code written against <see cref="TimeProvider"/>
/// does), and then stores it — still under the fetch's token. The fetch succeeded, but when it was slow its timeout
/// fires during the store, which is cancelled: a successful request fails.
/// </summary>
public static class TimeoutScenario
{
    /// <summary>Fetches (80 ms), then stores (10 ms); delays on the simulation's clock, stretched by its jitter.</summary>
    public static async TandemTask Run(Simulation sim, bool fixedHandler)
    {
        using var fetchTimeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(100), sim.Clock);
        await Async.Delay(TimeSpan.FromMilliseconds(80), fetchTimeout.Token); // the fetch: succeeds within 100 ms …
        int value = 42;
        // … the bug: the store still runs under the fetch's timeout, which may fire now that the fetch is done.
        // The fix: the timeout was the fetch's, so stop it once the fetch succeeded.
        if (fixedHandler) fetchTimeout.CancelAfter(Timeout.InfiniteTimeSpan);
        var storeToken = fetchTimeout.Token;
        try
        {
            await Async.Delay(TimeSpan.FromMilliseconds(10), storeToken); // the store
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"the fetch of {value} succeeded at {sim.Elapsed.TotalMilliseconds} ms, but its timeout then cancelled the store");
        }
    }

    /// <summary>The options this bug needs: delays that take up to 15 ms longer than asked, as on a loaded machine.</summary>
    public static SimulationOptions Options { get; } = new() { DelayJitter = TimeSpan.FromMilliseconds(15) };
}
