using System.Diagnostics;

namespace Tandem;

/// <summary>
/// A Tandem runtime: one async API over two tiers. Create one with
/// <see cref="WithMode"/> — <see cref="RuntimeMode.Embedded"/> (single-threaded, fixed capacity, zero
/// allocation, deterministic) or <see cref="RuntimeMode.Host"/> (multi-threaded, work-stealing) — and use
/// the same members on either: spawn C# async methods, poll functions and futures at a priority, block on
/// them, join sets, futures-unordered sets, timeouts, abort, shutdown.
/// <see cref="Embedded.EmbeddedScheduler"/> and <see cref="Host.HostScheduler"/> are the two tiers.
/// </summary>
public abstract partial class Runtime : IDisposable
{
    private protected Runtime(RuntimeMode mode) => Mode = mode;

    /// <summary>Creates a runtime of the given tier.</summary>
    /// <param name="mode">Which tier.</param>
    /// <param name="options">Capacity, workers, clock (validated; default: the tier's defaults).</param>
    /// <returns>An <see cref="Embedded.EmbeddedScheduler"/> or a <see cref="Host.HostScheduler"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> or an option is out of range.</exception>
    /// <exception cref="ArgumentException">An option does not apply to the tier (a virtual clock on the host tier).</exception>
    public static Runtime WithMode(RuntimeMode mode, RuntimeOptions? options = null)
    {
        options ??= new RuntimeOptions();
        return mode switch
        {
            RuntimeMode.Embedded => new Embedded.EmbeddedScheduler(options.ToEmbedded()),
            RuntimeMode.Host => new Host.HostScheduler(options.ToHost()),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "The mode is Embedded or Host."),
        };
    }

    /// <summary>Which tier this runtime is.</summary>
    public RuntimeMode Mode { get; }

    /// <summary>The runtime of the task running on this thread, or null outside a Tandem task.</summary>
    public static Runtime? Current => TaskCore.Current?.Timers as Runtime;

    /// <summary>Unfinished tasks.</summary>
    public abstract int TaskCount { get; }

    /// <summary>The clock of the scheduler's timers.</summary>
    public abstract TimeProvider Clock { get; }

    /// <summary>Aborts the unfinished tasks, lets them unwind, and releases the scheduler.</summary>
    public abstract void Dispose();

    /// <summary>The exception <c>Spawn</c> throws when <c>TrySpawn</c> would return false: the embedded tier is full
    /// (<see cref="CapacityExceededException"/>); the host tier is never full.</summary>
    /// <returns>The exception.</returns>
    private protected abstract Exception SpawnRefused();

    /// <summary>
    /// Raised when a faulted task's exception was never joined, so that it is reported instead of lost.
    /// See each tier for when exactly.
    /// </summary>
    public event EventHandler<UnobservedExceptionEventArgs>? UnobservedTaskException;

    /// <summary>Raises <see cref="UnobservedTaskException"/> from inside the runtime (a finish, a reclaim, a shutdown).</summary>
    /// <remarks>A handler that throws must not unwind through the runtime's own bookkeeping (a finish half done would
    /// publish an outcome twice): its exception is caught here and handed to <see cref="HandlerFailed"/>, which by default
    /// re-throws it on the thread pool — the fate of an exception escaping any .NET event handler raised on a background
    /// thread (the process's unhandled-exception policy applies).</remarks>
    internal void RaiseUnobserved(long id, Exception exception)
    {
        Metrics?.CountUnobserved();
        var log = Internal.Diagnostics.TandemEventSource.Log;
        if (log.IsEnabled()) log.UnobservedException(id, exception.GetType().FullName ?? exception.GetType().Name, exception.Message);
        try
        {
            UnobservedTaskException?.Invoke(this, new UnobservedExceptionEventArgs(id, exception));
        }
        catch (Exception handlerError)
        {
            HandlerFailed(handlerError);
        }
    }

    /// <summary>The runtime's meter ("Tandem"), set by the tier as it starts (see <see cref="Internal.Diagnostics.RuntimeMetrics"/>).</summary>
    internal Internal.Diagnostics.RuntimeMetrics? Metrics { get; private protected set; }

    /// <summary>Where an exception thrown by an <see cref="UnobservedTaskException"/> handler goes (tests replace it).</summary>
    internal static Action<Exception> HandlerFailed = static error =>
        ThreadPool.UnsafeQueueUserWorkItem(static edi => edi.Throw(), System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error), preferLocal: false);

    internal Exception SpawnRefusal() => SpawnRefused();

    /// <summary>What every member throws once the runtime was shut down or disposed: one message on both tiers.</summary>
    private protected ObjectDisposedException UsedAfterShutdown() =>
        new(GetType().Name, "The runtime has been shut down (Shutdown or Dispose): it no longer spawns, runs or waits for tasks.");

    /// <summary>Creates a join set whose tasks run on this scheduler.</summary>
    /// <typeparam name="T">The tasks' result type.</typeparam>
    /// <param name="capacity">How many tasks it holds: 1 to <see cref="JoinSet{T}.MaxCapacity"/>; default 32.</param>
    /// <returns>The set. Creating it allocates; using it does not.</returns>
    public JoinSet<T> CreateJoinSet<T>(int capacity = TandemDefaults.DefaultMaxFutures) => new(this, capacity);

    /// <summary>Creates a set of futures and tasks whose results come out in completion order.</summary>
    /// <typeparam name="T">The members' result type.</typeparam>
    /// <param name="capacity">How many members it holds: 1 to <see cref="FuturesUnordered{T}.MaxCapacity"/>; default 32.</param>
    /// <returns>The set.</returns>
    public FuturesUnordered<T> CreateFuturesUnordered<T>(int capacity = TandemDefaults.DefaultMaxFutures) => new(capacity);
}
