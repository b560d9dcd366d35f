using System.Diagnostics.Tracing;

namespace Tandem.Internal.Diagnostics;

/// <summary>
/// The runtime's events for <c>dotnet-trace</c>, PerfView and in-process <see cref="EventListener"/>s: the
/// <c>Tandem</c> event source. Task events (spawn, wake, poll start and stop) are Verbose under <see cref="Keywords.Tasks"/>;
/// worker events (steal, park, unpark) Verbose under <see cref="Keywords.Workers"/>; stalls and unobserved exceptions
/// Warning under <see cref="Keywords.Diagnostics"/>.
/// </summary>
/// <remarks>Free when nobody listens: every call site first reads <see cref="EventSource.IsEnabled()"/> (one field) and
/// only then gathers its arguments. Priorities are sent as numbers (0 Critical … 4 Idle); every payload uses the
/// allocation-free <c>WriteEvent</c> overloads.</remarks>
[EventSource(Name = "Tandem")]
internal sealed class TandemEventSource : EventSource
{
    /// <summary>The one instance.</summary>
    internal static readonly TandemEventSource Log = new();

    private TandemEventSource() : base(EventSourceSettings.EtwSelfDescribingEventFormat) { }

    /// <summary>The event groups a session can ask for.</summary>
    public static class Keywords
    {
        /// <summary>Spawn, wake, poll start and stop.</summary>
        public const EventKeywords Tasks = (EventKeywords)1;

        /// <summary>Steal, park, unpark (host tier).</summary>
        public const EventKeywords Workers = (EventKeywords)2;

        /// <summary>Stalls and unobserved exceptions.</summary>
        public const EventKeywords Diagnostics = (EventKeywords)4;
    }

    /// <summary>A session started (or changed): the hot paths must look at the event source from now on.</summary>
    /// <param name="command">The session's command.</param>
    protected override void OnEventCommand(EventCommandEventArgs command)
    {
        if (command.Command != EventCommand.Disable) Watching.Begin();
    }

    /// <summary>True when a session listens to task events.</summary>
    internal bool TasksOn => IsEnabled(EventLevel.Verbose, Keywords.Tasks);

    /// <summary>A task was spawned.</summary>
    [Event(1, Level = EventLevel.Verbose, Keywords = Keywords.Tasks, Message = "task {0} spawned at priority {1}")]
    public void TaskSpawned(long taskId, long priority) => WriteEvent(1, taskId, priority);

    /// <summary>A task was queued to run: spawned, woken, or yielding.</summary>
    [Event(2, Level = EventLevel.Verbose, Keywords = Keywords.Tasks, Message = "task {0} ready at priority {1}")]
    public void TaskReady(long taskId, long priority) => WriteEvent(2, taskId, priority);

    /// <summary>A poll of a task started.</summary>
    [Event(3, Level = EventLevel.Verbose, Keywords = Keywords.Tasks, Message = "task {0} poll {2} started at priority {1}")]
    public void PollStart(long taskId, long priority, long poll) => WriteEvent(3, taskId, priority, poll);

    /// <summary>A poll of a task ended; <paramref name="finished"/> is 1 when the task finished in it.</summary>
    [Event(4, Level = EventLevel.Verbose, Keywords = Keywords.Tasks, Message = "task {0} poll ended (finished: {2})")]
    public void PollStop(long taskId, long priority, long finished) => WriteEvent(4, taskId, priority, finished);

    /// <summary>A host worker took a task from another worker's queue.</summary>
    [Event(5, Level = EventLevel.Verbose, Keywords = Keywords.Workers, Message = "worker {0} stole task {1}")]
    public void WorkerSteal(long worker, long taskId) => WriteEvent(5, worker, taskId);

    /// <summary>A host worker went to sleep for lack of work.</summary>
    [Event(6, Level = EventLevel.Verbose, Keywords = Keywords.Workers, Message = "worker {0} parked")]
    public void WorkerPark(long worker) => WriteEvent(6, worker);

    /// <summary>A host worker woke up.</summary>
    [Event(7, Level = EventLevel.Verbose, Keywords = Keywords.Workers, Message = "worker {0} unparked")]
    public void WorkerUnpark(long worker) => WriteEvent(7, worker);

    /// <summary>A stall: a poll held its worker too long (<paramref name="kind"/> "long-poll"), or a ready task waited
    /// too long for one ("starved").</summary>
    [Event(8, Level = EventLevel.Warning, Keywords = Keywords.Diagnostics, Message = "task {0} ({3}) {1} for {2} ms")]
    public void Stall(long taskId, string kind, double milliseconds, string description) => WriteEvent(8, taskId, kind, milliseconds, description);

    /// <summary>A faulted task's exception was never joined.</summary>
    [Event(9, Level = EventLevel.Warning, Keywords = Keywords.Diagnostics, Message = "task {0} faulted unobserved: {1}: {2}")]
    public void UnobservedException(long taskId, string exceptionType, string message) => WriteEvent(9, taskId, exceptionType, message);
}
