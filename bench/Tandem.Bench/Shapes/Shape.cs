using Tandem;

namespace Tandem.Bench.Shapes;

/// <summary>
/// One benchmark shape (after Tokio's <c>benches/rt_multi_threaded.rs</c>, sizes from ANCHORS.md) on one
/// Tandem runtime, written as a user would write it with the public API. Each iteration checks its own
/// result, so a shape cannot pass by doing less work than its peers.
/// </summary>
internal abstract class Shape : IDisposable
{
    internal const int NumSpawn = 10_000;
    internal const int YieldTasks = 200;
    internal const int NumYield = 1_000;
    internal const int NumPings = 1_000;
    internal const int ChainDepth = 1_000;
    internal const int NumTimers = 100_000;

    internal static readonly string[] Impls = ["tandem-host", "tandem-embedded"];

    internal static readonly string[] Names =
        ["spawn_many_local", "spawn_many_remote_idle", "yield_many", "ping_pong", "ping_pong_pooled", "chained_spawn", "timers_100k_1ms", "fan_out"];

    protected Shape(Runtime runtime, string impl) => (Runtime, Impl) = (runtime, impl);

    /// <summary>When set (<c>--random-priority</c>), every task a shape spawns gets a pseudo-random priority.</summary>
    internal static bool RandomPriorities { get; set; }

    [ThreadStatic] private static uint t_random;

    /// <summary>The priority of the next spawned task: Normal, or a pseudo-random level (xorshift, no allocation).</summary>
    internal static Priority Pick()
    {
        if (!RandomPriorities) return Priority.Normal;
        uint x = t_random == 0 ? 2463534242u : t_random;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        t_random = x;
        return (Priority)(x % Priorities.Count);
    }

    internal Runtime Runtime { get; }

    internal string Impl { get; }

    internal abstract string Name { get; }

    internal abstract int OpsPerIteration { get; }

    /// <summary>What a reader of the figure must know about how this shape differs from the peers' (null: nothing).</summary>
    internal virtual string? Note => null;

    /// <summary>One iteration, run from the harness's thread (outside the runtime).</summary>
    internal abstract void RunOnce();

    public void Dispose() => Runtime.Dispose();

    /// <summary>The runtime an impl name stands for: the host tier with 2 workers, or the embedded tier on this thread.</summary>
    internal static Runtime CreateRuntime(string impl) => impl switch
    {
        "tandem-host" => Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { WorkerCount = 2 }),
        // Room for the largest shape: 100,000 sleeping tasks plus their driver.
        "tandem-embedded" => Runtime.WithMode(RuntimeMode.Embedded, new RuntimeOptions { MaxTasks = 1 << 17 }),
        _ => throw new ArgumentException($"unknown impl '{impl}': tandem-host or tandem-embedded"),
    };

    internal static Shape Create(string impl, string name)
    {
        var runtime = CreateRuntime(impl);
        return name switch
        {
            "spawn_many_local" => new SpawnManyLocal(runtime, impl),
            "spawn_many_remote_idle" => new SpawnManyRemoteIdle(runtime, impl),
            "yield_many" => new YieldMany(runtime, impl),
            "ping_pong" => new PingPong(runtime, impl, pooled: false),
            "ping_pong_pooled" => new PingPong(runtime, impl, pooled: true),
            "chained_spawn" => new ChainedSpawn(runtime, impl),
            "timers_100k_1ms" => new Timers(runtime, impl),
            "fan_out" => new FanOut(runtime, impl),
            _ => throw new ArgumentException($"unknown shape '{name}'"),
        };
    }

    /// <summary>
    /// From inside a driver task, spawns <paramref name="count"/> children that each run <paramref name="child"/>
    /// (which signals <paramref name="countdown"/>), and waits until the last has signalled.
    /// </summary>
    protected void SpawnChildrenAndWait(Countdown countdown, int count, Func<Countdown, TandemTask> child)
    {
        countdown.Reset(count);
        Runtime.BlockOn(Runtime.Spawn(Priority.Normal, (Runtime, countdown, count, child), static async st =>
        {
            for (int i = 0; i < st.count; i++) st.Runtime.Spawn(Pick(), st.countdown, st.child).Detach();
            return await st.countdown.Done.ReceiveAsync();
        }));
    }

    protected static void Check(bool ok, string what)
    {
        if (!ok) throw new InvalidOperationException("benchmark self-check failed: " + what);
    }

    /// <summary>A countdown whose last decrement sends on a one-shot channel: "the last signals".</summary>
    internal sealed class Countdown
    {
        private int _remaining;

        internal OneShot<bool> Done { get; } = new();

        internal void Reset(int count)
        {
            Done.Reset();
            Volatile.Write(ref _remaining, count);
        }

        internal void Signal()
        {
            if (Interlocked.Decrement(ref _remaining) == 0) Done.Send(true);
        }

        internal int Remaining => Volatile.Read(ref _remaining);
    }
}
