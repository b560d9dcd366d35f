using System.Diagnostics;

namespace Tandem;

// Spawning and scheduling tasks: the overloads both tiers share.
public abstract partial class Runtime
{
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
        TrySpawn(priority, state, method, CancellationToken.None, out handle);

    /// <summary>
    /// Spawns an async method with explicit state that is aborted when <paramref name="cancellationToken"/> is cancelled,
    /// or returns false when the scheduler is full (see <see cref="TrySpawn{TState,T}(Priority, TState, Func{TState, TandemTask{T}}, out JoinHandle{T})"/>).
    /// </summary>
    /// <typeparam name="TState">The state's type.</typeparam>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="state">Passed to <paramref name="method"/>.</param>
    /// <param name="method">The method.</param>
    /// <param name="cancellationToken">Aborts the task when cancelled (at once, if it already is: the method never
    /// starts). A token that can be cancelled costs a registration, released when the task's object is reused.</param>
    /// <param name="handle">The task's handle, when spawned.</param>
    /// <returns>False when the scheduler is full; nothing else changes then.</returns>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public bool TrySpawn<TState, T>(Priority priority, TState state, Func<TState, TandemTask<T>> method, CancellationToken cancellationToken, out JoinHandle<T> handle) =>
        Mode == RuntimeMode.Host
            ? System.Runtime.CompilerServices.Unsafe.As<Host.HostScheduler>(this).TrySpawnAsync(priority, state, method, cancellationToken, out handle)
            : System.Runtime.CompilerServices.Unsafe.As<Embedded.EmbeddedScheduler>(this).TrySpawnAsync(priority, state, method, cancellationToken, out handle);

    /// <summary>Spawns a poll-based future, or returns false when the scheduler is full.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="future">The future; disposed when the task ends if it is <see cref="IDisposable"/>.</param>
    /// <param name="handle">The task's handle, when spawned.</param>
    /// <returns>False when the scheduler is full; nothing else changes then.</returns>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public bool TrySpawn<T>(Priority priority, IFuture<T> future, out JoinHandle<T> handle) =>
        TrySpawn(priority, future, CancellationToken.None, out handle);

    /// <summary>Spawns a poll-based future that is aborted when <paramref name="cancellationToken"/> is cancelled, or
    /// returns false when the scheduler is full.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="future">The future; disposed when the task ends if it is <see cref="IDisposable"/>.</param>
    /// <param name="cancellationToken">Aborts the task when cancelled.</param>
    /// <param name="handle">The task's handle, when spawned.</param>
    /// <returns>False when the scheduler is full; nothing else changes then.</returns>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public bool TrySpawn<T>(Priority priority, IFuture<T> future, CancellationToken cancellationToken, out JoinHandle<T> handle) =>
        Mode == RuntimeMode.Host
            ? System.Runtime.CompilerServices.Unsafe.As<Host.HostScheduler>(this).TrySpawnFuture(priority, future, cancellationToken, out handle)
            : System.Runtime.CompilerServices.Unsafe.As<Embedded.EmbeddedScheduler>(this).TrySpawnFuture(priority, future, cancellationToken, out handle);

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

    /// <summary>Spawns an async method at <paramref name="priority"/>. It starts when the scheduler first polls it.</summary>
    /// <param name="priority">The task's level.</param>
    /// <param name="method">The method, e.g. <c>async () => { … }</c>.</param>
    /// <param name="cancellationToken">Aborts the task when cancelled (at once, if it already is: the method never starts).</param>
    /// <returns>The task's handle.</returns>
    /// <exception cref="CapacityExceededException">The scheduler is full (embedded tier).</exception>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public JoinHandle Spawn(Priority priority, Func<TandemTask> method, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        return new(Spawn(priority, method, static m => Wrap(m()), cancellationToken));
    }

    /// <summary>Spawns an async method that produces a value. It starts when the scheduler first polls it.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="method">The method, e.g. <c>async () => 42</c>.</param>
    /// <param name="cancellationToken">Aborts the task when cancelled (at once, if it already is: the method never starts).</param>
    /// <returns>The task's handle.</returns>
    /// <exception cref="CapacityExceededException">The scheduler is full (embedded tier).</exception>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public JoinHandle<T> Spawn<T>(Priority priority, Func<TandemTask<T>> method, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        return Spawn(priority, method, static m => m(), cancellationToken);
    }

    /// <summary>
    /// Spawns an async method with explicit state: with a <c>static</c> lambda nothing is captured,
    /// so the spawn allocates nothing once warmed up.
    /// </summary>
    /// <typeparam name="TState">The state's type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="state">Passed to <paramref name="method"/>.</param>
    /// <param name="method">The method, e.g. <c>static async s => { … }</c>.</param>
    /// <param name="cancellationToken">Aborts the task when cancelled (at once, if it already is: the method never starts).</param>
    /// <returns>The task's handle.</returns>
    /// <exception cref="CapacityExceededException">The scheduler is full (embedded tier).</exception>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public JoinHandle Spawn<TState>(Priority priority, TState state, Func<TState, TandemTask> method, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        return new(Spawn(priority, (state, method), static s => Wrap(s.method(s.state)), cancellationToken));
    }

    /// <summary>Spawns an async method with explicit state that produces a value; allocation-free with a <c>static</c> lambda.</summary>
    /// <typeparam name="TState">The state's type.</typeparam>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="state">Passed to <paramref name="method"/>.</param>
    /// <param name="method">The method.</param>
    /// <param name="cancellationToken">Aborts the task when cancelled (at once, if it already is: the method never starts).</param>
    /// <returns>The task's handle.</returns>
    /// <exception cref="CapacityExceededException">The scheduler is full (embedded tier).</exception>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public JoinHandle<T> Spawn<TState, T>(Priority priority, TState state, Func<TState, TandemTask<T>> method, CancellationToken cancellationToken = default) =>
        TrySpawn(priority, state, method, cancellationToken, out var handle) ? handle : throw SpawnRefused();

    /// <summary>Spawns a poll-based future.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">The task's level.</param>
    /// <param name="future">The future; disposed when the task ends if it is <see cref="IDisposable"/>.</param>
    /// <param name="cancellationToken">Aborts the task when cancelled (at once, if it already is: the method never starts).</param>
    /// <returns>The task's handle.</returns>
    /// <exception cref="CapacityExceededException">The scheduler is full (embedded tier).</exception>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed or shut down.</exception>
    public JoinHandle<T> Spawn<T>(Priority priority, IFuture<T> future, CancellationToken cancellationToken = default) =>
        TrySpawn(priority, future, cancellationToken, out var handle) ? handle : throw SpawnRefused();

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

    /// <summary>Schedules a poll function: it is called on every poll until it returns ready.</summary>
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
        TrySchedule(priority, state, pollFn, out var handle) ? handle : throw SpawnRefused();

    private static TandemTask<VoidResult> Wrap(TandemTask task) => task.AsValued();
}
