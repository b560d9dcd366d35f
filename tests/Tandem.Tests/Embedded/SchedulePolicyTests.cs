namespace Tandem.Tests.Embedded;

/// <summary>The schedule-policy hook (<see cref="IScheduleChooser"/>) that Tandem.Testing drives: what it is asked and
/// what the scheduler does with its answers.</summary>
public class SchedulePolicyTests
{
    /// <summary>Picks the last ready task, reverses same-instant timers, records what it was shown.</summary>
    private sealed class LastFirst : IScheduleChooser
    {
        public readonly List<int> ReadyCounts = [];
        public int TimerBatches;
        public int OtherThreadWakes;

        public int ChooseReady(ReadOnlySpan<EmbeddedTask> ready)
        {
            ReadyCounts.Add(ready.Length);
            return ready.Length - 1;
        }

        public void OrderTimers(Span<ClaimableWait> due, long deadline)
        {
            TimerBatches++;
            due.Reverse();
        }

        public void OrderWakes(Span<int> slots) => slots.Reverse();

        public TimeSpan AdjustDelay(TimeSpan delay) => delay + TimeSpan.FromSeconds(1);

        public void OnWakeFromOtherThread(int index) => Interlocked.Increment(ref OtherThreadWakes);
    }

    /// <summary>The policy picks among the ready tasks of the highest level only, in queue order (taking from the front,
    /// the middle and the back of the queue keeps it whole), and the scheduler polls the one it names.</summary>
    [Fact]
    public void ThePolicyPicksWithinTheHighestLevel()
    {
        using var s = new EmbeddedScheduler(16);
        var policy = new LastFirst();
        s.SetChooser(policy);
        var order = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            string name = $"n{i}";
            s.Spawn(Priority.Normal, async () => { order.Add(name); await Async.Yield(); order.Add(name); });
        }
        s.Spawn(Priority.High, async () => { order.Add("h"); await Async.Yield(); });
        s.RunUntilIdle();
        // High first; then always the back of the Normal queue: the task just requeued runs again at once.
        Assert.Equal(["h", "n3", "n3", "n2", "n2", "n1", "n1", "n0", "n0"], order);
        Assert.Equal(0, s.TaskCount);
        Assert.Contains(4, policy.ReadyCounts);
    }

    /// <summary>Timers due at one instant are handed to the policy together and fire in its order; delays pass through
    /// AdjustDelay.</summary>
    [Fact]
    public void SameInstantTimersAndDelaysGoThroughThePolicy()
    {
        var clock = new VirtualClock();
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
        var policy = new LastFirst();
        s.SetChooser(policy);
        var fired = new List<int>();
        for (int i = 0; i < 3; i++)
        {
            int me = i;
            s.Spawn(Priority.Normal, async () => { await Async.Delay(TimeSpan.FromSeconds(1)); fired.Add(me); });
        }
        s.RunUntilIdle();
        Assert.Equal(TimeSpan.FromSeconds(2), TimeSpan.FromTicks(s.NextTimerDeadline)); // stretched by AdjustDelay
        clock.Advance(TimeSpan.FromSeconds(2));
        s.RunUntilIdle();
        Assert.Equal(1, policy.TimerBatches);
        Assert.Equal(3, fired.Count);
        Assert.Equal(long.MaxValue, s.NextTimerDeadline);
    }

    /// <summary>A wake from a thread that is not driving the loop is reported to the policy; without a policy the
    /// scheduler behaves as before (arrival order).</summary>
    [Fact]
    public void WakesFromOtherThreadsAreReportedAndNullRestoresArrivalOrder()
    {
        using var s = new EmbeddedScheduler(16);
        var policy = new LastFirst();
        s.SetChooser(policy);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var h = s.Spawn(Priority.Normal, async () => { await gate.Task; return 1; });
        s.RunUntilIdle();
        var t = new Thread(() => gate.SetResult());
        t.Start();
        Assert.True(t.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, s.BlockOn(h));
        Assert.True(policy.OtherThreadWakes >= 1);

        s.SetChooser(null);
        var order = new List<int>();
        for (int i = 0; i < 3; i++)
        {
            int me = i;
            s.Spawn(Priority.Normal, async () => { order.Add(me); await Async.Yield(); });
        }
        s.RunUntilIdle();
        Assert.Equal([0, 1, 2], order);
    }
}
