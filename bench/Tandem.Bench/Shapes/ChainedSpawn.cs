using Tandem;

namespace Tandem.Bench.Shapes;

/// <summary>A task spawns a task, which spawns a task … to depth 1,000; the last signals.</summary>
internal sealed class ChainedSpawn(Runtime runtime, string impl) : Shape(runtime, impl)
{
    private readonly OneShot<int> _done = new();

    internal override string Name => "chained_spawn";

    internal override int OpsPerIteration => ChainDepth;

    internal override void RunOnce()
    {
        _done.Reset();
        int depth = Runtime.BlockOn(Runtime.Spawn(Priority.Normal, this, static async shape =>
        {
            shape.Runtime.Spawn(Pick(), (shape, ChainDepth), Link).Detach();
            return await shape._done.ReceiveAsync();
        }));
        Check(depth == ChainDepth, "the chain reached its full depth");
    }

    private static TandemTask Link((ChainedSpawn shape, int left) st)
    {
        if (st.left == 1) st.shape._done.Send(ChainDepth);
        else st.shape.Runtime.Spawn(Pick(), (st.shape, st.left - 1), Link).Detach();
        return TandemTask.CompletedTask;
    }
}
