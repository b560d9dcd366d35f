using Tandem.Host;

namespace Tandem.Tests.Host;

/// <summary>The spin lock behind the live-task shards: mutual exclusion and visibility under contention.</summary>
public class ShardLockTests
{
    [Fact]
    public void ThreadsThatContendNeverLoseAnUpdateMadeUnderTheLock()
    {
        const int threads = 4, increments = 100_000;
        var gate = new ShardLock();
        var counter = new Counter();
        var errors = new List<Exception>();
        var workers = Enumerable.Range(0, threads).Select(_ => TestUtil.StartThread(() =>
        {
            for (int i = 0; i < increments; i++)
            {
                gate.Enter();
                // A read, a yield point and a write: any two holders at once would lose an increment.
                int seen = counter.Value;
                if ((i & 1023) == 0) Thread.Yield();
                counter.Value = seen + 1;
                gate.Exit();
            }
        }, e => { lock (errors) errors.Add(e); })).ToList();
        workers.ForEach(TestUtil.JoinOrFail);
        Assert.Empty(errors);
        Assert.Equal(threads * increments, counter.Value);
    }

    private sealed class Counter
    {
        internal int Value;
    }
}
