using Tandem.Embedded;

namespace Tandem.Tests.Embedded;

public class WakerRegistryTests
{
    [Fact]
    public void SignalCheckClear()
    {
        var r = new WakerRegistry(64);
        Assert.False(r.Check(5));
        r.Signal(5);
        Assert.True(r.Check(5));
        Assert.False(r.Check(4));
        Assert.False(r.Check(6));
        Assert.True(r.Clear(5));
        Assert.False(r.Check(5));
        Assert.False(r.Clear(5));
    }

    [Fact]
    public void SignalIsIdempotent()
    {
        var r = new WakerRegistry(10);
        r.Signal(3);
        r.Signal(3);
        Assert.Equal(1, r.CountSignalled());
        Assert.True(r.Clear(3));
        Assert.Equal(0, r.CountSignalled());
    }

    [Fact]
    public void ResetClearsEverything()
    {
        var r = new WakerRegistry(200);
        foreach (int i in new[] { 0, 63, 64, 127, 199 }) r.Signal(i);
        Assert.Equal(5, r.CountSignalled());
        Assert.True(r.HasSignals);
        r.Reset();
        Assert.Equal(0, r.CountSignalled());
        Assert.False(r.HasSignals);
        foreach (int i in new[] { 0, 63, 64, 127, 199 }) Assert.False(r.Check(i));
    }

    [Fact]
    public void HasSignalsFollowsSignal()
    {
        var r = new WakerRegistry(5000);
        Assert.False(r.HasSignals);
        r.Signal(4999);
        Assert.True(r.HasSignals);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(16)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void TrySignalOutOfRangeReturnsFalseAndChangesNothing(int index)
    {
        var r = new WakerRegistry(16);
        r.Signal(15);
        Assert.False(r.TrySignal(index));
        Assert.Equal(1, r.CountSignalled());
        for (int i = 0; i < 15; i++) Assert.False(r.Check(i));
        Assert.True(r.Check(15));
    }

    [Fact]
    public void TrySignalOutOfRangeOnCleanRegistryLeavesNoHint()
    {
        var r = new WakerRegistry(64);
        Assert.False(r.TrySignal(64));
        Assert.False(r.HasSignals);
        Assert.Equal(0, r.CountSignalled());
    }

    [Fact]
    public void TrySignalInRangeReturnsTrue()
    {
        var r = new WakerRegistry(16);
        Assert.True(r.TrySignal(0));
        Assert.True(r.TrySignal(15));
        Assert.True(r.Check(0));
        Assert.True(r.Check(15));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(8)]
    [InlineData(1000)]
    public void OutOfRangeIndexThrowsNamingIndex(int index)
    {
        var r = new WakerRegistry(8);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => r.Signal(index)).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => r.Check(index)).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => r.Clear(index)).ParamName);
        Assert.Equal(0, r.CountSignalled());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(262_145)]
    [InlineData(int.MaxValue)]
    public void CapacityOutOfRangeThrows(int capacity)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new WakerRegistry(capacity));
        Assert.Equal("capacity", e.ParamName);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(262_144)]
    public void EveryIndexOfAnyCapacityWorks(int capacity)
    {
        var r = new WakerRegistry(capacity);
        Assert.Equal(capacity, r.Capacity);
        Assert.Equal(262_144, WakerRegistry.MaxCapacity);
        int last = capacity - 1;
        r.Signal(last);
        r.Signal(0);
        Assert.True(r.Check(last));
        Assert.True(r.Check(0));
        Assert.Equal(last == 0 ? 1 : 2, r.CountSignalled());
        Assert.False(r.TrySignal(capacity));
        Assert.True(r.Clear(last));
        Assert.Equal(last == 0 ? 0 : 1, r.CountSignalled());
    }

    [Fact]
    public void LargeRegistryAtHighIndices()
    {
        var r = new WakerRegistry(100_000);
        int[] indices = [99_999, 99_998, 65_536, 4_096, 4_095, 64];
        foreach (int i in indices) r.Signal(i);
        Assert.Equal(indices.Length, r.CountSignalled());
        foreach (int i in indices) Assert.True(r.Check(i));
        Assert.False(r.Check(99_997));
        Assert.False(r.Check(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.Signal(100_000));
        Assert.True(r.Clear(99_999));
        Assert.False(r.Check(99_999));
        Assert.True(r.Check(99_998));

        var drained = new List<int>();
        r.Drain(drained, static (d, i) => d.Add(i));
        Assert.Equal([64, 4_095, 4_096, 65_536, 99_998], drained);
        Assert.Equal(0, r.CountSignalled());
    }

    [Fact]
    public void CountSignalledCountsDistinctFlags()
    {
        var r = new WakerRegistry(1000);
        for (int i = 0; i < 1000; i += 3) r.Signal(i);
        Assert.Equal(334, r.CountSignalled());
    }

    [Fact]
    public void DrainConsumesEachSignalOnceInIndexOrder()
    {
        var r = new WakerRegistry(300);
        foreach (int i in new[] { 299, 5, 64, 130, 5 }) r.Signal(i);
        var got = new List<int>();
        Assert.Equal(4, r.Drain(got, static (g, i) => g.Add(i)));
        Assert.Equal([5, 64, 130, 299], got);
        Assert.Equal(0, r.Drain(got, static (g, i) => g.Add(i)));
        Assert.False(r.HasSignals);
    }

    [Fact]
    public void ConcurrentSignallingOfDistinctIndicesIsAllObserved()
    {
        const int threads = 4, capacity = 8192;
        var r = new WakerRegistry(capacity);
        using var start = new Barrier(threads);
        Exception? error = null;
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int me = t;
            workers[t] = TestUtil.StartThread(() =>
            {
                start.SignalAndWait(TestUtil.Bound);
                // Interleaved indices so that threads share words.
                for (int i = me; i < capacity; i += threads) r.Signal(i);
            }, e => error = e);
        }
        foreach (var w in workers) TestUtil.JoinOrFail(w);
        Assert.Null(error);
        Assert.Equal(capacity, r.CountSignalled());
        for (int i = 0; i < capacity; i++) Assert.True(r.Check(i), $"flag {i} lost");
    }

    [Fact]
    public void ConcurrentSignalsRacingDrainsAreConsumedExactlyOnce()
    {
        const int threads = 4, capacity = 4096;
        var r = new WakerRegistry(capacity);
        var seen = new int[capacity];
        int finished = 0;
        using var start = new Barrier(threads + 1);
        Exception? error = null;
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int me = t;
            workers[t] = TestUtil.StartThread(() =>
            {
                start.SignalAndWait(TestUtil.Bound);
                for (int i = me; i < capacity; i += threads) r.Signal(i);
                Interlocked.Increment(ref finished);
            }, e => error = e);
        }
        start.SignalAndWait(TestUtil.Bound);
        var deadline = DateTime.UtcNow + TestUtil.Bound;
        while (Volatile.Read(ref finished) < threads && DateTime.UtcNow < deadline)
            r.Drain(seen, static (s, i) => s[i]++);
        foreach (var w in workers) TestUtil.JoinOrFail(w);
        r.Drain(seen, static (s, i) => s[i]++);
        Assert.Null(error);
        for (int i = 0; i < capacity; i++) Assert.True(seen[i] == 1, $"index {i} drained {seen[i]} times");
        Assert.False(r.HasSignals);
    }

    [Fact]
    public void HasSetFlagFindsAFlagBeyondTheFirstSummaryWord()
    {
        var registry = new WakerRegistry(WakerRegistry.MaxCapacity);
        Assert.False(registry.HasSetFlag);
        registry.Signal(5000); // word 78: summary word 1, bit 14
        Assert.True(registry.HasSetFlag);
        Assert.True(registry.Clear(5000));
        Assert.False(registry.HasSetFlag); // its summary bit is left set: only the word counts
    }

    [Fact]
    public void HasSetFlagLooksPastAClearedFlagWhoseSummaryBitRemains()
    {
        var registry = new WakerRegistry(512);
        registry.Signal(70);  // word 1
        registry.Signal(140); // word 2
        Assert.True(registry.Clear(70)); // word 1 empty, its summary bit still set
        Assert.True(registry.HasSetFlag);
        var drained = new List<int>();
        registry.Drain(drained, static (list, index) => list.Add(index));
        Assert.Equal([140], drained);
        Assert.False(registry.HasSetFlag);
    }
}
