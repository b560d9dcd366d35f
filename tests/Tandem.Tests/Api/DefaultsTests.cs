using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Api;

public class DefaultsTests
{
    [Fact]
    public void Constants()
    {
        Assert.Equal(16, TandemDefaults.DefaultMaxTasks);
        Assert.Equal(32, TandemDefaults.DefaultMaxFutures);
    }

    [Fact]
    public void DefaultSchedulerHoldsSixteenTasks()
    {
        using var s = new EmbeddedScheduler();
        Assert.Equal(16, s.Capacity);
        for (int i = 0; i < 16; i++) Assert.True(s.TrySpawn(Priority.Normal, async () => { await Async.Yield(); }, out _));
        Assert.False(s.TrySpawn(Priority.Normal, async () => { await Async.Yield(); }, out _));
    }

    [Fact]
    public void DefaultOptions()
    {
        var o = new EmbeddedOptions();
        Assert.Equal(16, o.MaxTasks);
        Assert.Null(o.TimerCapacity);
        Assert.Same(TimeProvider.System, o.Clock);
        Assert.Equal(262_144, EmbeddedOptions.MaxCapacity);
    }

    [Fact]
    public void DefaultSetCapacities()
    {
        using var s = new EmbeddedScheduler();
        using var js = s.CreateJoinSet<int>();
        using var fu = s.CreateFuturesUnordered<int>();
        using var fu2 = new FuturesUnordered<int>();
        Assert.Equal(32, js.Capacity);
        Assert.Equal(32, fu.Capacity);
        Assert.Equal(32, fu2.Capacity);
    }

    [Fact]
    public void DefaultSchedulerUsesSystemClock()
    {
        using var s = new EmbeddedScheduler();
        Assert.Same(TimeProvider.System, s.Clock);
    }
}
