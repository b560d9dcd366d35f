namespace Tandem;

/// <summary>
/// The ambient operations of a Tandem task: yield, sleep, and who am I. They work inside a task on
/// any Tandem scheduler without passing the scheduler around.
/// </summary>
public static class Async
{
    /// <summary>Lets every other ready task of the same priority run before this one continues.</summary>
    /// <returns>An awaitable.</returns>
    public static YieldAwaitable Yield() => default;

    /// <summary>Inside a task: resumes after <paramref name="delay"/> of its scheduler's clock.</summary>
    /// <param name="delay">How long to sleep: zero or more; zero does not suspend.</param>
    /// <returns>An awaitable. Outside a Tandem task (a <see cref="TandemTask"/> method run from ordinary code) it waits on
    /// the system timer. It is awaited, never waited for synchronously: <c>GetAwaiter().GetResult()</c> outside a task
    /// throws <see cref="InvalidOperationException"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    public static DelayAwaitable Delay(TimeSpan delay)
    {
        if (delay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "A delay is zero or more.");
        return new(delay);
    }

    /// <summary>Inside a task: resumes after <paramref name="delay"/> of its scheduler's clock, or as soon as
    /// <paramref name="cancellationToken"/> is cancelled, then throwing <see cref="OperationCanceledException"/>.</summary>
    /// <param name="delay">How long to sleep: zero or more; zero does not suspend.</param>
    /// <param name="cancellationToken">Ends the delay early. One that can be cancelled costs a registration per delay
    /// (the delay without a token allocates nothing).</param>
    /// <returns>An awaitable (see <see cref="Delay(TimeSpan)"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    public static DelayAwaitable Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "A delay is zero or more.");
        return new(delay, cancellationToken);
    }

    /// <summary>Inside a task: resumes after <paramref name="milliseconds"/> of its scheduler's clock.</summary>
    /// <param name="milliseconds">How long to sleep, in milliseconds: zero or more; zero does not suspend.</param>
    /// <returns>An awaitable (see <see cref="Delay(TimeSpan)"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="milliseconds"/> is negative.</exception>
    public static DelayAwaitable Delay(int milliseconds)
    {
        if (milliseconds < 0)
            throw new ArgumentOutOfRangeException(nameof(milliseconds), milliseconds, "A delay is zero or more milliseconds.");
        return new(TimeSpan.FromMilliseconds(milliseconds));
    }

    /// <summary>Creates a timer that ticks every <paramref name="period"/> on the running task's scheduler clock.</summary>
    /// <param name="period">The period; more than zero.</param>
    /// <returns>The timer; its first tick is one period from now.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is zero or negative.</exception>
    public static IntervalTimer Interval(TimeSpan period)
    {
        if (period <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(period), period, "An interval's period is more than zero.");
        return new IntervalTimer(TaskCore.Current?.Timers.Clock ?? TimeProvider.System, period);
    }

    /// <summary>True on a thread that is running a Tandem task right now.</summary>
    public static bool IsInTask => TaskCore.Current is not null;

    /// <summary>The id of the running task, or 0 outside a task.</summary>
    public static long CurrentTaskId => TaskCore.Current?.Id ?? 0;

    /// <summary>The priority of the running task.</summary>
    /// <exception cref="InvalidOperationException">Not inside a Tandem task.</exception>
    public static Priority CurrentPriority =>
        TaskCore.Current?.Priority ?? throw new InvalidOperationException("Not inside a Tandem task.");

    /// <summary>
    /// Moves the running task to <paramref name="priority"/>, and yields: the task goes on from the back of that
    /// priority's queue, after the ready tasks of higher priorities (and those ahead of it at its own). Everything that
    /// wakes it from then on queues it at the new priority. A server can read and parse a request at High priority and
    /// run each route's handler at the route's own.
    /// </summary>
    /// <param name="priority">The task's new priority.</param>
    /// <returns>The yield to await.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="priority"/> is not one of the five.</exception>
    /// <exception cref="InvalidOperationException">Not inside a Tandem task.</exception>
    public static YieldAwaitable ChangePriority(Priority priority)
    {
        if (!Enum.IsDefined(priority)) throw new ArgumentOutOfRangeException(nameof(priority), priority, "A priority is Critical, High, Normal, Low or Idle.");
        var task = TaskCore.Current ?? throw new InvalidOperationException("ChangePriority is for the running Tandem task: call it inside one.");
        // The task is running on this thread: no queue holds it, and whoever queues it next (its poller at this poll's
        // end, or a waker after that poll's closing fence) reads the new value.
        task.Priority = priority;
        return default;
    }

    /// <summary>
    /// Names the running task, for task snapshots (<see cref="Runtime.GetTaskSnapshot"/>): call it first thing in a
    /// task whose purpose its method's name does not tell ("orders consumer", "connection 10.0.0.7:51234"). The name
    /// lasts until the task finishes; naming it again replaces it. The first name given in a task object allocates a
    /// small object kept with it for its later tasks (on the embedded tier, once per slot).
    /// </summary>
    /// <param name="name">The name.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Not inside a Tandem task.</exception>
    public static void NameTask(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var task = TaskCore.Current ?? throw new InvalidOperationException("NameTask names the running Tandem task: call it inside one.");
        task.SetName(name);
    }

    /// <summary>
    /// A token that is cancelled when the running task is aborted, to pass to APIs that take one
    /// (<c>HttpClient</c>, <c>Stream.ReadAsync</c>, …) so that they stop too. An
    /// <see cref="OperationCanceledException"/> it causes ends the task as aborted. The first use in a task
    /// allocates its token source; outside a task it is <see cref="CancellationToken.None"/>.
    /// </summary>
    public static CancellationToken AbortToken => TaskCore.Current?.AbortToken ?? CancellationToken.None;

    /// <summary>True when the running task has been asked to abort.</summary>
    public static bool IsAbortRequested => AbortCheck.IsAbortRequestedNow;
}
