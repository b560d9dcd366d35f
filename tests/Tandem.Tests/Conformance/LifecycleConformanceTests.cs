using Tandem;

namespace Tandem.Tests.Conformance;

/// <summary>Shutdown and bad input: one contract on both tiers.</summary>
public class LifecycleConformanceTests
{
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ShutdownAbortsWhatIsLeftAndRefusesNewWork(Tier mode) => Bounded.Run(() =>
    {
        var rt = Runtimes.Create(mode);
        int unwound = 0, started = 0;
        var handles = Enumerable.Range(0, 10).Select(_ => rt.Spawn(async () =>
        {
            Interlocked.Increment(ref started);
            try
            {
                await Async.Delay(TimeSpan.FromHours(1));
            }
            finally
            {
                Interlocked.Increment(ref unwound);
            }
        })).ToList();
        rt.BlockOn(async () =>
        {
            while (Volatile.Read(ref started) < 10) await Async.Yield();
        });
        Assert.True(rt.Shutdown(TimeSpan.FromSeconds(10)));
        Assert.Equal(10, unwound);
        Assert.Equal(0, rt.TaskCount);
        Assert.All(handles, h => Assert.True(h.IsFinished));
        Assert.Throws<ObjectDisposedException>(() => rt.Spawn(async () => { await Async.Yield(); }));
        rt.Dispose(); // a second shutdown is harmless
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void BlockingOnTheRuntimeFromInsideItIsAnError(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var error = rt.BlockOn(async () =>
        {
            await Async.Yield();
            var inner = rt.Spawn(async () =>
            {
                await Async.Yield();
                return 1;
            });
            try
            {
                rt.BlockOn(inner);
                return "no error";
            }
            catch (InvalidOperationException)
            {
                return "InvalidOperationException";
            }
        });
        Assert.Equal("InvalidOperationException", error);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void BadInputIsRejectedWithClearErrors(Tier mode)
    {
        using var rt = Runtimes.Create(mode);
        Assert.Equal("priority", Assert.Throws<ArgumentOutOfRangeException>(() => rt.Spawn((Priority)5, async () => { await Async.Yield(); })).ParamName);
        Assert.Equal("method", Assert.Throws<ArgumentNullException>(() => rt.Spawn(Priority.Normal, (Func<TandemTask>)null!)).ParamName);
        Assert.Equal("future", Assert.Throws<ArgumentNullException>(() => rt.Spawn<int>(Priority.Normal, (IFuture<int>)null!)).ParamName);
        Assert.Equal("duration", Assert.Throws<ArgumentOutOfRangeException>(() => rt.Timeout(TimeSpan.FromSeconds(-1), async () => { await Async.Yield(); return 0; }).GetAwaiter().GetResult()).ParamName);
        Assert.Throws<InvalidOperationException>(() => default(JoinHandle<int>).GetResult());
    }

    [Fact]
    public void RuntimeOptionsAreValidated()
    {
        Assert.Equal("mode", Assert.Throws<ArgumentOutOfRangeException>(() => Runtime.WithMode((RuntimeMode)9)).ParamName);
        Assert.Equal("MaxTasks", Assert.Throws<ArgumentOutOfRangeException>(() => Runtime.WithMode(RuntimeMode.Embedded, new RuntimeOptions { MaxTasks = 0 })).ParamName);
        Assert.Equal("WorkerCount", Assert.Throws<ArgumentOutOfRangeException>(() => Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { WorkerCount = 0 })).ParamName);
        using var embedded = Runtime.WithMode(RuntimeMode.Embedded);
        Assert.Equal(TandemDefaults.DefaultMaxTasks, ((Tandem.Embedded.EmbeddedScheduler)embedded).Capacity);
        using var host = Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { WorkerCount = 3 });
        Assert.Equal(3, ((Tandem.Host.HostScheduler)host).WorkerCount);
    }

    [Fact]
    public void OnlyTheEmbeddedTierRunsOutOfCapacity()
    {
        // A behaviour that differs by tier: the embedded tier has a fixed capacity, the host tier none.
        using var embedded = Runtime.WithMode(RuntimeMode.Embedded, new RuntimeOptions { MaxTasks = 2 });
        for (int i = 0; i < 2; i++) Assert.True(embedded.TrySpawn(Priority.Normal, 0, static async _ => { await Async.Yield(); return 0; }, out _));
        Assert.False(embedded.TrySpawn(Priority.Normal, 0, static async _ => { await Async.Yield(); return 0; }, out _));
        Assert.Throws<CapacityExceededException>(() => embedded.Spawn(async () => { await Async.Yield(); }));
        using var host = Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { WorkerCount = 1 });
        for (int i = 0; i < 100; i++) Assert.True(host.TrySpawn(Priority.Normal, 0, static async _ => { await Async.Yield(); return 0; }, out _));
    }
}
