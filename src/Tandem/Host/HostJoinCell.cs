using System.Runtime.ExceptionServices;
using Tandem.Core;

namespace Tandem.Host;

/// <summary>
/// The outcome of one host-tier task and its one joiner: the object a <see cref="JoinHandle{T}"/>
/// points to. It is the only allocation of a spawn (64 bytes for a small result type): the running
/// part of the task is pooled and recycled when the task finishes, while this cell lives as long as
/// someone holds the handle.
/// </summary>
/// <remarks>
/// <para>States, in <c>_state</c>: the low bits hold the outcome (0 while unfinished, then
/// <see cref="TaskState.Completed"/>, <see cref="TaskState.Faulted"/> or <see cref="TaskState.Aborted"/>);
/// <see cref="HasJoiner"/> says a joiner (or a join set) is registered in <c>_joiner</c>;
/// <see cref="Joined"/> that the outcome was handed out; <see cref="Detached"/> that nobody will join.</para>
/// <para>Race between a joiner registering and the task finishing: the joiner writes <c>_joiner</c> and
/// then sets <see cref="HasJoiner"/> with a CAS that fails if an outcome is already there (then it runs
/// its continuation itself); the finisher writes the outcome with a CAS and fires the joiner if it finds
/// <see cref="HasJoiner"/>. Exactly one side resumes the joiner.</para>
/// </remarks>
internal sealed class HostJoinCell<T> : IJoinSource<T>
{
    private const int OutcomeMask = 7;
    private const int HasJoiner = 8;
    private const int Joined = 16;
    private const int Detached = 32;
    private const int AbortAsked = 64;

    private object? _joiner;          // a Resumable, or an IJoinListener
    private ExceptionDispatchInfo? _error;
    private HostTask? _run;
    private readonly HostScheduler _scheduler;
    private int _state;
    private int _joinerToken;          // the Resumable's wait token, or the listener's tag
    private int _runGeneration;
    private T _result = default!;

    internal HostJoinCell(HostScheduler scheduler, HostTask? run)
    {
        _scheduler = scheduler;
        _run = run;
        _runGeneration = run is null ? 0 : Volatile.Read(ref run.Generation);
    }

    /// <summary>True once <see cref="Abort"/> was called (for work that is not a polled task).</summary>
    internal bool IsAbortRequested => (Volatile.Read(ref _state) & AbortAsked) != 0;

    private int Outcome => Volatile.Read(ref _state) & OutcomeMask;

    /// <summary>Records the result (or an abort when one was requested) and resumes the joiner.</summary>
    internal void Complete(T result, long id, bool aborted)
    {
        if (aborted)
        {
            Finish(TaskState.Aborted, id);
            return;
        }
        _result = result;
        Finish(TaskState.Completed, id);
    }

    /// <summary>Records a fault (or an abort when <paramref name="aborted"/>) and resumes the joiner.</summary>
    internal void Fail(Exception exception, long id, bool aborted)
    {
        // As on the embedded tier: only a cancellation unwinding an abort counts as aborted; anything else is a fault.
        if (exception is OperationCanceledException && (aborted || exception is TaskAbortedException { TaskId: var abortedId } && abortedId == id))
        {
            Finish(TaskState.Aborted, id);
            return;
        }
        _error = ExceptionDispatchInfo.Capture(exception);
        Finish(TaskState.Faulted, id);
    }

    public TaskState GetState(int token)
    {
        if ((Volatile.Read(ref _state) & Joined) != 0)
            throw new InvalidOperationException("This task was already joined: a handle is joined once.");
        var outcome = (TaskState)Outcome;
        if (outcome != TaskState.Pending) return outcome;
        var run = _run;
        return run is not null && Volatile.Read(ref run.Generation) == _runGeneration
            && (Volatile.Read(ref run.State) & HostTask.Running) != 0 ? TaskState.Running : TaskState.Pending;
    }

    public bool IsFinished(int token) => Outcome != 0;

    public void Abort(int token)
    {
        if (Outcome != 0) return;
        Interlocked.Or(ref _state, AbortAsked);
        _run?.RequestAbort(_runGeneration);
    }

    public void OnJoin(int token, AwaitContinuation continuation)
    {
        var resumption = Resumption.Capture(continuation);
        if (!TryRegister(resumption.Target!, resumption.Token)) resumption.Fire();
    }

    public void SetListener(int token, IJoinListener listener, int tag)
    {
        if (!TryRegister(listener, tag)) listener.OnMemberFinished(tag);
    }

    public T Join(int token, long id)
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if ((state & OutcomeMask) == 0)
                throw new InvalidOperationException("The task has not finished: await its handle, or block on it, instead.");
            if ((state & Joined) != 0)
                throw new InvalidOperationException("This task was already joined: a handle is joined once.");
            if (Interlocked.CompareExchange(ref _state, state | Joined, state) != state) continue;
            switch ((TaskState)(state & OutcomeMask))
            {
                case TaskState.Faulted:
                    UnobservedGuard.Disarm(this);
                    _error!.Throw();
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
        int state = Interlocked.Or(ref _state, Detached);
        if ((state & (Detached | Joined)) == 0 && (TaskState)(state & OutcomeMask) == TaskState.Faulted) ReportUnobserved(id);
    }

    private bool TryRegister(object joiner, int token)
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if ((state & OutcomeMask) != 0) return false;
            if ((state & HasJoiner) != 0)
            {
                // A joiner whose own task was aborted has given up its wait: another may take its place. The
                // swap is a CAS on the joiner itself, which the finisher takes with an exchange, so the
                // finisher sees either the old joiner (then this CAS fails and we look again) or the new one.
                if (Volatile.Read(ref _joiner) is Resumable { } old && Volatile.Read(ref old.WaitToken) != Volatile.Read(ref _joinerToken))
                {
                    Volatile.Write(ref _joinerToken, token);
                    if (Interlocked.CompareExchange(ref _joiner, joiner, old) == old) return true;
                    continue;
                }
                throw new InvalidOperationException("This task is already being joined; a task has one joiner.");
            }
            _joiner = joiner;
            _joinerToken = token;
            if (Interlocked.CompareExchange(ref _state, state | HasJoiner, state) == state) return true;
        }
    }

    private void Finish(TaskState outcome, long id)
    {
        _run = null;
        // Armed before the outcome is published, so that a join racing with us always disarms after.
        if (outcome == TaskState.Faulted) UnobservedGuard.Arm(this, _scheduler, id, _error!.SourceException);
        int state;
        while (true)
        {
            state = Volatile.Read(ref _state);
            if (Interlocked.CompareExchange(ref _state, state | (int)outcome, state) == state) break;
        }
        bool delivered = false;
        if ((state & HasJoiner) != 0)
        {
            var joiner = Interlocked.Exchange(ref _joiner, null);
            delivered = joiner switch
            {
                IJoinListener listener => Deliver(listener, Volatile.Read(ref _joinerToken)),
                Resumable waiter => waiter.TryFire(Volatile.Read(ref _joinerToken)),
                _ => false,
            };
        }
        if (outcome == TaskState.Faulted && !delivered && (state & Detached) != 0) ReportUnobserved(id);
    }

    private static bool Deliver(IJoinListener listener, int tag)
    {
        listener.OnMemberFinished(tag);
        return true;
    }

    private void ReportUnobserved(long id)
    {
        UnobservedGuard.Disarm(this);
        _scheduler.RaiseUnobserved(id, _error!.SourceException);
    }
}
