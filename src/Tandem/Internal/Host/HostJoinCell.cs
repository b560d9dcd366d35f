using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Tandem.Internal.Host;

/// <summary>
/// The outcome of one host-tier task, its one joiner, and the task's synchronization context: the object a
/// <see cref="JoinHandle{T}"/> points to. It is the only allocation of a spawn (64 bytes for a small result type):
/// the running part of the task is pooled and recycled when the task finishes, while this cell lives as long as
/// someone holds the handle — or a context captured inside the task.
/// </summary>
/// <remarks>
/// <para>States, in <c>_state</c>: the low bits hold the outcome (0 while unfinished, then
/// <see cref="TaskState.Completed"/>, <see cref="TaskState.Faulted"/> or <see cref="TaskState.Aborted"/>);
/// <see cref="HasJoiner"/> says a joiner (or a join set) is published in <c>_joiner</c> and <c>_joinerToken</c>;
/// <see cref="JoinerLocked"/> that a registration is writing that pair; <see cref="Joined"/> that the outcome was
/// handed out; <see cref="Detached"/> that nobody will join.</para>
/// <para><b>The joiner and its token are two words published as one.</b> A registration takes
/// <see cref="JoinerLocked"/> with a CAS (only while unfinished and unlocked), writes both words, and releases the lock
/// with a CAS that also sets <see cref="HasJoiner"/>. The finisher publishes the outcome with a CAS and reads the pair
/// only if that CAS found <see cref="HasJoiner"/> without <see cref="JoinerLocked"/>; if it found the lock held, it
/// leaves the joiner to the registration, which sees the outcome when it releases the lock and resumes the joiner
/// itself. So the pair is never read half-written, two racing registrations never both believe they won, and exactly
/// one side resumes the joiner.</para>
/// <para>As a synchronization context, it queues a post on the task it was made for while that task runs, and on the
/// thread pool once it has finished: never on a later task of the pooled run object.</para>
/// </remarks>
internal sealed class HostJoinCell<T> : TaskContext, IJoinSource<T>
{
    private const int OutcomeMask = 7;
    private const int HasJoiner = 8;
    private const int Joined = 16;
    private const int Detached = 32;
    private const int AbortAsked = 64;
    private const int JoinerLocked = 128;

    private object? _joiner;          // a Resumable, or an IJoinListener; written only under JoinerLocked
    private Fault? _fault;
    private HostTask? _run;           // the running task; null once it finished (and for blocking work)
    private int _state;
    private int _joinerToken;         // the Resumable's wait token, or the listener's tag
    private readonly int _runGeneration;
    private T _result = default!;

    internal HostJoinCell(HostTask? run)
    {
        _run = run;
        _runGeneration = run is null ? 0 : Volatile.Read(ref run.Generation);
    }

    /// <summary>True once <see cref="Abort"/> was called (for work that is not a polled task).</summary>
    internal bool IsAbortRequested => (Volatile.Read(ref _state) & AbortAsked) != 0;

    private int Outcome => Atomic.Read(ref _state) & OutcomeMask;

    /// <summary>Records the result (or an abort when one was requested) and resumes the joiner.</summary>
    internal void Complete(T result, long id, bool aborted, HostScheduler scheduler)
    {
        if (aborted)
        {
            Finish(TaskState.Aborted);
            return;
        }
        _result = result;
        Finish(TaskState.Completed);
    }

    /// <summary>Records a fault (or an abort when <paramref name="aborted"/>) and resumes the joiner.</summary>
    internal void Fail(Exception exception, long id, bool aborted, HostScheduler scheduler)
    {
        if (TaskOutcome.IsAbort(exception, aborted, id))
        {
            Finish(TaskState.Aborted);
            return;
        }
        _fault = new Fault(ExceptionDispatchInfo.Capture(exception), scheduler, id);
        // Armed before the outcome is published, so that a join racing with us always disarms after.
        UnobservedGuard.Arm(this, scheduler, id, exception);
        Finish(TaskState.Faulted);
    }

    public TaskState GetState(int token)
    {
        var outcome = (TaskState)Outcome; // the cell keeps it after the join, too
        if (outcome != TaskState.Pending) return outcome;
        var run = Volatile.Read(ref _run);
        return run is not null && Volatile.Read(ref run.Generation) == _runGeneration
            && run.IsRunning(_runGeneration) ? TaskState.Running : TaskState.Pending;
    }

    public bool IsFinished(int token) => Outcome != 0;

    public void Abort(int token)
    {
        if (Outcome != 0) return;
        Interlocked.Or(ref _state, AbortAsked);
        Volatile.Read(ref _run)?.RequestAbort(_runGeneration);
    }

    public void OnJoin(int token, AwaitContinuation continuation)
    {
        var resumption = ClaimableWait.Capture(continuation);
        bool registered;
        try
        {
            registered = TryRegister(resumption.Target!, resumption.Token);
        }
        catch
        {
            resumption.Abandon(); // refused: nothing may fire the wait we began
            continuation.MarkRefused();
            throw;
        }
        if (!registered) resumption.Fire();
    }

    public void SetListener(int token, IJoinListener listener, int tag)
    {
        if (!TryRegister(listener, tag)) listener.OnMemberFinished(tag);
    }

    public bool TryWaitFor(int token, ClaimableWait waiter) => TryRegister(waiter.Target!, waiter.Token);

    [StackTraceHidden]
    public T Join(int token, long id)
    {
        while (true)
        {
            int state = Atomic.Read(ref _state);
            if ((state & OutcomeMask) == 0)
                throw new InvalidOperationException("The task has not finished: await its handle, or block on it, instead.");
            if ((state & Joined) != 0)
                throw new InvalidOperationException("This task was already joined: a handle is joined once.");
            if ((state & Detached) != 0)
                throw new InvalidOperationException(Embedded.TaskBody<T>.DetachedMessage);
            TestHooks.Reach(HookPoint.JoinStateChecked);
            if (Atomic.CompareExchange(ref _state, state | Joined, state) != state) continue;
            switch ((TaskState)(state & OutcomeMask))
            {
                case TaskState.Faulted:
                    UnobservedGuard.Disarm(this);
                    _fault!.Error.Throw();
                    break;
                case TaskState.Aborted:
                    throw new TaskAbortedException(id);
            }
            var result = _result;
            _result = default!;
            return result;
        }
    }

    public void Detach(int token, long id)
    {
        int state = Atomic.Or(ref _state, Detached);
        if ((state & (Detached | Joined)) == 0 && (TaskState)(state & OutcomeMask) == TaskState.Faulted) ReportUnobserved();
    }

    /// <summary>Queues <paramref name="d"/> on the task, to run inside it at its next poll; once the task finished, on
    /// the thread pool.</summary>
    /// <remarks>A post from another thread while the task is being polled would wait for that poll to end. If the poll
    /// blocks on the very work that posted — sync over async, <c>Helper().Result</c> where <c>Helper</c> awaits a
    /// <c>Task</c> — it never ends. So such a post also arms a rescue: if the same poll still runs after
    /// <see cref="BlockedPollRescueDelay"/>, the callback is taken from the task and run on the thread pool (as it would
    /// run in a program with no synchronization context), and whatever the poll waits for can finish.</remarks>
    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        // EnqueueReady hands the callback to the thread pool if the task finishes before it is queued.
        if (Volatile.Read(ref _run) is not { } run)
        {
            PostedAction.RunOnThreadPool(d, state);
            return;
        }
        var posted = PostedAction.ForTask(run, _runGeneration, d, state);
        int pollSequence = Volatile.Read(ref run.PollSequence);
        run.EnqueueReady(posted);
        if (run.IsRunning(_runGeneration) && TaskCore.Current != run)
            run.Scheduler.ArmBlockedPollRescue(run, _runGeneration, pollSequence, posted);
    }

    /// <summary>How long a callback posted to a task from another thread waits for the task's running poll to end
    /// before it is run on the thread pool instead (see <see cref="Post"/>).</summary>
    internal static readonly TimeSpan BlockedPollRescueDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>Registers the one joiner; false when the task has already finished (the caller resumes it then).</summary>
    /// <exception cref="InvalidOperationException">Another joiner is registered and has not given up.</exception>
    private bool TryRegister(object joiner, int token)
    {
#if TANDEM_MODEL
        if (Tandem.Model.SeededBugs.JoinerPairWrittenWithoutLock) return TryRegisterWithoutLock(joiner, token);
#endif
        int state;
        var spinner = new SpinWait();
        while (true)
        {
            state = Atomic.Read(ref _state);
            if ((state & Detached) != 0 && joiner is Resumable)
                throw new InvalidOperationException(Embedded.TaskBody<T>.DetachedMessage);
            if ((state & OutcomeMask) != 0) return false;
            if ((state & JoinerLocked) == 0 && Atomic.CompareExchange(ref _state, state | JoinerLocked, state) == state) break;
            TestHooks.Reach(HookPoint.JoinerLockBusy);
            Atomic.SpinOnceNoSleep(ref spinner); // another registration is writing its pair: a few instructions
        }
        TestHooks.Reach(HookPoint.JoinerLocked);
        // A joiner whose own task was aborted has given up its wait (its token moved on): another may take its place.
        if ((state & HasJoiner) != 0 && !JoinerGaveUp())
        {
            Unlock(publish: false);
            throw new InvalidOperationException(AlreadyJoinedMessage);
        }
        _joiner = joiner;
        Atomic.Racy(); // the finisher never reads the pair while JoinerLocked is set: the model checks that
        _joinerToken = token;
        Unlock(publish: true);
        return true;
    }

    private const string AlreadyJoinedMessage = "This task is already being joined; a task has one joiner.";

    /// <summary>True when the published joiner's own task was aborted: it has given up its wait (its token moved on),
    /// and another joiner may take its place.</summary>
    private bool JoinerGaveUp() => _joiner is Resumable old && Atomic.Read(ref old.WaitToken) != _joinerToken;

#if TANDEM_MODEL
    /// <summary>Seeded bug (the review's defects 4 and 5): the pair written before the claim, with no lock bit — a
    /// finisher can pair one joiner with another's token, and of two racing joiners the loser can overwrite the
    /// winner's pair and then throw, so that the winner is never resumed.</summary>
    private bool TryRegisterWithoutLock(object joiner, int token)
    {
        while (true)
        {
            int state = Atomic.Read(ref _state);
            if ((state & OutcomeMask) != 0) return false;
            if ((state & HasJoiner) != 0 && !JoinerGaveUp()) throw new InvalidOperationException(AlreadyJoinedMessage);
            Atomic.Racy();
            _joinerToken = token;
            Atomic.Racy();
            _joiner = joiner;
            if (Atomic.CompareExchange(ref _state, state | HasJoiner, state) == state) return true;
        }
    }
#endif

    /// <summary>Releases <see cref="JoinerLocked"/> (setting <see cref="HasJoiner"/> when a pair was written); if the
    /// task finished meanwhile, the finisher left the joiner to us.</summary>
    private void Unlock(bool publish)
    {
        int state;
        while (true)
        {
            state = Atomic.Read(ref _state);
            int next = (state & ~JoinerLocked) | (publish ? HasJoiner : 0);
            if (Atomic.CompareExchange(ref _state, next, state) == state) break;
        }
        if ((state & OutcomeMask) != 0 && (publish || (state & HasJoiner) != 0)) ResumeJoiner(state);
    }

    private void Finish(TaskState outcome)
    {
        Atomic.Write(ref _run, null);
        int state;
        while (true)
        {
            state = Atomic.Read(ref _state);
            Debug.Assert((state & OutcomeMask) == 0 && (state & Joined) == 0, "a task's outcome is published once, before any join");
            if (Atomic.CompareExchange(ref _state, state | (int)outcome, state) == state) break;
        }
        if ((state & JoinerLocked) != 0) return; // the registration holding the lock resumes the joiner (Unlock)
        if ((state & HasJoiner) != 0) ResumeJoiner(state | (int)outcome);
        else if (outcome == TaskState.Faulted && (state & Detached) != 0) ReportUnobserved();
    }

    /// <summary>Resumes the published joiner once the outcome is there (exactly one caller per cell: the finisher, or
    /// the registration that held the lock as the outcome was published).</summary>
    private void ResumeJoiner(int state)
    {
        var joiner = Atomic.Exchange(ref _joiner, null);
        Atomic.Racy();
        int token = _joinerToken;
        bool delivered = joiner switch
        {
            IJoinListener listener => Deliver(listener, token),
            Resumable waiter => waiter.TryFire(token),
            _ => false,
        };
        if (!delivered && (TaskState)(state & OutcomeMask) == TaskState.Faulted && (Atomic.Read(ref _state) & Detached) != 0)
            ReportUnobserved();
    }

    private static bool Deliver(IJoinListener listener, int tag)
    {
        listener.OnMemberFinished(tag);
        return true;
    }

    private void ReportUnobserved()
    {
        UnobservedGuard.Disarm(this);
        var fault = _fault!;
        fault.Scheduler.RaiseUnobserved(fault.TaskId, fault.Error.SourceException);
    }

    /// <summary>What a faulted task threw, with what reporting it unobserved needs (made on the failure path only).</summary>
    private sealed class Fault(ExceptionDispatchInfo error, HostScheduler scheduler, long taskId)
    {
        internal ExceptionDispatchInfo Error { get; } = error;
        internal HostScheduler Scheduler { get; } = scheduler;
        internal long TaskId { get; } = taskId;
    }
}
