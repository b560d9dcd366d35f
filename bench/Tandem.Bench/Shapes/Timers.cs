using Tandem;

namespace Tandem.Bench.Shapes;

/// <summary>100,000 tasks each sleep 1 ms; the time until the last has woken.</summary>
internal sealed class Timers(Runtime runtime, string impl) : Shape(runtime, impl)
{
    private readonly Countdown _countdown = new();

    internal override string Name => "timers_100k_1ms";

    internal override int OpsPerIteration => NumTimers;

    internal override void RunOnce()
    {
        SpawnChildrenAndWait(_countdown, NumTimers, static async c =>
        {
            await Async.Delay(TimeSpan.FromMilliseconds(1));
            c.Signal();
        });
        Check(_countdown.Remaining == 0, "every timer fired");
    }
}
