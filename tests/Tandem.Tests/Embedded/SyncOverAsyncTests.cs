using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Embedded;

/// <summary>
/// Sync over async inside an embedded task — <c>.Result</c> on an ordinary <c>async Task</c> method that awaits — finishes
/// instead of deadlocking the one thread: the inner method's continuation, posted to the blocked task, is rescued to the
/// thread pool after 10 ms, as on the host tier.
/// </summary>
public class SyncOverAsyncTests
{
    private static async Task<int> HelperAsync(int value)
    {
        await Task.Delay(5);
        await Task.Yield();
        return value + 1;
    }

    [Fact]
    public void ResultOnAnAsyncTaskMethodInsideAnEmbeddedTaskFinishes() => Bounded.Run(() =>
    {
        using var s = new EmbeddedScheduler(8);
        var other = s.Spawn(Priority.Low, static async () => { await Async.Yield(); return 7; });
        int value = s.BlockOn(async () =>
        {
            await Async.Yield();
            return HelperAsync(41).Result + HelperAsync(1).GetAwaiter().GetResult();
        });
        Assert.Equal(44, value);
        Assert.Equal(7, s.BlockOn(other)); // the loop still runs the rest afterwards
    }, TimeSpan.FromSeconds(10));

    [Fact]
    public void APostThatArrivesWhileTheTaskWaitsStillRunsInsideIt() => Bounded.Run(() =>
    {
        using var s = new EmbeddedScheduler(8);
        var (task, seen) = s.BlockOn(async () =>
        {
            long inner = 0;
            async Task Helper()
            {
                await Task.Delay(5);
                inner = Async.CurrentTaskId; // posted back while the task waits on its own delay: runs inside it
            }
            var helper = Helper();
            await Async.Delay(TimeSpan.FromMilliseconds(100));
            await helper;
            return (Async.CurrentTaskId, inner);
        });
        Assert.Equal(task, seen);
    }, TimeSpan.FromSeconds(10));
}
