using Tandem;

namespace Tandem.Bench.Shapes;

/// <summary>
/// A task spawns 1,000 concurrent pingers; each spawns a ponger, sends it a message on a one-shot channel,
/// and awaits the reply on another. The channels are pooled and reset each iteration, as a program that
/// does not want to allocate per message would.
/// </summary>
internal sealed class PingPong : Shape
{
    private readonly Pair[] _pairs = new Pair[NumPings];
    private readonly Countdown _countdown = new();

    public PingPong(Runtime runtime, string impl) : base(runtime, impl)
    {
        for (int i = 0; i < _pairs.Length; i++) _pairs[i] = new Pair(runtime, _countdown, i);
    }

    internal override string Name => "ping_pong";

    internal override int OpsPerIteration => NumPings;

    internal override void RunOnce()
    {
        _countdown.Reset(NumPings);
        foreach (var pair in _pairs) pair.Reset();
        Runtime.BlockOn(Runtime.Spawn(Priority.Normal, this, static async shape =>
        {
            foreach (var pair in shape._pairs) shape.Runtime.Spawn(Pick(), pair, Ping).Detach();
            return await shape._countdown.Done.ReceiveAsync();
        }));
        foreach (var pair in _pairs) Check(pair.Reply == pair.Index + 1, "every ping was answered");
    }

    private static async TandemTask Ping(Pair pair)
    {
        pair.Runtime.Spawn(Pick(), pair, Pong).Detach();
        pair.ToPonger.Send(pair.Index);
        pair.Reply = await pair.ToPinger.ReceiveAsync();
        pair.Countdown.Signal();
    }

    private static async TandemTask Pong(Pair pair) => pair.ToPinger.Send(await pair.ToPonger.ReceiveAsync() + 1);

    private sealed class Pair(Runtime runtime, Countdown countdown, int index)
    {
        internal readonly Runtime Runtime = runtime;
        internal readonly Countdown Countdown = countdown;
        internal readonly int Index = index;
        internal readonly OneShot<int> ToPonger = new();
        internal readonly OneShot<int> ToPinger = new();
        internal int Reply;

        internal void Reset()
        {
            ToPonger.Reset();
            ToPinger.Reset();
            Reply = -1;
        }
    }
}
