using System.Diagnostics;

namespace Tandem;

// Timeouts: work raced against a timer of the runtime's clock.
public abstract partial class Runtime
{
    /// <summary>
    /// Runs <paramref name="work"/> as a task and waits for it at most <paramref name="duration"/> of this
    /// scheduler's clock: past that, the task is aborted (its <c>finally</c> blocks run) and the wait
    /// throws <see cref="TimeoutException"/>.
    /// </summary>
    /// <remarks>The deadline counts once the work's first poll has ended: work that finishes in its first poll
    /// returns its result even with a zero timeout, on every tier (as Tokio polls the inner future first).</remarks>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="priority">The work's priority (first, as in every spawning call).</param>
    /// <param name="duration">The time limit; zero or more.</param>
    /// <param name="work">The work.</param>
    /// <param name="cancellationToken">Aborts the work when cancelled: the wait then throws
    /// <see cref="TaskAbortedException"/> (an <see cref="OperationCanceledException"/>).</param>
    /// <returns>The work's result; its exception is re-thrown.</returns>
    /// <exception cref="TimeoutException">The work did not finish in time.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative, or <paramref name="priority"/> is not a level (thrown at the call).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is null (thrown at the call).</exception>
    public TandemTask<T> Timeout<T>(Priority priority, TimeSpan duration, Func<TandemTask<T>> work, CancellationToken cancellationToken = default)
    {
        ValidateTimeout(duration, work, priority);
        return TimeoutCore(duration, work, priority, cancellationToken);
    }

    // Arguments are checked at the call, not when the returned task is awaited.
    private static void ValidateTimeout(TimeSpan duration, object? work, Priority priority)
    {
        if (duration < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A timeout is zero or more.");
        ArgumentNullException.ThrowIfNull(work);
        Priorities.Validate(priority, nameof(priority));
    }

    private async TandemTask<T> TimeoutCore<T>(TimeSpan duration, Func<TandemTask<T>> work, Priority priority, CancellationToken cancellationToken)
    {
        var race = new TimeoutRace();
        var handle = Spawn(priority, (work, race), static st =>
        {
            var running = st.work();
            // Past its first poll and not finished: from now on the deadline may end it.
            if (!running.IsCompleted) st.race.MarkStarted();
            return running;
        }, cancellationToken);
        handle.Source.SetListener(handle.Token, race, 0);
        var timer = race.TimerResumption();
        ((ITaskTimers)this).AddTimer(duration, timer);
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
            timer.TryCancel(); // the race is over: the timer's entry can leave the scheduler's timers (see TimerQueue)
        }
        throw new TimeoutException($"The work did not finish within {duration}.");
    }

    /// <summary>Runs <paramref name="work"/> at <see cref="Priority.Normal"/> and waits for it at most <paramref name="duration"/>.
    /// See <see cref="Timeout{T}(Priority, TimeSpan, Func{TandemTask{T}}, CancellationToken)"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="duration">The time limit; zero or more.</param>
    /// <param name="work">The work.</param>
    /// <returns>The work's result; its exception is re-thrown.</returns>
    /// <exception cref="TimeoutException">The work did not finish in time.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative (thrown at the call).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is null (thrown at the call).</exception>
    public TandemTask<T> Timeout<T>(TimeSpan duration, Func<TandemTask<T>> work) => Timeout(Priority.Normal, duration, work);

    /// <summary>Runs <paramref name="work"/> at <see cref="Priority.Normal"/> and waits for it at most <paramref name="duration"/>.
    /// See <see cref="Timeout{T}(Priority, TimeSpan, Func{TandemTask{T}}, CancellationToken)"/>.</summary>
    /// <param name="duration">The time limit.</param>
    /// <param name="work">The work.</param>
    /// <returns>A task completing when the work does.</returns>
    /// <exception cref="TimeoutException">The work did not finish in time.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative (thrown at the call).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is null (thrown at the call).</exception>
    public TandemTask Timeout(TimeSpan duration, Func<TandemTask> work) => Timeout(Priority.Normal, duration, work);

    /// <summary>Runs <paramref name="work"/> and waits for it at most <paramref name="duration"/>. See <see cref="Timeout{T}(Priority, TimeSpan, Func{TandemTask{T}}, CancellationToken)"/>.</summary>
    /// <param name="priority">The work's priority (first, as in every spawning call).</param>
    /// <param name="duration">The time limit.</param>
    /// <param name="work">The work.</param>
    /// <param name="cancellationToken">Aborts the work when cancelled (see <see cref="Timeout{T}(Priority, TimeSpan, Func{TandemTask{T}}, CancellationToken)"/>).</param>
    /// <returns>A task completing when the work does.</returns>
    /// <exception cref="TimeoutException">The work did not finish in time.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative, or <paramref name="priority"/> is not a level (thrown at the call).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is null (thrown at the call).</exception>
    public TandemTask Timeout(Priority priority, TimeSpan duration, Func<TandemTask> work, CancellationToken cancellationToken = default)
    {
        ValidateTimeout(duration, work, priority);
        return new TandemTask(TimeoutCore(duration, () => Wrap(work()), priority, cancellationToken));
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

        internal ClaimableWait TimerResumption() => ClaimableWait.ForCallback(static s => ((TimeoutRace)s!).Mark(TimedOut), this);

        private void Mark(int bit)
        {
            Interlocked.Or(ref _state, bit);
            Signal.Set();
        }
    }
}
