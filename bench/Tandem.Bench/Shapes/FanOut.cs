using Tandem;

namespace Tandem.Bench.Shapes;

/// <summary>
/// 64 client tasks share 10,000 requests; each request spawns 8 subtasks into a join set, each yields once and returns
/// a number, and the request joins all 8 (ANCHORS.md's <c>fan_out</c>). Each client keeps its join set across
/// requests and iterations, as a server keeps its per-connection state.
/// </summary>
internal sealed class FanOut : Shape
{
    internal const int Clients = 64;
    internal const int Requests = 10_000;
    internal const int Width = 8;

    private readonly JoinSet<long>[] _sets = new JoinSet<long>[Clients];
    private readonly Countdown _countdown = new();
    private int _next;
    private long _total;

    public FanOut(Runtime runtime, string impl) : base(runtime, impl)
    {
        for (int i = 0; i < Clients; i++) _sets[i] = runtime.CreateJoinSet<long>(Width);
    }

    internal override string Name => "fan_out";

    internal override int OpsPerIteration => Requests;

    internal override void RunOnce()
    {
        _next = 0;
        _total = 0;
        _countdown.Reset(Clients);
        Runtime.BlockOn(Runtime.Spawn(Priority.Normal, this, static async shape =>
        {
            for (int c = 0; c < Clients; c++) shape.Runtime.Spawn(Pick(), (shape, c), Client).Detach();
            return await shape._countdown.Done.ReceiveAsync();
        }));
        const long expected = (long)Width * (Requests - 1) * Requests / 2 + (long)Requests * (Width * (Width - 1) / 2);
        Check(Volatile.Read(ref _total) == expected, "every request's subtasks were joined and summed");
    }

    private static async TandemTask Client((FanOut shape, int client) st)
    {
        var set = st.shape._sets[st.client];
        while (true)
        {
            int request = Interlocked.Increment(ref st.shape._next) - 1;
            if (request >= Requests) break;
            for (int j = 0; j < Width; j++)
                set.Spawn(Pick(), (long)request + j, static async value =>
                {
                    await Async.Yield();
                    return value;
                });
            long sum = 0;
            while (!set.IsEmpty) sum += await set.JoinNextAsync();
            Interlocked.Add(ref st.shape._total, sum);
        }
        st.shape._countdown.Signal();
    }
}
