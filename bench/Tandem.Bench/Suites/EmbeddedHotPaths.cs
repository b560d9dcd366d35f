using BenchmarkDotNet.Attributes;
using Tandem;
using Tandem.Embedded;

namespace Tandem.Bench;

/// <summary>The embedded tier's hot paths (one operation = one spawn, poll, yield or join), with allocations.</summary>
[MemoryDiagnoser]
public class EmbeddedHotPaths
{
    private const int Batch = 1000;
    private readonly JoinHandle<int>[] _handles = new JoinHandle<int>[Batch];
    private EmbeddedScheduler _scheduler = null!;

    /// <summary>Builds the scheduler.</summary>
    [GlobalSetup]
    public void Setup() => _scheduler = new EmbeddedScheduler(2 * Batch);

    /// <summary>Disposes the scheduler.</summary>
    [GlobalCleanup]
    public void Cleanup() => _scheduler.Dispose();

    /// <summary>Spawn an async method, run it, join it.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int SpawnRunJoin()
    {
        for (int i = 0; i < Batch; i++) _handles[i] = _scheduler.Spawn(Priority.Normal, i, static i => new TandemTask<int>(i));
        _scheduler.RunUntilIdle();
        int sum = 0;
        foreach (var h in _handles) sum += h.GetResult();
        return sum;
    }

    /// <summary>Schedule a poll function that is woken twice, run and join it.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int PollWakeJoin()
    {
        for (int i = 0; i < Batch; i++)
            _handles[i] = _scheduler.Schedule(Priority.Normal, new int[1], static (n, cx) =>
            {
                if (++n[0] < 3)
                {
                    cx.Waker.Wake();
                    return Poll<int>.Pending;
                }
                return n[0];
            });
        _scheduler.RunUntilIdle();
        int sum = 0;
        foreach (var h in _handles) sum += h.GetResult();
        return sum;
    }

    /// <summary>One task yielding: the cost of a yield round trip through the scheduler.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int Yield() => _scheduler.BlockOn(_scheduler.Spawn(Priority.Normal, 0, static async _ =>
    {
        for (int i = 0; i < Batch; i++) await Async.Yield();
        return 0;
    }));

    /// <summary>The same yield loop on the .NET thread pool (Task.Yield), for comparison.</summary>
    [Benchmark(OperationsPerInvoke = Batch, Baseline = true)]
    public int TaskYieldOnThreadPool() => Task.Run(static async () =>
    {
        for (int i = 0; i < Batch; i++) await Task.Yield();
        return 0;
    }).GetAwaiter().GetResult();
}
