using Tandem;

namespace Tandem.Bench.Shapes;

/// <summary>From inside a task, spawn 10,000 tasks that each decrement a shared counter; the last signals.</summary>
internal sealed class SpawnManyLocal(Runtime runtime, string impl) : Shape(runtime, impl)
{
    private readonly Countdown _countdown = new();

    internal override string Name => "spawn_many_local";

    internal override int OpsPerIteration => NumSpawn;

    internal override void RunOnce()
    {
        SpawnChildrenAndWait(_countdown, NumSpawn, static c =>
        {
            c.Signal();
            return TandemTask.CompletedTask;
        });
        Check(_countdown.Remaining == 0, "every spawned task ran");
    }
}
