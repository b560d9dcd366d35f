using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Tandem;

/// <summary>
/// The return type of Tandem async methods that produce no value: <c>async TandemTask M() { … }</c>.
/// See <see cref="TandemTask{T}"/>: awaited once, allocation-free inside Tandem tasks, resumed on
/// the task's scheduler.
/// </summary>
[AsyncMethodBuilder(typeof(TandemTaskMethodBuilder))]
public readonly struct TandemTask
{
    private readonly TandemTask<VoidResult> _inner;
    private readonly Task? _task;

    /// <summary>This task as a valued one, for code shared with <see cref="TandemTask{T}"/>.</summary>
    internal TandemTask<VoidResult> AsValued() => _task is null ? _inner : WrapTask(_task);

    private static async TandemTask<VoidResult> WrapTask(Task task)
    {
        await task;
        return default;
    }

    internal TandemTask(TandemTask<VoidResult> inner)
    {
        _inner = inner;
        _task = null;
    }

    private TandemTask(Task task)
    {
        _inner = default;
        _task = task;
    }

    /// <summary>A task that has already completed.</summary>
    public static TandemTask CompletedTask => default;

    /// <summary>Wraps a <see cref="Task"/>.</summary>
    /// <param name="task">The task to await.</param>
    /// <returns>A Tandem task completing with it.</returns>
    public static TandemTask FromTask(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new TandemTask(task);
    }

    /// <summary>Wraps a <see cref="Task"/>. Explicit on purpose: were it implicit, a lambda returning a
    /// <see cref="Task{TResult}"/> would bind to the overloads that take a <see cref="TandemTask"/> and its result
    /// would be silently dropped.</summary>
    /// <param name="task">The task to await.</param>
    public static explicit operator TandemTask(Task task) => FromTask(task);

    /// <summary>True when the task has finished (successfully or not).</summary>
    public bool IsCompleted => _task?.IsCompleted ?? _inner.IsCompleted;

    /// <summary>Gets the awaiter.</summary>
    /// <returns>The awaiter.</returns>
    public Awaiter GetAwaiter() => new(this);

    /// <summary>Converts to a <see cref="Task"/> (allocates; for interop with TPL code).</summary>
    /// <returns>A task completing with this one.</returns>
    public Task AsTask() => _task ?? _inner.AsTask();

    /// <summary>Awaits a <see cref="TandemTask"/>.</summary>
    public readonly struct Awaiter : ICriticalNotifyCompletion, ITandemAwaiter
    {
        private readonly TandemTask _task;

        internal Awaiter(TandemTask task) => _task = task;

        /// <summary>True when the task has finished.</summary>
        public bool IsCompleted => _task.IsCompleted;

        /// <summary>Re-throws the task's exception, if any.</summary>
        [StackTraceHidden]
        public void GetResult()
        {
            if (_task._task is { } t) t.GetAwaiter().GetResult();
            else _task._inner.GetAwaiter().GetResult();
        }

        /// <inheritdoc />
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        /// <inheritdoc />
        public void UnsafeOnCompleted(Action continuation)
        {
            if (_task._task is { } t) t.GetAwaiter().UnsafeOnCompleted(continuation);
            else _task._inner.GetAwaiter().UnsafeOnCompleted(continuation);
        }

        void ITandemAwaiter.OnCompleted(AsyncMethodBox box)
        {
            if (_task._task is { } t) t.GetAwaiter().UnsafeOnCompleted(box.ResumeAction);
            else _task._inner.GetAwaiter().OnCompleted(box);
        }
    }
}
