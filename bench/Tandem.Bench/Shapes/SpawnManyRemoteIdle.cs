using Tandem;

namespace Tandem.Bench.Shapes;

/// <summary>From outside the runtime, spawn 10,000 empty tasks, then wait for every handle. On the embedded tier
/// "outside" is the thread that drives it (it has no cross-thread spawn), where Tokio's current-thread runtime takes its
/// cross-thread path: the figure says so.</summary>
internal sealed class SpawnManyRemoteIdle(Runtime runtime, string impl) : Shape(runtime, impl)
{
    private readonly JoinHandle<int>[] _handles = new JoinHandle<int>[NumSpawn];

    internal override string Name => "spawn_many_remote_idle";

    internal override int OpsPerIteration => NumSpawn;

    internal override string? Note => Impl == "tandem-embedded" ? "spawned from the driving thread: the embedded tier has no cross-thread spawn" : null;

    internal override void RunOnce()
    {
        for (int i = 0; i < _handles.Length; i++)
            _handles[i] = Runtime.Spawn(Pick(), i, static i => new TandemTask<int>(i));
        long sum = 0;
        foreach (var handle in _handles) sum += Runtime.BlockOn(handle);
        Check(sum == (long)NumSpawn * (NumSpawn - 1) / 2, "every task returned its value");
    }
}
