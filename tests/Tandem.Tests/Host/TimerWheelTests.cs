using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

/// <summary>The hierarchical timing wheel on its own: deterministic, driven by explicit times.</summary>
public class TimerWheelTests
{
    private static (TimerWheel wheel, List<long> fired) NewWheel() => (new TimerWheel(), []);

    private static ClaimableWait Recorder(List<long> fired, long tag) =>
        ClaimableWait.ForCallback(static s => ((Action)s!)(), (Action)(() => fired.Add(tag)));

    private static void AdvanceAndFire(TimerWheel wheel, long now)
    {
        var due = new List<ClaimableWait>();
        wheel.Advance(now, due);
        foreach (var r in due) r.Fire();
    }

    [Fact]
    public void TimersSharingAHigherLevelSlotFireInDeadlineOrderEvenWhenAdvancedLate()
    {
        var (wheel, fired) = NewWheel();
        AdvanceAndFire(wheel, 1000);
        // 1050 and 1080 share a level-1 slot (64 ms wide); 1080 is added last, so it heads that slot's list.
        foreach (long d in new long[] { 1020, 1050, 1080 }) Assert.True(wheel.Add(d, Recorder(fired, d)));
        AdvanceAndFire(wheel, 2000); // a timer thread that woke late: all three are due at once
        Assert.Equal([1020, 1050, 1080], fired);
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void NothingFiresEarlyAndEverythingFiresOnce()
    {
        var (wheel, fired) = NewWheel();
        var random = new Random(7);
        var deadlines = Enumerable.Range(0, 2000).Select(_ => (long)random.Next(1, 300_000)).ToList();
        foreach (long d in deadlines) wheel.Add(d, Recorder(fired, d));
        for (long now = 0; now <= 300_000; now += random.Next(1, 5000))
        {
            AdvanceAndFire(wheel, now);
            Assert.All(fired, d => Assert.True(d <= now, $"deadline {d} fired at {now}"));
        }
        AdvanceAndFire(wheel, 300_001);
        Assert.Equal(deadlines.Order(), fired.Order());
        Assert.Equal(fired.Order(), fired); // and in deadline order
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void ADeadlineNotLaterThanNowIsRefused()
    {
        var (wheel, fired) = NewWheel();
        AdvanceAndFire(wheel, 500);
        Assert.False(wheel.Add(500, Recorder(fired, 500)));
        Assert.False(wheel.Add(10, Recorder(fired, 10)));
        Assert.True(wheel.Add(501, Recorder(fired, 501)));
        Assert.Equal(501, wheel.NextExpiration());
    }
}
