using Tandem;

namespace Tandem.Tests.Api;

public class PollTests
{
    [Fact]
    public void ReadyCarriesValue()
    {
        var p = Poll<int>.Ready(7);
        Assert.True(p.IsReady);
        Assert.False(p.IsPending);
        Assert.Equal(7, p.Value);
    }

    [Fact]
    public void PendingIsDefaultAndNotReady()
    {
        var p = Poll<int>.Pending;
        Assert.False(p.IsReady);
        Assert.True(p.IsPending);
        Assert.Equal(default(Poll<int>), p);
    }

    [Fact]
    public void ValueOfPendingThrows()
    {
        var p = Poll<string>.Pending;
        Assert.Throws<InvalidOperationException>(() => p.Value);
    }

    [Fact]
    public void ReadyWithDefaultValueIsStillReady()
    {
        var p = Poll<int>.Ready(0);
        Assert.True(p.IsReady);
        Assert.Equal(0, p.Value);
        Assert.NotEqual(Poll<int>.Pending, p);
    }

    [Fact]
    public void ReadyNullReferenceIsReady()
    {
        var p = Poll<string?>.Ready(null);
        Assert.True(p.IsReady);
        Assert.Null(p.Value);
        Assert.True(p.TryGetValue(out var v));
        Assert.Null(v);
    }

    [Fact]
    public void TryGetValueOnReady()
    {
        Assert.True(Poll<string>.Ready("x").TryGetValue(out var v));
        Assert.Equal("x", v);
    }

    [Fact]
    public void TryGetValueOnPending()
    {
        Assert.False(Poll<int>.Pending.TryGetValue(out var v));
        Assert.Equal(0, v);
    }

    [Fact]
    public void EqualityComparesReadinessAndValue()
    {
        Assert.Equal(Poll<int>.Ready(3), Poll<int>.Ready(3));
        Assert.True(Poll<int>.Ready(3) == Poll<int>.Ready(3));
        Assert.False(Poll<int>.Ready(3) != Poll<int>.Ready(3));
        Assert.NotEqual(Poll<int>.Ready(3), Poll<int>.Ready(4));
        Assert.True(Poll<int>.Ready(3) != Poll<int>.Ready(4));
        Assert.NotEqual(Poll<int>.Ready(3), Poll<int>.Pending);
        Assert.True(Poll<int>.Pending == Poll<int>.Pending);
        Assert.True(Poll<int>.Ready(3).Equals((object)Poll<int>.Ready(3)));
        Assert.False(Poll<int>.Ready(3).Equals((object)3));
        Assert.False(Poll<int>.Ready(3).Equals(null));
    }

    [Fact]
    public void EqualPollsHaveEqualHashCodes()
    {
        Assert.Equal(Poll<int>.Ready(42).GetHashCode(), Poll<int>.Ready(42).GetHashCode());
        Assert.Equal(Poll<int>.Pending.GetHashCode(), default(Poll<int>).GetHashCode());
        Assert.Equal(Poll<string>.Ready("ab").GetHashCode(), Poll<string>.Ready(new string(['a', 'b'])).GetHashCode());
    }

    [Fact]
    public void ImplicitConversionFromValueIsReady()
    {
        Poll<int> p = 9;
        Assert.True(p.IsReady);
        Assert.Equal(9, p.Value);
    }

    [Fact]
    public void ImplicitConversionFromNonGenericPendingIsPending()
    {
        Poll<int> p = Poll.Pending;
        Assert.True(p.IsPending);
    }

    [Fact]
    public void ImplicitConversionFromNonGenericReadyThrows()
    {
        Assert.Throws<InvalidOperationException>(() =>
        {
            Poll<int> p = Poll.Ready;
            return p;
        });
    }

    [Fact]
    public void FromResultInfersType()
    {
        var p = Poll.FromResult("hello");
        Assert.IsType<Poll<string>>(p);
        Assert.Equal("hello", p.Value);
    }

    [Fact]
    public void ToStringShowsStateAndValue()
    {
        Assert.Equal("Ready(5)", Poll<int>.Ready(5).ToString());
        Assert.Equal("Pending", Poll<int>.Pending.ToString());
    }

    [Fact]
    public void NonGenericReadyAndPending()
    {
        Assert.True(Poll.Ready.IsReady);
        Assert.False(Poll.Ready.IsPending);
        Assert.True(Poll.Pending.IsPending);
        Assert.False(Poll.Pending.IsReady);
        Assert.Equal(default(Poll), Poll.Pending);
    }

    [Fact]
    public void NonGenericEquality()
    {
        Assert.True(Poll.Ready == Poll.Ready);
        Assert.True(Poll.Pending == Poll.Pending);
        Assert.True(Poll.Ready != Poll.Pending);
        Assert.False(Poll.Ready == Poll.Pending);
        Assert.True(Poll.Ready.Equals((object)Poll.Ready));
        Assert.False(Poll.Ready.Equals((object)Poll<int>.Pending));
        Assert.Equal(Poll.Ready.GetHashCode(), Poll.Ready.GetHashCode());
        Assert.NotEqual(Poll.Ready.GetHashCode(), Poll.Pending.GetHashCode());
    }

    [Fact]
    public void NonGenericToString()
    {
        Assert.Equal("Ready", Poll.Ready.ToString());
        Assert.Equal("Pending", Poll.Pending.ToString());
    }
}
