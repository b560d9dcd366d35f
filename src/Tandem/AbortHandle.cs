using System.Diagnostics;

namespace Tandem;

/// <summary>
/// A handle to a task that a set joins (<see cref="JoinSet{T}.Spawn{TState}"/>): to abort that task alone, or to read
/// its id and whether it finished. Unlike a <see cref="JoinHandle{T}"/> it is not awaitable — the set is the task's
/// joiner — so spawning into a set reads as a plain statement.
/// </summary>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public readonly struct AbortHandle
{
    private string DebuggerDisplay => _source is null ? "AbortHandle (default)" : $"AbortHandle task {Id}, {(IsFinished ? "finished" : "not finished")}";

    private readonly ITaskControl? _source;
    private readonly int _token;

    internal AbortHandle(ITaskControl source, int token, long id)
    {
        _source = source;
        _token = token;
        Id = id;
    }

    /// <summary>The task's id, unique in the process.</summary>
    public long Id { get; }

    /// <summary>True once the task has finished (also once the set joined it).</summary>
    /// <exception cref="InvalidOperationException">The handle is <c>default</c>.</exception>
    public bool IsFinished => Source.IsFinished(_token);

    /// <summary>Asks the task to abort at its next suspension point; nothing happens once it finished. The set then
    /// joins it as aborted (<see cref="TaskAbortedException"/>).</summary>
    /// <exception cref="InvalidOperationException">The handle is <c>default</c>.</exception>
    public void Abort() => Source.Abort(_token);

    private ITaskControl Source => _source ?? throw new InvalidOperationException("This AbortHandle is default: it was never returned by a spawn.");
}
