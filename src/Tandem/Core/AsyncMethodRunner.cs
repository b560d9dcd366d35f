using System.Runtime.CompilerServices;

namespace Tandem.Core;

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

    /// <summary>Set by the owner's <see cref="ICompletionListener.OnCompleted"/>: the method's task completed.</summary>
    internal bool MethodCompleted;

    /// <summary>The outcome of one <see cref="Advance"/>.</summary>
    internal enum Step
    {
        /// <summary>The method is suspended.</summary>
        Pending,

        /// <summary>The method returned; the result is out.</summary>
        Completed,

        /// <summary>The method threw; the exception is out.</summary>
        Faulted,

        /// <summary>The task was aborted before the method started: it never runs.</summary>
        AbortedBeforeStart,
    }

    internal void Set(TState state, Func<TState, TandemTask<T>> method)
    {
        _state = state;
        _method = method;
    }

    internal void Clear() => this = default;

    /// <summary>Advances the method as far as it goes in this poll of <paramref name="task"/> (owner thread).</summary>
    /// <remarks>Inlined into the tier's poll: the common poll (a started method resumes and suspends again) is a
    /// few loads and one call; starting and finishing are out of line.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Step Advance(TaskCore task, ICompletionListener owner, out T result, out Exception? error)
    {
        if (_started)
        {
            task.RunReady();
            if (!MethodCompleted)
            {
                result = default!;
                error = null;
                return Step.Pending;
            }
            return Finish(out result, out error);
        }
        return Start(task, owner, out result, out error);
    }

    private Step Start(TaskCore task, ICompletionListener owner, out T result, out Exception? error)
    {
        result = default!;
        error = null;
        if (task.AbortRequested) return Step.AbortedBeforeStart;
        _started = true;
        try
        {
            _running = _method!(_state);
        }
        catch (Exception e)
        {
            error = e;
            return Step.Faulted;
        }
        if (!_running.IsCompleted)
        {
            _running.OnCompleted(owner);
            if (!MethodCompleted) return Step.Pending;
        }
        return Finish(out result, out error);
    }

    private readonly Step Finish(out T result, out Exception? error)
    {
        error = null;
        try
        {
            result = _running.GetAwaiter().GetResult();
            return Step.Completed;
        }
        catch (Exception e)
        {
            result = default!;
            error = e;
            return Step.Faulted;
        }
    }
}
