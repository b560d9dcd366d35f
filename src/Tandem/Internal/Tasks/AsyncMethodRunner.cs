using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Tandem.Internal.Tasks;

/// <summary>
/// Drives one C# async method as a task, for both tiers: the first poll calls the method; later polls run
/// the resumptions its awaits queued on the task, until the method's <see cref="TandemTask{T}"/> completes.
/// A value embedded in the tier's pooled task object, whose <see cref="ICompletionListener"/> it is told of.
/// </summary>
internal struct AsyncMethodRunner<TState, T>
{
    private TState _state;
    private Func<TState, TandemTask<T>>? _method;
    private TandemTask<T> _running;
    private bool _started;
    private bool _listening; // the owner was registered to hear the method's completion

    /// <summary>Set by the owner's <see cref="ICompletionListener.OnCompleted"/>: the method's task completed. Written
    /// by whichever thread completed the method (then it wakes the task), read by the poll.</summary>
    private volatile bool _methodCompleted;

    /// <summary>The method's task completed inside the task's own poll: it is seen when that poll's ready list has run.</summary>
    internal void CompletedInOwnPoll() => _methodCompleted = true;

    /// <summary>
    /// The method's task completed elsewhere (an operation started outside this task, completing on another thread):
    /// records it and wakes the task, whose next poll sees it. The object is not reused while such a completion may
    /// still come (see <see cref="TryClear"/>), so this never writes into another task.
    /// </summary>
    /// <param name="task">The task running the method.</param>
    /// <param name="generation">That task's generation (the wake is dropped if the object has moved on).</param>
    internal void CompletedElsewhere(TaskCore task, int generation)
    {
        _methodCompleted = true;
        task.Wake(generation);
    }

    internal void Set(TState state, Func<TState, TandemTask<T>> method)
    {
        _state = state;
        _method = method;
    }

    /// <summary>
    /// Clears the runner for reuse of its task object (owner thread, once the task finished). False when the method
    /// has not completed and its completion may still come (the task ended through a posted callback's exception):
    /// then the completion would write into whichever task reused the object, so the caller must not pool it.
    /// </summary>
    internal bool TryClear(ICompletionListener owner)
    {
        bool reusable = !_listening || _methodCompleted || _running.TryRemoveListener(owner);
        this = default;
        return reusable;
    }

    /// <summary>Advances the method as far as it goes in this poll of <paramref name="task"/> (owner thread).</summary>
    /// <remarks>Inlined into the tier's poll: the common poll (a started method resumes and suspends again) is a
    /// few loads and one call; starting and finishing are out of line.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal PollStep Advance(TaskCore task, ICompletionListener owner, out T result, out Exception? error)
    {
        if (_started)
        {
            task.RunReady();
            if (!_methodCompleted)
            {
                result = default!;
                error = null;
                return PollStep.Pending;
            }
            return Finish(out result, out error);
        }
        return Start(task, owner, out result, out error);
    }

    private PollStep Start(TaskCore task, ICompletionListener owner, out T result, out Exception? error)
    {
        result = default!;
        error = null;
        if (task.AbortRequested) return PollStep.Aborted;
        _started = true;
        try
        {
            _running = _method!(_state);
        }
        catch (Exception e)
        {
            error = e;
            return PollStep.Faulted;
        }
        if (!_running.IsCompleted)
        {
            _listening = true;
            _running.OnCompleted(owner);
            if (!_methodCompleted) return PollStep.Pending;
        }
        return Finish(out result, out error);
    }

    [StackTraceHidden]
    private readonly PollStep Finish(out T result, out Exception? error)
    {
        error = null;
        try
        {
            result = _running.GetAwaiter().GetResult();
            return PollStep.Completed;
        }
        catch (Exception e)
        {
            result = default!;
            error = e;
            return PollStep.Faulted;
        }
    }
}
