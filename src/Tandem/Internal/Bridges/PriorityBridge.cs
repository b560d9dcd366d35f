using System.Collections.Concurrent;
using Tandem.Internal.Tasks;

namespace Tandem.Internal.Bridges;

/// <summary>
/// Runs work handed over by code outside Tandem — TPL tasks queued to <see cref="Runtime.AsTaskScheduler"/>'s scheduler,
/// callbacks posted to <see cref="Runtime.AsSynchronizationContext"/>'s context — as Tandem work at one priority.
/// </summary>
/// <remarks>
/// <para>On the host tier each item becomes a task of its own (spawning is safe from any thread there), so TPL work runs
/// on all the workers in parallel. The embedded tier spawns only from the thread that drives it, so there one long-lived
/// pump task, made when the bridge is, drains a queue that any thread fills: a producer enqueues, then wakes the pump; the
/// pump records its waker before its first drain and returns pending only after finding the queue empty, so an item
/// enqueued after its last look comes with a wake that polls it again (a wake during a poll re-polls the task).</para>
/// <para>Each item runs with the synchronization context its kind expects: none for a TPL task (so its awaits capture
/// the task scheduler, which is this bridge's, and come back here), the bridge's own for a posted callback (so its
/// awaits are posted back here).</para>
/// </remarks>
internal sealed class PriorityBridge
{
    /// <summary>How many items the embedded pump runs in one poll before it yields to the other tasks of its priority.</summary>
    private const int PumpBatch = 64;

    private readonly Runtime _runtime;
    private readonly Priority _priority;
    private readonly ConcurrentQueue<object>? _pending; // the embedded tier's; null on the host tier
    private Waker _pumpWaker;
    private volatile bool _pumpListening;
    private volatile bool _closed;

    internal PriorityBridge(Runtime runtime, Priority priority)
    {
        _runtime = runtime;
        _priority = priority;
        Scheduler = new BridgeTaskScheduler(this, runtime.Mode == RuntimeMode.Host ? ((Tandem.Host.HostScheduler)runtime).WorkerCount : 1);
        Context = new BridgeSynchronizationContext(this);
        if (runtime.Mode == RuntimeMode.Embedded)
        {
            _pending = new ConcurrentQueue<object>();
            runtime.Schedule(priority, this, static (bridge, cx) => bridge.Pump(cx)).Detach();
        }
    }

    /// <summary>The bridge as a TPL task scheduler.</summary>
    internal BridgeTaskScheduler Scheduler { get; }

    /// <summary>The bridge as a synchronization context.</summary>
    internal BridgeSynchronizationContext Context { get; }

    /// <summary>The runtime the bridge runs work on.</summary>
    internal Runtime Runtime => _runtime;

    /// <summary>True on a thread that is running a task of this bridge's runtime.</summary>
    internal bool IsOnRuntime => TaskCore.Current is { } task && ReferenceEquals(task.Timers, _runtime);

    /// <summary>Hands <paramref name="item"/> (a <see cref="Task"/> or a <see cref="PostedCallback"/>) to the runtime. Any thread.</summary>
    /// <exception cref="ObjectDisposedException">The runtime was shut down.</exception>
    internal void Enqueue(object item)
    {
        if (_pending is null)
        {
            _runtime.Schedule(_priority, (Bridge: this, Item: item), static (s, _) =>
            {
                s.Bridge.Execute(s.Item);
                return Poll<int>.Ready(0);
            }).Detach(); // a callback's exception is reported through UnobservedTaskException, as the task it ran in faulted
            return;
        }
        if (_closed || _runtime.RefusesBridgedWork) throw _runtime.RefuseBridgedWork();
        _pending.Enqueue(item);
        if (_pumpListening) _pumpWaker.Wake();
    }

    /// <summary>The embedded pump's poll: runs up to a batch of items, then yields if more are queued; never finishes
    /// (the runtime's disposal aborts it, and it then refuses more work).</summary>
    private Poll<int> Pump(PollContext cx)
    {
        if (!_pumpListening)
        {
            _pumpWaker = cx.Waker; // the same waker for the pump's whole life: written once, before it is published
            _pumpListening = true;
        }
        if (AbortCheck.IsAbortRequested)
        {
            _closed = true;
            return Poll<int>.Pending; // the abort ends the task at this poll's end
        }
        for (int n = 0; n < PumpBatch && _pending!.TryDequeue(out var item); n++)
        {
            try
            {
                Execute(item);
            }
            catch (Exception e)
            {
                // A posted callback threw: the pump lives on for the items behind it, and the exception is reported as
                // a task's that nobody joined (a TPL task's own exception is kept in that Task and never gets here).
                _runtime.RaiseUnobserved(Async.CurrentTaskId, e);
            }
        }
        if (!_pending!.IsEmpty) cx.Waker.Wake(); // more to do: let the priority's other tasks run first
        return Poll<int>.Pending;
    }

    /// <summary>Runs one item on the calling worker, inside a Tandem task's poll.</summary>
    internal void Execute(object item)
    {
        var saved = SynchronizationContext.Current;
        try
        {
            if (item is Task task)
            {
                SynchronizationContext.SetSynchronizationContext(null);
                Scheduler.Run(task);
            }
            else
            {
                var posted = (PostedCallback)item;
                SynchronizationContext.SetSynchronizationContext(Context);
                posted.Run();
            }
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(saved);
        }
    }

    /// <summary>The queued TPL tasks, for a debugger (embedded tier; the host tier's are in its task queues).</summary>
    internal IEnumerable<Task>? QueuedTasks() => _pending?.OfType<Task>().ToArray();
}
