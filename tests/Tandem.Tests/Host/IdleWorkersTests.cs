using Tandem.Host;

namespace Tandem.Tests.Host;

/// <summary>The parked-and-searching bookkeeping of the host workers, directly.</summary>
public class IdleWorkersTests
{
    [Fact]
    public void AtMostHalfTheWorkersSearch()
    {
        var idle = new IdleWorkers(4);
        Assert.True(idle.TryBeginSearch());
        Assert.True(idle.TryBeginSearch());
        Assert.False(idle.TryBeginSearch());
        Assert.False(idle.EndSearch());
        Assert.True(idle.EndSearch()); // the last searcher
    }

    [Fact]
    public void NewWorkWakesOneParkedWorkerOnlyWhenNobodySearches()
    {
        var idle = new IdleWorkers(4);
        Assert.Equal(-1, idle.TakeOneToWake()); // nobody parked
        idle.Register(2);
        idle.Register(3);
        Assert.True(idle.TryBeginSearch());
        Assert.Equal(-1, idle.TakeOneToWake()); // a searcher will find the work
        idle.EndSearch();
        int woken = idle.TakeOneToWake();
        Assert.Contains(woken, new[] { 2, 3 });
        Assert.Equal(-1, idle.TakeOneToWake()); // the woken one counts as searching: no second wake for one burst
        Assert.True(idle.LeaveParked(woken)); // it was woken as a searcher
        Assert.False(idle.LeaveParked(5 - woken)); // the other left on its own (a timeout, a stale permit)
        Assert.True(idle.EndSearch());
    }

    [Fact]
    public void AWorkerWokenAndRegisteredAgainIsListedOnce()
    {
        var idle = new IdleWorkers(2);
        idle.Register(0);
        Assert.Equal(0, idle.TakeOneToWake());
        Assert.True(idle.LeaveParked(0));
        idle.EndSearch();
        idle.Register(0);
        Assert.False(idle.LeaveParked(0)); // not woken this time: it takes itself out
        Assert.Equal(-1, idle.TakeOneToWake()); // and is no longer listed
    }
}
