using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Tandem;

/// <summary>
/// The return type of Tandem async methods: <c>async TandemTask&lt;int&gt; M() { … }</c>.
/// Like <see cref="ValueTask{TResult}"/>, it is a value that may be awaited once; unlike it,
/// suspending and resuming it inside a Tandem task allocates nothing once warmed up, and every
/// resumption runs on the task's own scheduler at the task's priority.
/// </summary>
/// <remarks>
/// A <see cref="Task{TResult}"/> converts implicitly, so a lambda returning a <c>Task</c> can be
/// spawned too; its continuation still resumes on Tandem's scheduler.
/// </remarks>
/// <typeparam name="T">The result type.</typeparam>
[AsyncMethodBuilder(typeof(TandemTaskMethodBuilder<>))]
public readonly struct TandemTask<T>
{
    // null (completed with _result), a TandemTaskSource<T>, a Task<T>, or an ExceptionDispatchInfo.
    private readonly object? _source;
    private readonly T _result;
    private readonly short _token;

    /// <summary>Creates a task already completed with <paramref name="result"/>.</summary>
    /// <param name="result">The result.</param>
    public TandemTask(T result)
    {
        _source = null;
        _result = result;
        _token = 0;
    }

    internal TandemTask(TandemTaskSource<T> source, short token)
    {
        _source = source;
        _result = default!;
        _token = token;
    }

    internal TandemTask(ExceptionDispatchInfo error)
    {
        _source = error;
        _result = default!;
        _token = 0;
    }

    private TandemTask(Task<T> task)
    {
        _source = task;
        _result = default!;
        _token = 0;
    }

    /// <summary>Wraps a <see cref="Task{TResult}"/>.</summary>
    /// <param name="task">The task to await.</param>
    /// <returns>A Tandem task completing with it.</returns>
    public static TandemTask<T> FromTask(Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new TandemTask<T>(task);
    }

    /// <summary>Wraps a <see cref="Task{TResult}"/>.</summary>
    /// <param name="task">The task to await.</param>
    public static implicit operator TandemTask<T>(Task<T> task) => FromTask(task);

    /// <summary>True when the task has finished (successfully or not).</summary>
    public bool IsCompleted => _source switch
    {
        null or ExceptionDispatchInfo => true,
        TandemTaskSource<T> box => box.IsCompleted(_token),
        _ => ((Task<T>)_source).IsCompleted,
    };

    /// <summary>Gets the awaiter.</summary>
    /// <returns>The awaiter.</returns>
    public Awaiter GetAwaiter() => new(this);

    /// <summary>Tells <paramref name="listener"/> when this task completes (a Tandem source needs no delegate).</summary>
    internal void OnCompleted(ICompletionListener listener)
    {
        switch (_source)
        {
            case TandemTaskSource<T> box: box.OnCompleted(listener, _token); break;
            case Task<T> task: OnTaskCompleted(task, listener); break;
            default: listener.OnCompleted(null); break;
        }
    }

    // Apart, so that the closure is made only on this path (a captured parameter's closure is made on method entry).
    private static void OnTaskCompleted(Task<T> task, ICompletionListener listener) =>
        task.GetAwaiter().UnsafeOnCompleted(() => listener.OnCompleted(null));

    /// <summary>Takes <paramref name="listener"/> back before completion; false when completion already took it (or no
    /// Tandem source holds it: a wrapped <see cref="Task{TResult}"/> cannot give it back).</summary>
    internal bool TryRemoveListener(ICompletionListener listener) =>
        _source is TandemTaskSource<T> box && box.TryRemoveListener(listener);

    /// <summary>Converts to a <see cref="Task{TResult}"/> (allocates; for interop with TPL code).</summary>
    /// <returns>A task completing with this one.</returns>
    public Task<T> AsTask() => _source switch
    {
        null => Task.FromResult(_result),
        Task<T> task => task,
        _ => Await(this),
    };

    private static async Task<T> Await(TandemTask<T> task) => await task;

    /// <summary>Awaits a <see cref="TandemTask{T}"/>.</summary>
    public readonly struct Awaiter : ICriticalNotifyCompletion, ITandemAwaiter
    {
        private readonly TandemTask<T> _task;

        internal Awaiter(TandemTask<T> task) => _task = task;

        /// <summary>True when the task has finished.</summary>
        public bool IsCompleted => _task.IsCompleted;

        /// <summary>Gets the result, or re-throws the exception.</summary>
        /// <returns>The result.</returns>
        [StackTraceHidden]
        public T GetResult()
        {
            switch (_task._source)
            {
                case null: return _task._result;
                case ExceptionDispatchInfo error: error.Throw(); return default!;
                case TandemTaskSource<T> box: return box.GetResult(_task._token);
                default: return ((Task<T>)_task._source).GetAwaiter().GetResult();
            }
        }

        /// <inheritdoc />
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        /// <inheritdoc />
        public void UnsafeOnCompleted(Action continuation) => Register(AwaitContinuation.Of(continuation));

        void ITandemAwaiter.OnCompleted(AsyncMethodBox box) => OnCompleted(box);

        internal void OnCompleted(AsyncMethodBox box) => Register(AwaitContinuation.Of(box));

        private void Register(AwaitContinuation continuation)
        {
            switch (_task._source)
            {
                case TandemTaskSource<T> source: source.OnCompleted(continuation, _task._token); break;
                case Task<T> task: task.GetAwaiter().UnsafeOnCompleted(continuation.AsAction()); break;
                default: continuation.Resume(); break;
            }
        }
    }
}
