using Tandem;

namespace Tandem.Tests.Conformance;

/// <summary>
/// Misuse fails fast, with an exception that says what is wrong, instead of hanging: on every tier.
/// </summary>
public class MisuseConformanceTests
{
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ASecondConsumerOfAJoinSetIsRefusedAndTheFirstStillGetsItsMember(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        using var set = rt.CreateJoinSet<int>();
        var release = new OneShot<int>();
        set.Spawn(Priority.Normal, release, static async r => await r.ReceiveAsync());
        var waiting = new int[1];
        var first = rt.Spawn(Priority.Normal, (set, waiting), static async st =>
        {
            Volatile.Write(ref st.waiting[0], 1);
            return await st.set.JoinNextAsync();
        });
        var second = rt.Spawn(Priority.Normal, (set, waiting, first), static async st =>
        {
            // Once the first consumer waits (its poll, which awaited, has ended).
            while (Volatile.Read(ref st.waiting[0]) == 0 || st.first.State == TaskState.Running) await Async.Yield();
            try
            {
                await st.set.JoinNextAsync();
                return "joined";
            }
            catch (InvalidOperationException e)
            {
                return e.Message;
            }
        });
        Assert.Contains("one consumer", rt.BlockOn(second));
        release.Send(6);
        Assert.Equal(6, rt.BlockOn(first));
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ADetachedHandleCannotBeAwaitedOrJoined(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var release = new OneShot<int>();
        var child = rt.Spawn(Priority.Normal, release, static async r => await r.ReceiveAsync());
        child.Detach();
        var awaiter = rt.Spawn(Priority.Normal, child, static async c =>
        {
            try
            {
                return await c;
            }
            catch (InvalidOperationException e) when (e.Message.Contains("detached"))
            {
                return -1;
            }
        });
        Assert.Equal(-1, rt.BlockOn(awaiter)); // refused at once, not a wait for a result nobody will hand over
        release.Send(3);
        Assert.Throws<InvalidOperationException>(() => rt.BlockOn(child));
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void TimeoutChecksItsArgumentsAtTheCall(Tier mode)
    {
        using var rt = Runtimes.Create(mode);
        // Not awaited: the call itself throws.
        Assert.Equal("work", Assert.Throws<ArgumentNullException>(() => rt.Timeout<int>(TimeSpan.Zero, null!)).ParamName);
        Assert.Equal("work", Assert.Throws<ArgumentNullException>(() => rt.Timeout(TimeSpan.Zero, (Func<TandemTask>)null!)).ParamName);
        Assert.Equal("duration", Assert.Throws<ArgumentOutOfRangeException>(() => rt.Timeout(TimeSpan.FromMilliseconds(-1), static async () => 1)).ParamName);
        Assert.Equal("priority", Assert.Throws<ArgumentOutOfRangeException>(() => rt.Timeout((Priority)9, TimeSpan.Zero, static async () => 1)).ParamName);
    }

    [Fact]
    public void BothTiersSayTheSameAfterShutdown()
    {
        string Message(RuntimeMode mode)
        {
            var rt = Runtime.WithMode(mode);
            rt.Dispose();
            return Assert.Throws<ObjectDisposedException>(() => rt.Spawn(static async () => 1)).Message;
        }
        string embedded = Message(RuntimeMode.Embedded), host = Message(RuntimeMode.Host);
        Assert.Contains("The runtime has been shut down", embedded);
        Assert.Equal(embedded.Replace(nameof(Tandem.Embedded.EmbeddedScheduler), "X"), host.Replace(nameof(Tandem.Host.HostScheduler), "X"));
    }
}
