using Tandem.Core;

namespace Tandem.Bench.Shapes;

/// <summary>100,000 tasks each sleep 1 ms; the time until the last has woken.</summary>
internal sealed class Timers(Runtime runtime, string impl) : Shape(runtime, impl)
{
    private readonly Countdown _countdown = new();

    internal override string Name => "timers_100k_1ms";

    internal override int OpsPerIteration => NumTimers;

    internal override void RunOnce()
    {
        _countdown.Reset(NumTimers);
        Runtime.BlockOn(Runtime.Spawn(Priority.Normal, (Runtime, _countdown), static async st =>
        {
            for (int i = 0; i < NumTimers; i++)
            {
                st.Runtime.Spawn(Pick(), st._countdown, static async c =>
                {
                    await Async.Delay(TimeSpan.FromMilliseconds(1));
                    c.Signal();
                }).Detach();
            }
            return await st._countdown.Done.ReceiveAsync();
        }));
        Check(_countdown.Remaining == 0, "every timer fired");
    }
}
