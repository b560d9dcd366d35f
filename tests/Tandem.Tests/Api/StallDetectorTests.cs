using Tandem.Tests.Conformance;

namespace Tandem.Tests.Api;

/// <summary>The stall detector (<see cref="RuntimeOptions.StallThreshold"/>, <see cref="Runtime.StallDetected"/>): a
/// poll that holds its worker too long, and a ready task that waits too long, are each reported once, naming the task.</summary>
public class StallDetectorTests
{
    private static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(50);

    /// <summary>A task that blocks its worker is reported as a long poll (with its name and priority, once), and a task
    /// behind it on a one-worker host as starved; both clear when the block ends.</summary>
    [Fact]
    public void ReportsALongPollAndTheTaskItStarves() => Bounded.Run(() =>
    {
        using var rt = Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { WorkerCount = 1, StallThreshold = Threshold });
        using var gate = new ManualResetEventSlim(false);
        var stalls = new List<TaskStallEventArgs>();
        var bothSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        rt.StallDetected += (_, e) =>
        {
            lock (stalls)
            {
                stalls.Add(e);
                if (stalls.Any(s => s.Kind == TaskStallKind.LongPoll) && stalls.Any(s => s.Kind == TaskStallKind.Starved)) bothSeen.TrySetResult();
            }
        };
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = rt.Spawn(Priority.High, async () =>
        {
            Async.NameTask("blocker");
            await Async.Yield();
            started.SetResult();
            gate.Wait(); // holds the only worker
        });
        Assert.True(started.Task.Wait(Bounded.DefaultLimit));
        var starved = rt.Spawn(Priority.Low, static async () => await Async.Yield());
        Assert.True(bothSeen.Task.Wait(Bounded.DefaultLimit));
        gate.Set();
        rt.BlockOn(blocker);
        rt.BlockOn(starved);
        lock (stalls)
        {
            var longPoll = Assert.Single(stalls, s => s.Kind == TaskStallKind.LongPoll);
            Assert.Equal((blocker.Id, "blocker", Priority.High, TaskActivity.Running), (longPoll.Task.Id, longPoll.Task.Name, longPoll.Task.Priority, longPoll.Task.Activity));
            Assert.True(longPoll.Duration > Threshold);
            Assert.Contains("\"blocker\" (High) has held its worker for", longPoll.ToString());
            var wait = Assert.Single(stalls, s => s.Kind == TaskStallKind.Starved);
            Assert.Equal((starved.Id, Priority.Low, TaskActivity.Ready), (wait.Task.Id, wait.Task.Priority, wait.Task.Activity));
            Assert.Contains("has been ready for", wait.ToString());
        }
    });

    /// <summary>On the embedded tier too: a poll that blocks the loop is reported from the detector's thread (whose
    /// handler here ends the block).</summary>
    [Fact]
    public void ReportsALongPollOnTheEmbeddedTier() => Bounded.Run(() =>
    {
        using var rt = Runtime.WithMode(RuntimeMode.Embedded, new RuntimeOptions { StallThreshold = Threshold });
        using var gate = new ManualResetEventSlim(false);
        TaskStallEventArgs? seen = null;
        rt.StallDetected += (_, e) =>
        {
            seen = e;
            gate.Set();
        };
        long id = rt.BlockOn(async () =>
        {
            await Async.Yield();
            gate.Wait(Bounded.DefaultLimit);
            return Async.CurrentTaskId;
        });
        Assert.NotNull(seen);
        Assert.Equal((TaskStallKind.LongPoll, id), (seen.Kind, seen.Task.Id));
    });

    /// <summary>Nothing is reported while every poll is short, and the threshold is validated, naming the option.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void QuietWhilePollsAreShortAndValidatesTheThreshold(Tier mode) => Bounded.Run(() =>
    {
        var options = mode.Mode == RuntimeMode.Embedded ? new RuntimeOptions() : new RuntimeOptions { WorkerCount = mode.Workers };
        using var rt = Runtime.WithMode(mode, options with { StallThreshold = TimeSpan.FromSeconds(5) });
        int reported = 0;
        rt.StallDetected += (_, _) => Interlocked.Increment(ref reported);
        rt.BlockOn(async () =>
        {
            for (int i = 0; i < 1000; i++) await Async.Yield();
        });
        Assert.Equal(0, reported);
        Assert.Equal("StallThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => Runtime.WithMode(mode, options with { StallThreshold = TimeSpan.Zero })).ParamName);
        Assert.Equal("StallThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => Runtime.WithMode(mode, options with { StallThreshold = TimeSpan.FromHours(2) })).ParamName);
    });
}
