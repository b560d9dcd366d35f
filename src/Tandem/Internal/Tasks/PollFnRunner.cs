using System.Runtime.CompilerServices;

namespace Tandem.Internal.Tasks;

/// <summary>
/// Drives poll-based work as a task, for both tiers: a poll function with its state (the seed's
/// <c>schedule(priority, poll_fn)</c>), or an <see cref="IFuture{T}"/> passed as the state of a poll function that polls
/// it — then disposed when the task ends, if it is disposable. A value embedded in the tier's pooled task object.
/// </summary>
internal struct PollFnRunner<TState, T>
{
    private TState _state;
    private Func<TState, PollContext, Poll<T>>? _pollFn;
    private bool _disposeState;

    internal void Set(TState state, Func<TState, PollContext, Poll<T>> pollFn, bool disposeState)
    {
        _state = state;
        _pollFn = pollFn;
        _disposeState = disposeState;
    }

    /// <summary>Polls the function once (owner thread), unless the task was aborted. The state is disposed as the task
    /// completes or is aborted here; when it faults, the tier's fault path disposes it (<see cref="TryDisposeState"/>).</summary>
    /// <param name="abortRequested">Whether the task's abort was requested: then the function is not called again.</param>
    /// <param name="context">What the function is told: the task's waker, id and priority.</param>
    /// <param name="result">The result, when <see cref="PollStep.Completed"/>.</param>
    /// <param name="error">What the function threw, when <see cref="PollStep.Faulted"/>.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal PollStep Advance(bool abortRequested, PollContext context, out T result, out Exception? error)
    {
        result = default!;
        error = null;
        if (abortRequested)
        {
            DisposeState();
            return PollStep.Aborted;
        }
        try
        {
            if (!_pollFn!(_state, context).TryGetValue(out result!)) return PollStep.Pending;
        }
        catch (Exception e)
        {
            error = e; // the tier's fault path disposes the state (TryDisposeState)
            return PollStep.Faulted;
        }
        DisposeState(); // may throw: then the task faults with what Dispose threw
        return PollStep.Completed;
    }

    /// <summary>Disposes the state if the runner owns it and it is disposable; once.</summary>
    internal void DisposeState()
    {
        if (_disposeState && _state is IDisposable disposable)
        {
            _disposeState = false;
            disposable.Dispose();
        }
    }

    /// <summary>Disposes the state as the task faults, returning what <see cref="IDisposable.Dispose"/> threw, if anything, so
    /// that the fault being recorded is not lost to it.</summary>
    internal Exception? TryDisposeState()
    {
        try
        {
            DisposeState();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    /// <summary>What the task records when it faults with <paramref name="exception"/>: the exception, joined by what
    /// disposing the state threw, if that threw too.</summary>
    internal Exception DisposeOnFault(Exception exception) =>
        TryDisposeState() is { } disposeError ? new AggregateException(exception, disposeError) : exception;

    /// <summary>Clears the runner for reuse of its task object.</summary>
    internal void Clear() => this = default;
}
