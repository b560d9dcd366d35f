using Tandem;

namespace Tandem.Tests.Conformance;

/// <summary>Poll-based work (an <see cref="IFuture{T}"/> spawned as a task): one contract on both tiers, one runner.</summary>
public class FutureConformanceTests
{
    /// <summary>A future that is pending for a number of polls, then returns or throws; counts its disposals.</summary>
    private sealed class ScriptedFuture(int pendingPolls, Exception? toThrow = null, Exception? disposeThrows = null) : IFuture<int>, IDisposable
    {
        private int _polls;

        public int Disposals;

        public Poll<int> Poll(PollContext cx)
        {
            if (_polls++ < pendingPolls)
            {
                cx.Waker.Wake();
                return Poll<int>.Pending;
            }
            if (toThrow is not null) throw toThrow;
            return Poll<int>.Ready(_polls);
        }

        public void Dispose()
        {
            Disposals++;
            if (disposeThrows is not null) throw disposeThrows;
        }
    }

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ACompletedFutureIsDisposedOnce(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var future = new ScriptedFuture(pendingPolls: 3);
        Assert.Equal(4, rt.BlockOn(rt.Spawn(Priority.Normal, future)));
        Assert.Equal(1, future.Disposals);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AFaultingFutureIsDisposedAndItsJoinerSeesTheFault(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var future = new ScriptedFuture(pendingPolls: 2, toThrow: new InvalidOperationException("poll failed"));
        var error = Assert.Throws<InvalidOperationException>(() => rt.BlockOn(rt.Spawn(Priority.Normal, future)));
        Assert.Equal("poll failed", error.Message);
        Assert.Equal(1, future.Disposals);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ADisposeThatThrowsAfterAFaultJoinsTheFaultInsteadOfHidingIt(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var future = new ScriptedFuture(pendingPolls: 1, toThrow: new InvalidOperationException("poll failed"),
            disposeThrows: new IOException("dispose failed"));
        var error = Assert.Throws<AggregateException>(() => rt.BlockOn(rt.Spawn(Priority.Normal, future)));
        Assert.Collection(error.InnerExceptions,
            e => Assert.Equal("poll failed", e.Message),
            e => Assert.Equal("dispose failed", e.Message));
        Assert.Equal(1, future.Disposals);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ADisposeThatThrowsAfterTheResultFaultsTheTask(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var future = new ScriptedFuture(pendingPolls: 0, disposeThrows: new IOException("dispose failed"));
        var error = Assert.Throws<IOException>(() => rt.BlockOn(rt.Spawn(Priority.Normal, future)));
        Assert.Equal("dispose failed", error.Message);
        Assert.Equal(1, future.Disposals);
    });
}
