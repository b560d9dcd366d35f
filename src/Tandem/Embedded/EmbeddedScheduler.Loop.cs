using System.Diagnostics;

namespace Tandem.Embedded;

public sealed partial class EmbeddedScheduler
{
    /// <summary>Drives the scheduler until <paramref name="handle"/>'s task finishes, then joins it.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="handle">A task of this scheduler, or of another runtime.</param>
    /// <param name="cancellationToken">Gives up the wait (the task runs on, its handle stays joinable).</param>
    /// <returns>The task's result.</returns>
    /// <exception cref="TaskAbortedException">The task was aborted.</exception>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed.</exception>
    /// <exception cref="InvalidOperationException">Called from inside one of its tasks, or while another thread drives it.</exception>
    /// <remarks>When nothing is ready it parks until a wake or its next timer; with a <see cref="VirtualClock"/>
    /// whose <see cref="VirtualClock.AutoAdvance"/> is on, it jumps the clock to that timer instead. Any exception the task threw is re-thrown.</remarks>
    [StackTraceHidden]
    internal T BlockOnHandle<T>(JoinHandle<T> handle, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        bool outer = EnterLoop();
        ClaimableWait foreignWait = default;
        try
        {
            _foreignFinished = false;
            // A cancellation from another thread must unpark the loop, as a foreign task's end does (no registration
            // for a token that cannot be cancelled).
            using var registration = cancellationToken.UnsafeRegister(static s => ((EmbeddedScheduler)s!).WakeFromOutside(), this);
            if (!handle.IsFinished && !IsOwnTask(handle.Source))
            {
                // A task of another runtime: nothing of ours will signal its end, so it unparks us. A withdrawable wait
                // (not a listener), so that giving up leaves the handle joinable by someone else.
                foreignWait = ClaimableWait.ForCallback(static s => ((EmbeddedScheduler)s!).WakeFromOutside(), this);
                if (!handle.Source.TryWaitFor(handle.Token, foreignWait)) foreignWait = default;
            }
            while (!handle.IsFinished)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    foreignWait.TryCancel();
                    cancellationToken.ThrowIfCancellationRequested();
                }
                if (!PollOne()) Park();
            }
        }
        finally
        {
            ExitLoop(outer);
        }
        return handle.GetResult();
    }

    /// <summary>Something outside the loop asks it to look again (any thread): a foreign task ended, or a wait was cancelled.</summary>
    private void WakeFromOutside()
    {
        Volatile.Write(ref _foreignFinished, true);
        Interlocked.MemoryBarrier();
        _unpark.Set();
    }

    private bool IsOwnTask<T>(IJoinSource<T> source) => source is TaskBody<T> { Slot: { } slot } && slot.Scheduler == this;

    private bool EnterLoop()
    {
        if (_disposed) throw UsedAfterShutdown();
        var thread = Thread.CurrentThread; // one thread-local lookup for the owner check and the thread's ambient state
        int me = thread.ManagedThreadId;
        int owner = Interlocked.CompareExchange(ref _loopThread, me, 0);
        if (owner == 0)
        {
            if (!ReferenceEquals(thread, _driver)) TakeNewDriver(thread);
            _site = PollSite.Capture(thread, _driverPolling!);
            Debug.Assert(ReferenceEquals(_site.OsThread, _slots.Slots[0].PollThread), "every slot notes the driving thread as its polling thread");
            return true;
        }
        if (owner != me)
            throw new InvalidOperationException("An embedded scheduler is single-threaded: another thread is driving it.");
        if (_polling)
            throw new InvalidOperationException("Cannot block on, or drive, an embedded scheduler from inside one of its own tasks: await instead.");
        return false;
    }

    /// <summary>A thread other than the last one enters the loop (the calling thread, <paramref name="thread"/>): looks
    /// up its <see cref="PollingThread"/> once, and notes it in every slot as the polling thread when its fields are
    /// reachable (see <see cref="TaskCore.PollThread"/>): every poll until another thread drives runs on it.</summary>
    private void TakeNewDriver(Thread thread)
    {
        _driver = thread;
        _driverPolling = PollingThread.ForCurrentThread;
        var pollThread = ThreadAmbient.Available ? thread : null; // what the loop's PollSite keeps as its thread
        foreach (var slot in _slots.Slots) slot.PollThread = pollThread;
    }

    /// <summary>The thread that last entered the loop, and its <see cref="PollingThread"/> (a thread-local lookup saved
    /// on each entry by the same thread).</summary>
    private Thread? _driver;

    private PollingThread? _driverPolling;

    private void ExitLoop(bool outer)
    {
        if (!outer) return;
        _windows.End();
        _site.RestoreSynchronizationContext();
        _site = default;
        Volatile.Write(ref _loopThread, 0);
    }

    /// <summary>Waits, with nothing ready, for a wake from another thread or the next timer.</summary>
    private void Park(int maxWaitMilliseconds = System.Threading.Timeout.Infinite)
    {
        long next = _timers.NextDeadline;
        if (next != long.MaxValue && _virtualClock is { AutoAdvance: true } clock)
        {
            clock.AdvanceTo(next);
            return;
        }
        _unpark.Reset();
        Volatile.Write(ref _parked, 1);
        Interlocked.MemoryBarrier();
        try
        {
            if (_registry.HasSignals || HasDueTimer() || Volatile.Read(ref _foreignFinished)) return;
            int timeout = System.Threading.Timeout.Infinite;
            if (next != long.MaxValue && _virtualClock is null)
            {
                double ms = (next - _clock.GetTimestamp()) * 1000.0 / _clock.TimestampFrequency;
                timeout = (int)Math.Clamp(Math.Ceiling(ms), 0, int.MaxValue - 1);
            }
            if (maxWaitMilliseconds != System.Threading.Timeout.Infinite && (timeout == System.Threading.Timeout.Infinite || timeout > maxWaitMilliseconds))
                timeout = maxWaitMilliseconds;
            _unpark.Wait(timeout);
        }
        finally
        {
            Volatile.Write(ref _parked, 0);
        }
    }
}
