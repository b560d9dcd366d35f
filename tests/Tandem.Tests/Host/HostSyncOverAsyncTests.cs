using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

/// <summary>
/// Sync over async inside a host task — <c>.Result</c>, <c>.Wait()</c> or <c>GetAwaiter().GetResult()</c> on an ordinary
/// <c>async Task</c> method that awaits something — finishes, as it does on the .NET ThreadPool, instead of hanging:
/// the inner method's continuation, posted to the blocked task, is rescued to the thread pool.
/// </summary>
public class HostSyncOverAsyncTests
{
    private static async Task<int> HelperAsync(int value)
    {
        await Task.Delay(10);
        await Task.Yield();
        return value + 1;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void ResultOnAnAsyncTaskMethodInsideAHostTaskFinishes(int workers) => Bounded.Run(() =>
    {
        using var s = new HostScheduler(workers);
        int value = s.BlockOn(async () =>
        {
            await Async.Yield();
            return HelperAsync(41).Result;
        });
        Assert.Equal(42, value);
    }, TimeSpan.FromSeconds(10));

    [Fact]
    public void WaitAndGetResultFinishToo() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var handles = Enumerable.Range(0, 8).Select(i => s.Spawn(Priority.Normal, i, static async i =>
        {
            await Async.Yield();
            var first = HelperAsync(i);
            first.Wait();
            return first.Result + HelperAsync(i).GetAwaiter().GetResult();
        })).ToArray();
        for (int i = 0; i < handles.Length; i++) Assert.Equal(2 * (i + 1), s.BlockOn(handles[i]));
    }, TimeSpan.FromSeconds(10));

    [Fact]
    public void AContinuationThatArrivesWhileTheTaskWaitsStillRunsInsideTheTask() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var (taskId, seenId) = s.BlockOn(async () =>
        {
            long seen = 0;
            async Task Helper()
            {
                await Task.Delay(5);
                seen = Async.CurrentTaskId; // posted back to the task, which is not being polled: runs inside it
            }
            var helper = Helper();
            await Async.Delay(TimeSpan.FromMilliseconds(200)); // the helper's continuation arrives meanwhile
            await helper;
            return (Async.CurrentTaskId, seen);
        });
        Assert.Equal(taskId, seenId);
    }, TimeSpan.FromSeconds(10));
}
