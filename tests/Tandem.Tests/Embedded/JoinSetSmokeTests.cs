using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Embedded;

public class JoinSetSmokeTests
{
    [Fact]
    public void JoinsInCompletionOrder()
    {
        var clock = new VirtualClock();
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
        var order = s.BlockOn(async () =>
        {
            using var set = s.CreateJoinSet<int>();
            foreach (int ms in new[] { 30, 10, 20 })
                set.Spawn(Priority.Normal, ms, static async ms => { await Async.Delay(ms); return ms; });
            var got = new List<int>();
            while (!set.IsEmpty) got.Add(await set.JoinNextAsync());
            return got;
        });
        Assert.Equal([10, 20, 30], order);
    }

    [Fact]
    public void FuturesUnorderedMixesKinds()
    {
        var clock = new VirtualClock();
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
        var order = s.BlockOn(async () =>
        {
            using var fu = s.CreateFuturesUnordered<int>();
            fu.Push(s.Spawn(async () => { await Async.Delay(30); return 3; }));
            fu.Push(Op(10, 1));
            fu.Push(Op(20, 2));
            var got = new List<int>();
            await foreach (var x in fu) got.Add(x);
            return got;
        });
        Assert.Equal([1, 2, 3], order);

        static async TandemTask<int> Op(int ms, int v)
        {
            await Async.Delay(ms);
            return v;
        }
    }
}
