using Tandem;

namespace Tandem.Bench.Shapes;

/// <summary>200 tasks, each yields 1,000 times.</summary>
internal sealed class YieldMany(Runtime runtime, string impl) : Shape(runtime, impl)
{
    private readonly JoinHandle<int>[] _handles = new JoinHandle<int>[YieldTasks];

    internal override string Name => "yield_many";

    internal override int OpsPerIteration => YieldTasks * NumYield;

    internal override void RunOnce()
    {
        for (int i = 0; i < _handles.Length; i++)
            _handles[i] = Runtime.Spawn(Pick(), 0, static async _ =>
            {
                int yields = 0;
                for (; yields < NumYield; yields++) await Async.Yield();
                return yields;
            });
        long total = 0;
        foreach (var handle in _handles) total += Runtime.BlockOn(handle);
        Check(total == (long)YieldTasks * NumYield, "every yield happened");
    }
}
