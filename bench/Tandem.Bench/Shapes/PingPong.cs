using Tandem;

namespace Tandem.Bench.Shapes;

/// <summary>
/// A task spawns 1,000 concurrent pingers; each spawns a ponger, sends it a message on a one-shot channel, and awaits
/// the reply on another. As the peers do (Tokio two one-shot channels per ping, the ThreadPool two
/// <c>TaskCompletionSource</c>s), each ping makes its two channels inside the iteration. The <c>ping_pong_pooled</c>
/// variant makes them once and resets them each iteration, as a program that does not want to allocate per message
/// would: it is reported separately, never in place of <c>ping_pong</c>.
/// </summary>
internal sealed class PingPong : Shape
{
    private readonly bool _pooled;
    private readonly Pair[] _pairs = new Pair[NumPings];
    private readonly Countdown _countdown = new();

    public PingPong(Runtime runtime, string impl, bool pooled) : base(runtime, impl)
    {
        _pooled = pooled;
        for (int i = 0; i < _pairs.Length; i++) _pairs[i] = new Pair(runtime, _countdown, i);
    }

    internal override string Name => _pooled ? "ping_pong_pooled" : "ping_pong";

    internal override int OpsPerIteration => NumPings;

    internal override void RunOnce()
    {
        _countdown.Reset(NumPings);
        foreach (var pair in _pairs) pair.Reset(_pooled);
        Runtime.BlockOn(Runtime.Spawn(Priority.Normal, this, static async shape =>
        {
            foreach (var pair in shape._pairs) shape.Runtime.Spawn(Pick(), pair, Ping).Detach();
            return await shape._countdown.Done.ReceiveAsync();
        }));
        foreach (var pair in _pairs) Check(pair.Reply == pair.Index + 1, "every ping was answered");
    }

    private static async TandemTask Ping(Pair pair)
    {
        // Per ping, as the peers: two new channels (the pooled variant's were reset before the iteration).
        var toPonger = pair.ToPonger ?? new OneShot<int>();
        var toPinger = pair.ToPinger ?? new OneShot<int>();
        pair.Runtime.Spawn(Pick(), (toPonger, toPinger), Pong).Detach();
        toPonger.Send(pair.Index);
        pair.Reply = await toPinger.ReceiveAsync();
        pair.Countdown.Signal();
    }

    private static async TandemTask Pong((OneShot<int> In, OneShot<int> Out) channels) =>
        channels.Out.Send(await channels.In.ReceiveAsync() + 1);

    private sealed class Pair(Runtime runtime, Countdown countdown, int index)
    {
        internal readonly Runtime Runtime = runtime;
        internal readonly Countdown Countdown = countdown;
        internal readonly int Index = index;
        internal OneShot<int>? ToPonger, ToPinger;
        internal int Reply;

        internal void Reset(bool pooled)
        {
            if (pooled)
            {
                (ToPonger ??= new()).Reset();
                (ToPinger ??= new()).Reset();
            }
            Reply = -1;
        }
    }
}
