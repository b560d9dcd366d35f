using System.Diagnostics;

namespace Tandem;

// Waiting, from outside the runtime, for a task to finish.
public abstract partial class Runtime
{
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
            ? System.Runtime.CompilerServices.Unsafe.As<Host.HostScheduler>(this).BlockOnHandle(handle, default)
            : System.Runtime.CompilerServices.Unsafe.As<Embedded.EmbeddedScheduler>(this).BlockOnHandle(handle, default);

    /// <summary>Waits until <paramref name="handle"/>'s task finishes, then joins it.</summary>
    /// <param name="handle">A task of this scheduler.</param>
    /// <exception cref="TaskAbortedException">The task was aborted.</exception>
    [StackTraceHidden]
    public void BlockOn(JoinHandle handle) => BlockOn(handle.Inner);

    /// <summary>Waits until <paramref name="handle"/>'s task finishes, or until <paramref name="cancellationToken"/> is
    /// cancelled; then joins it.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="handle">A task of any runtime.</param>
    /// <param name="cancellationToken">Gives up the wait (not the task: abort it, or spawn it with the token, for that).
    /// The handle stays joinable afterwards.</param>
    /// <returns>The task's result.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the task finished.</exception>
    /// <exception cref="TaskAbortedException">The task was aborted.</exception>
    /// <exception cref="ObjectDisposedException">The runtime was shut down and nothing can finish the task.</exception>
    /// <exception cref="InvalidOperationException">Called from inside this runtime (await instead), or the handle was already joined.</exception>
    [StackTraceHidden]
    public T BlockOn<T>(JoinHandle<T> handle, CancellationToken cancellationToken) =>
        Mode == RuntimeMode.Host
            ? System.Runtime.CompilerServices.Unsafe.As<Host.HostScheduler>(this).BlockOnHandle(handle, cancellationToken)
            : System.Runtime.CompilerServices.Unsafe.As<Embedded.EmbeddedScheduler>(this).BlockOnHandle(handle, cancellationToken);

    /// <summary>Waits until <paramref name="handle"/>'s task finishes, or until <paramref name="cancellationToken"/> is
    /// cancelled (see <see cref="BlockOn{T}(JoinHandle{T}, CancellationToken)"/>).</summary>
    /// <param name="handle">A task of any runtime.</param>
    /// <param name="cancellationToken">Gives up the wait; the handle stays joinable.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the task finished.</exception>
    [StackTraceHidden]
    public void BlockOn(JoinHandle handle, CancellationToken cancellationToken) => BlockOn(handle.Inner, cancellationToken);

    /// <summary>Spawns <paramref name="method"/> at <see cref="Priority.Normal"/> and waits until it finishes.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="method">The async method.</param>
    /// <returns>Its result.</returns>
    [StackTraceHidden]
    public T BlockOn<T>(Func<TandemTask<T>> method) => BlockOn(Spawn(Priority.Normal, method));

    /// <summary>Spawns <paramref name="method"/> and waits until it finishes.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">Its priority (first, as in every spawning call).</param>
    /// <param name="method">The async method.</param>
    /// <returns>Its result.</returns>
    [StackTraceHidden]
    public T BlockOn<T>(Priority priority, Func<TandemTask<T>> method) => BlockOn(Spawn(priority, method));

    /// <summary>Spawns <paramref name="method"/> at <see cref="Priority.Normal"/> and waits until it finishes.</summary>
    /// <param name="method">The async method.</param>
    [StackTraceHidden]
    public void BlockOn(Func<TandemTask> method) => BlockOn(Spawn(Priority.Normal, method));

    /// <summary>Spawns <paramref name="method"/> and waits until it finishes.</summary>
    /// <param name="priority">Its priority (first, as in every spawning call).</param>
    /// <param name="method">The async method.</param>
    [StackTraceHidden]
    public void BlockOn(Priority priority, Func<TandemTask> method) => BlockOn(Spawn(priority, method));

    /// <summary>Spawns <paramref name="future"/> at <see cref="Priority.Normal"/> and waits until it is ready.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="future">The future.</param>
    /// <returns>Its result.</returns>
    [StackTraceHidden]
    public T BlockOn<T>(IFuture<T> future) => BlockOn(Spawn(Priority.Normal, future));

    /// <summary>Spawns <paramref name="future"/> and waits until it is ready.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">Its priority (first, as in every spawning call).</param>
    /// <param name="future">The future.</param>
    /// <returns>Its result.</returns>
    [StackTraceHidden]
    public T BlockOn<T>(Priority priority, IFuture<T> future) => BlockOn(Spawn(priority, future));
}
