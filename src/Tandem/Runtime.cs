using System.Diagnostics;

using Tandem.Core;

namespace Tandem;

/// <summary>
/// A Tandem runtime: one async API over two tiers (the seed's <c>UnifiedRuntime</c>). Create one with
/// <see cref="WithMode"/> — <see cref="RuntimeMode.Embedded"/> (single-threaded, fixed capacity, zero
/// allocation, deterministic) or <see cref="RuntimeMode.Host"/> (multi-threaded, work-stealing) — and use
/// the same members on either: spawn C# async methods, poll functions and futures at a priority, block on
/// them, join sets, futures-unordered sets, timeouts, abort, shutdown.
/// <see cref="Embedded.EmbeddedScheduler"/> and <see cref="Host.HostScheduler"/> are the two tiers.
/// </summary>
public abstract class Runtime : IDisposable
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
    public static Runtime? Current => TaskCore.Current?.Host as Runtime;

    /// <summary>The id of the task running on this thread, or 0 outside a task.</summary>
    public static long CurrentTaskId => Async.CurrentTaskId;

    /// <summary>The priority of the task running on this thread.</summary>
    /// <exception cref="InvalidOperationException">Not inside a Tandem task.</exception>
    public static Priority CurrentPriority => Async.CurrentPriority;

    /// <summary>Inside a task: lets the other ready tasks of its priority run first. See <see cref="Async.Yield"/>.</summary>
    /// <returns>An awaitable.</returns>
    public static YieldAwaitable Yield() => Async.Yield();

    /// <summary>Inside a task: resumes after <paramref name="delay"/> of its runtime's clock. See <see cref="Async.Delay(TimeSpan)"/>.</summary>
    /// <param name="delay">How long.</param>
    /// <returns>An awaitable.</returns>
    public static DelayAwaitable Delay(TimeSpan delay) => Async.Delay(delay);

    /// <summary>Inside a task: a token cancelled when the task is aborted. See <see cref="Async.AbortToken"/>.</summary>
    public static CancellationToken AbortToken => Async.AbortToken;

    /// <summary>Creates a join set on this runtime (the seed's <c>join_set()</c>); same as <see cref="CreateJoinSet{T}"/>.</summary>
    /// <typeparam name="T">The tasks' result type.</typeparam>
    /// <param name="capacity">How many tasks it holds; default 32.</param>
    /// <returns>The set.</returns>
    public Core.JoinSet<T> JoinSet<T>(int capacity = TandemDefaults.DefaultMaxFutures) => CreateJoinSet<T>(capacity);

    /// <summary>Creates a futures-unordered set; same as <see cref="CreateFuturesUnordered{T}"/>.</summary>
    /// <typeparam name="T">The members' result type.</typeparam>
    /// <param name="capacity">How many members it holds; default 32.</param>
    /// <returns>The set.</returns>
    public Core.FuturesUnordered<T> FuturesUnordered<T>(int capacity = TandemDefaults.DefaultMaxFutures) => CreateFuturesUnordered<T>(capacity);

    /// <summary>
    /// Shuts down: refuses new spawns (<see cref="ObjectDisposedException"/>), aborts the unfinished tasks
    /// and lets them unwind through their <c>finally</c> blocks, and releases the runtime's threads.
    /// </summary>
    /// <param name="timeout">How long to wait for tasks and threads (the host tier; the embedded tier unwinds on the calling thread).</param>
    /// <returns>True when every task finished (and every thread exited) in time.</returns>
    /// <exception cref="InvalidOperationException">Called from inside the runtime's own tasks or workers.</exception>
    public abstract bool Shutdown(TimeSpan timeout);

    /// <summary>Shuts down (see <see cref="Shutdown"/>) without blocking the caller.</summary>
    /// <param name="timeout">How long to wait for tasks and threads.</param>
    /// <returns>True when every task finished in time.</returns>
    /// <exception cref="InvalidOperationException">Called from inside the runtime's own tasks or workers.</exception>
    public Task<bool> ShutdownAsync(TimeSpan timeout)
    {
        if (TaskCore.Current?.Host == this as ITaskHost)
            throw new InvalidOperationException("A runtime cannot be shut down from inside one of its own tasks: it would wait for itself.");
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(Shutdown(timeout));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }) { IsBackground = true, Name = "Tandem shutdown" };
        thread.Start();
        return done.Task;
    }

    /// <summary>
    /// Spawns an async method with explicit state, or returns false when the scheduler is full (the
    /// embedded tier; the host tier is never full). With a <c>static</c> lambda nothing is captured.
    /// </summary>
    /// <typeparam name="TState">The state's type.</typeparam>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="state">Passed to <paramref name="method"/>.</param>
    /// <param name="method">The method.</param>
    /// <param name="handle">The task's handle, when spawned.</param>
    /// <returns>False when the scheduler is full; nothing else changes then.</returns>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    /// <remarks>The two tiers are the only subclasses, so the call is routed by <see cref="Mode"/> instead of a
    /// generic virtual call, whose dispatch would cost more than the rest of a spawn.</remarks>
    public bool TrySpawn<TState, T>(Priority priority, TState state, Func<TState, TandemTask<T>> method, out JoinHandle<T> handle) =>
        Mode == RuntimeMode.Host
            ? System.Runtime.CompilerServices.Unsafe.As<Host.HostScheduler>(this).TrySpawnAsync(priority, state, method, out handle)
            : System.Runtime.CompilerServices.Unsafe.As<Embedded.EmbeddedScheduler>(this).TrySpawnAsync(priority, state, method, out handle);

    /// <summary>Spawns a poll-based future, or returns false when the scheduler is full.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="future">The future; disposed when the task ends if it is <see cref="IDisposable"/>.</param>
    /// <param name="handle">The task's handle, when spawned.</param>
    /// <returns>False when the scheduler is full; nothing else changes then.</returns>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public bool TrySpawn<T>(Priority priority, IFuture<T> future, out JoinHandle<T> handle) =>
        Mode == RuntimeMode.Host
            ? System.Runtime.CompilerServices.Unsafe.As<Host.HostScheduler>(this).TrySpawnFuture(priority, future, out handle)
            : System.Runtime.CompilerServices.Unsafe.As<Embedded.EmbeddedScheduler>(this).TrySpawnFuture(priority, future, out handle);

    /// <summary>Schedules a poll function with explicit state, or returns false when the scheduler is full.</summary>
    /// <typeparam name="TState">The state's type.</typeparam>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="state">Passed to <paramref name="pollFn"/>.</param>
    /// <param name="pollFn">Called on every poll until it returns ready.</param>
    /// <param name="handle">The task's handle, when scheduled.</param>
    /// <returns>False when the scheduler is full; nothing else changes then.</returns>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public bool TrySchedule<TState, T>(Priority priority, TState state, Func<TState, PollContext, Poll<T>> pollFn, out JoinHandle<T> handle) =>
        Mode == RuntimeMode.Host
            ? System.Runtime.CompilerServices.Unsafe.As<Host.HostScheduler>(this).TrySchedulePollFn(priority, state, pollFn, out handle)
            : System.Runtime.CompilerServices.Unsafe.As<Embedded.EmbeddedScheduler>(this).TrySchedulePollFn(priority, state, pollFn, out handle);

    /// <summary>Runs the scheduler (embedded) or waits (host) until <paramref name="handle"/>'s task finishes, then joins it.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="handle">A task of this scheduler.</param>
    /// <returns>The task's result; its exception is re-thrown.</returns>
    /// <exception cref="TaskAbortedException">The task was aborted.</exception>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    /// <exception cref="InvalidOperationException">Called from inside the scheduler's own tasks or workers.</exception>
    [StackTraceHidden]
    public T BlockOn<T>(JoinHandle<T> handle) =>
        Mode == RuntimeMode.Host
            ? System.Runtime.CompilerServices.Unsafe.As<Host.HostScheduler>(this).BlockOnHandle(handle)
            : System.Runtime.CompilerServices.Unsafe.As<Embedded.EmbeddedScheduler>(this).BlockOnHandle(handle);

    /// <summary>Unfinished tasks.</summary>
    public abstract int TaskCount { get; }

    /// <summary>The clock of the scheduler's timers.</summary>
    public abstract TimeProvider Clock { get; }

    /// <summary>Aborts the unfinished tasks, lets them unwind, and releases the scheduler.</summary>
    public abstract void Dispose();

    /// <summary>The exception <c>Spawn</c> throws when <c>TrySpawn</c> would return false.</summary>
    /// <returns>The exception.</returns>
    private protected abstract Exception CapacityExceeded();

    /// <summary>
    /// Raised when a faulted task's exception was never joined, so that it is reported instead of lost.
    /// See each tier for when exactly.
    /// </summary>
    public event EventHandler<UnobservedExceptionEventArgs>? UnobservedTaskException;

    internal void RaiseUnobserved(long id, Exception exception) =>
        UnobservedTaskException?.Invoke(this, new UnobservedExceptionEventArgs(id, exception));

    internal Exception CapacityExceededException() => CapacityExceeded();

    /// <summary>
    /// Runs <paramref name="work"/> as a task and waits for it at most <paramref name="duration"/> of this
    /// scheduler's clock: past that, the task is aborted (its <c>finally</c> blocks run) and the wait
    /// throws <see cref="TimeoutException"/>.
    /// </summary>
    /// <remarks>The deadline counts once the work's first poll has ended: work that finishes in its first poll
    /// returns its result even with a zero timeout, on every tier (as Tokio polls the inner future first).</remarks>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="duration">The time limit; zero or more.</param>
    /// <param name="work">The work.</param>
    /// <param name="priority">The work's priority.</param>
    /// <returns>The work's result; its exception is re-thrown.</returns>
    /// <exception cref="TimeoutException">The work did not finish in time.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative.</exception>
    public async TandemTask<T> Timeout<T>(TimeSpan duration, Func<TandemTask<T>> work, Priority priority = Priority.Normal)
    {
        if (duration < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A timeout is zero or more.");
        ArgumentNullException.ThrowIfNull(work);
        var race = new TimeoutRace();
        var handle = Spawn(priority, (work, race), static st =>
        {
            var running = st.work();
            // Past its first poll and not finished: from now on the deadline may end it.
            if (!running.IsCompleted) st.race.MarkStarted();
            return running;
        });
        handle.Source.SetListener(handle.Token, race, 0);
        ((ITaskHost)this).AddTimer(duration, race.TimerResumption());
        // As Tokio polls the inner future before it looks at the deadline, the deadline counts only once the work
        // has had its first poll: work that finishes in it (a zero timeout of ready work) returns its result on
        // every tier, even when another worker is still polling it as the timer fires.
        bool joined = false;
        try
        {
            do
            {
                await race.Signal.WaitAsync();
                if (handle.IsFinished)
                {
                    joined = true;
                    return handle.GetResult();
                }
            }
            while (!race.Expired);
        }
        finally
        {
            // Timed out, or the waiting task was itself aborted (its wait threw): the work must not run on unowned.
            // Aborted and let go, it unwinds, its slot is freed when it ends, and a fault it ends with is reported as
            // unobserved.
            if (!joined)
            {
                handle.Abort();
                handle.Detach();
            }
        }
        throw new TimeoutException($"The work did not finish within {duration}.");
    }

    /// <summary>Runs <paramref name="work"/> and waits for it at most <paramref name="duration"/>. See <see cref="Timeout{T}"/>.</summary>
    /// <param name="duration">The time limit.</param>
    /// <param name="work">The work.</param>
    /// <param name="priority">The work's priority.</param>
    /// <returns>A task completing when the work does.</returns>
    /// <exception cref="TimeoutException">The work did not finish in time.</exception>
    public async TandemTask Timeout(TimeSpan duration, Func<TandemTask> work, Priority priority = Priority.Normal)
    {
        ArgumentNullException.ThrowIfNull(work);
        await Timeout(duration, async () =>
        {
            await work();
            return 0;
        }, priority);
    }

    /// <summary>Whichever of the work and the timer comes first sets the signal.</summary>
    /// <remarks>States: <see cref="Started"/> once the work's first poll ended without finishing it; <see cref="TimedOut"/>
    /// once the timer fired. Each sets the signal, so the waiter re-reads both after every wake.</remarks>
    private sealed class TimeoutRace : IJoinListener
    {
        private const int Started = 1, TimedOut = 2;
        private int _state;

        internal AsyncSignal Signal { get; } = new();

        /// <summary>True once the deadline passed and the work has had its first poll.</summary>
        internal bool Expired => Volatile.Read(ref _state) == (Started | TimedOut);

        public void OnMemberFinished(int tag) => Signal.Set();

        internal void MarkStarted() => Mark(Started);

        internal Resumption TimerResumption() => Resumption.ForCallback(static s => ((TimeoutRace)s!).Mark(TimedOut), this);

        private void Mark(int bit)
        {
            Interlocked.Or(ref _state, bit);
            Signal.Set();
        }
    }

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

    /// <summary>Waits until <paramref name="handle"/>'s task finishes, then joins it.</summary>
    /// <param name="handle">A task of this scheduler.</param>
    /// <exception cref="TaskAbortedException">The task was aborted.</exception>
    [StackTraceHidden]
    public void BlockOn(JoinHandle handle) => BlockOn(handle.Inner);

    /// <summary>Spawns <paramref name="method"/> and waits until it finishes.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="method">The async method.</param>
    /// <param name="priority">Its priority.</param>
    /// <returns>Its result.</returns>
    [StackTraceHidden]
    public T BlockOn<T>(Func<TandemTask<T>> method, Priority priority = Priority.Normal) => BlockOn(Spawn(priority, method));

    /// <summary>Spawns <paramref name="method"/> and waits until it finishes.</summary>
    /// <param name="method">The async method.</param>
    /// <param name="priority">Its priority.</param>
    [StackTraceHidden]
    public void BlockOn(Func<TandemTask> method, Priority priority = Priority.Normal) => BlockOn(Spawn(priority, method));

    /// <summary>Spawns <paramref name="future"/> and waits until it is ready.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="future">The future.</param>
    /// <param name="priority">Its priority.</param>
    /// <returns>Its result.</returns>
    [StackTraceHidden]
    public T BlockOn<T>(IFuture<T> future, Priority priority = Priority.Normal) => BlockOn(Spawn(priority, future));

    /// <summary>Spawns an async method at <paramref name="priority"/>. It starts when the scheduler first polls it.</summary>
    /// <param name="priority">The task's level.</param>
    /// <param name="method">The method, e.g. <c>async () => { … }</c>.</param>
    /// <returns>The task's handle.</returns>
    /// <exception cref="CapacityExceededException">The scheduler is full (embedded tier).</exception>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public JoinHandle Spawn(Priority priority, Func<TandemTask> method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return new(Spawn(priority, method, static m => Wrap(m())));
    }

    /// <summary>Spawns an async method that produces a value. It starts when the scheduler first polls it.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="method">The method, e.g. <c>async () => 42</c>.</param>
    /// <returns>The task's handle.</returns>
    /// <exception cref="CapacityExceededException">The scheduler is full (embedded tier).</exception>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public JoinHandle<T> Spawn<T>(Priority priority, Func<TandemTask<T>> method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return Spawn(priority, method, static m => m());
    }

    /// <summary>
    /// Spawns an async method with explicit state: with a <c>static</c> lambda nothing is captured,
    /// so the spawn allocates nothing once warmed up.
    /// </summary>
    /// <typeparam name="TState">The state's type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="state">Passed to <paramref name="method"/>.</param>
    /// <param name="method">The method, e.g. <c>static async s => { … }</c>.</param>
    /// <returns>The task's handle.</returns>
    /// <exception cref="CapacityExceededException">The scheduler is full (embedded tier).</exception>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public JoinHandle Spawn<TState>(Priority priority, TState state, Func<TState, TandemTask> method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return new(Spawn(priority, (state, method), static s => Wrap(s.method(s.state))));
    }

    /// <summary>Spawns an async method with explicit state that produces a value; allocation-free with a <c>static</c> lambda.</summary>
    /// <typeparam name="TState">The state's type.</typeparam>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="state">Passed to <paramref name="method"/>.</param>
    /// <param name="method">The method.</param>
    /// <returns>The task's handle.</returns>
    /// <exception cref="CapacityExceededException">The scheduler is full (embedded tier).</exception>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public JoinHandle<T> Spawn<TState, T>(Priority priority, TState state, Func<TState, TandemTask<T>> method) =>
        TrySpawn(priority, state, method, out var handle) ? handle : throw CapacityExceeded();

    /// <summary>Spawns a poll-based future.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="future">The future; disposed when the task ends if it is <see cref="IDisposable"/>.</param>
    /// <returns>The task's handle.</returns>
    /// <exception cref="CapacityExceededException">The scheduler is full (embedded tier).</exception>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public JoinHandle<T> Spawn<T>(Priority priority, IFuture<T> future) =>
        TrySpawn(priority, future, out var handle) ? handle : throw CapacityExceeded();

    /// <summary>Spawns an async method at <see cref="Priority.Normal"/>.</summary>
    /// <param name="method">The method.</param>
    /// <returns>The task's handle.</returns>
    public JoinHandle Spawn(Func<TandemTask> method) => Spawn(Priority.Normal, method);

    /// <summary>Spawns an async method that produces a value at <see cref="Priority.Normal"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="method">The method.</param>
    /// <returns>The task's handle.</returns>
    public JoinHandle<T> Spawn<T>(Func<TandemTask<T>> method) => Spawn(Priority.Normal, method);

    /// <summary>Spawns an async method, or returns false when every slot holds an unfinished task.</summary>
    /// <param name="priority">The task's level.</param>
    /// <param name="method">The method.</param>
    /// <param name="handle">The task's handle, when spawned.</param>
    /// <returns>False when the scheduler is full; nothing else changes then.</returns>
    public bool TrySpawn(Priority priority, Func<TandemTask> method, out JoinHandle handle)
    {
        ArgumentNullException.ThrowIfNull(method);
        bool ok = TrySpawn(priority, method, static m => Wrap(m()), out JoinHandle<VoidResult> inner);
        handle = new JoinHandle(inner);
        return ok;
    }

    /// <summary>Spawns an async method that produces a value, or returns false when the scheduler is full.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="method">The method.</param>
    /// <param name="handle">The task's handle, when spawned.</param>
    /// <returns>False when the scheduler is full; nothing else changes then.</returns>
    public bool TrySpawn<T>(Priority priority, Func<TandemTask<T>> method, out JoinHandle<T> handle)
    {
        ArgumentNullException.ThrowIfNull(method);
        return TrySpawn(priority, method, static m => m(), out handle);
    }



    /// <summary>Schedules a poll function (the seed's <c>schedule(priority, poll_fn)</c>): it is called on every poll until it returns ready.</summary>
    /// <param name="priority">The task's level.</param>
    /// <param name="pollFn">Returns <see cref="Poll.Ready"/> when done, or <see cref="Poll.Pending"/> after arranging a wake of <see cref="PollContext.Waker"/>.</param>
    /// <returns>The task's handle.</returns>
    /// <exception cref="CapacityExceededException">The scheduler is full (embedded tier).</exception>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public JoinHandle Schedule(Priority priority, Func<PollContext, Poll> pollFn)
    {
        ArgumentNullException.ThrowIfNull(pollFn);
        return new(Schedule(priority, pollFn, static (f, cx) => f(cx).IsReady ? Poll<VoidResult>.Ready(default) : Poll<VoidResult>.Pending));
    }

    /// <summary>Schedules a poll function that produces a value.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="pollFn">Called on every poll until it returns ready.</param>
    /// <returns>The task's handle.</returns>
    /// <exception cref="CapacityExceededException">The scheduler is full (embedded tier).</exception>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public JoinHandle<T> Schedule<T>(Priority priority, Func<PollContext, Poll<T>> pollFn)
    {
        ArgumentNullException.ThrowIfNull(pollFn);
        return Schedule(priority, pollFn, static (f, cx) => f(cx));
    }

    /// <summary>Schedules a poll function with explicit state; allocation-free with a <c>static</c> lambda.</summary>
    /// <typeparam name="TState">The state's type.</typeparam>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="state">Passed to <paramref name="pollFn"/>.</param>
    /// <param name="pollFn">Called on every poll until it returns ready.</param>
    /// <returns>The task's handle.</returns>
    /// <exception cref="CapacityExceededException">The scheduler is full (embedded tier).</exception>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public JoinHandle<T> Schedule<TState, T>(Priority priority, TState state, Func<TState, PollContext, Poll<T>> pollFn) =>
        TrySchedule(priority, state, pollFn, out var handle) ? handle : throw CapacityExceeded();


    private static TandemTask<VoidResult> Wrap(TandemTask task) => task.AsValued();
}
