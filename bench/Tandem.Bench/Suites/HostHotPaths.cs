using BenchmarkDotNet.Attributes;
using Tandem;
using Tandem.Host;

namespace Tandem.Bench;

/// <summary>The host tier's hot paths against Task.Run and Task.Yield on the .NET thread pool.</summary>
[MemoryDiagnoser]
public class HostHotPaths
{
    private const int Batch = 1000;
    private HostScheduler _scheduler = null!;

    /// <summary>Starts the scheduler (2 workers, as in the shapes).</summary>
    [GlobalSetup]
    public void Setup() => _scheduler = new HostScheduler(2);

    /// <summary>Shuts the scheduler down.</summary>
    [GlobalCleanup]
    public void Cleanup() => _scheduler.Dispose();

    /// <summary>Spawn from a task and join: the local spawn path.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int SpawnJoinFromTask() => _scheduler.BlockOn(_scheduler.Spawn(Priority.Normal, _scheduler, static async s =>
    {
        int sum = 0;
        for (int i = 0; i < Batch; i++) sum += await s.Spawn(Priority.Normal, i, static i => new TandemTask<int>(i));
        return sum;
    }));

    /// <summary>The same with Task.Run from a pool thread.</summary>
    [Benchmark(OperationsPerInvoke = Batch, Baseline = true)]
    public int TaskRunJoinFromTask() => Task.Run(static async () =>
    {
        int sum = 0;
        for (int i = 0; i < Batch; i++)
        {
            int v = i;
            sum += await Task.Run(() => v);
        }
        return sum;
    }).GetAwaiter().GetResult();

    /// <summary>Yield round trips on a worker.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int Yield() => _scheduler.BlockOn(_scheduler.Spawn(Priority.Normal, 0, static async _ =>
    {
        for (int i = 0; i < Batch; i++) await Async.Yield();
        return 0;
    }));

    /// <summary>Task.Yield round trips on the thread pool.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int TaskYield() => Task.Run(static async () =>
    {
        for (int i = 0; i < Batch; i++) await Task.Yield();
        return 0;
    }).GetAwaiter().GetResult();
}
