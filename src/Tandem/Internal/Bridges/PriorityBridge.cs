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
/// <para>Work accepted is never dropped: an item the runtime's shutdown keeps from running on it — still queued for the
/// embedded pump when the pump is aborted, or a host item's task aborted before its first poll — runs on the .NET thread
/// pool instead, without a context (<see cref="RunElsewhere"/>), as Tandem runs a post to a finished task's context. The
/// embedded queue's accepting and closing take one lock, so an item is either accepted before the close (and drained by
/// it) or refused.</para>
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
    private bool _closed; // under _pending's lock

    internal PriorityBridge(Runtime runtime, Priority priority)
    {
        _runtime = runtime;
        _priority = priority;
        Scheduler = new BridgeTaskScheduler(this, runtime.Mode == RuntimeMode.Host ? ((Tandem.Host.HostScheduler)runtime).WorkerCount : 1);
        Context = new BridgeSynchronizationContext(this);
        if (runtime.Mode == RuntimeMode.Embedded)
        {
            _pending = new ConcurrentQueue<object>();
            runtime.Spawn(priority, new PumpTask(this)).Detach();
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
            // A callback's exception is reported through UnobservedTaskException, as the task it ran in faulted.
            _runtime.Spawn(_priority, new HostItem(this, item)).Detach();
            return;
        }
        lock (_pending)
        {
            if (_closed || _runtime.RefusesBridgedWork) throw _runtime.RefuseBridgedWork();
            _pending.Enqueue(item);
        }
        if (_pumpListening) _pumpWaker.Wake();
    }

    /// <summary>One host-tier item as a task: run when polled; handed to the thread pool if the task ends (a shutdown's
    /// abort) without having been polled.</summary>
    private sealed class HostItem(PriorityBridge bridge, object item) : IFuture<int>, IDisposable
    {
        private bool _ran;

        public Poll<int> Poll(PollContext context)
        {
            _ran = true;
            bridge.Execute(item);
            return Poll<int>.Ready(0);
        }

        public void Dispose()
        {
            if (!_ran) bridge.RunElsewhere(item);
        }
    }

    /// <summary>Runs an item the runtime can no longer run on the .NET thread pool, without a synchronization context
    /// (a TPL task's later continuations are then refused by the closed scheduler, which faults them: nothing hangs).</summary>
    private void RunElsewhere(object item) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s =>
        {
            try
            {
                s.Bridge.Execute(s.Item, outside: true);
            }
            catch (Exception e)
            {
                s.Bridge._runtime.RaiseUnobserved(0, e);
            }
        }, (Bridge: this, Item: item), preferLocal: false);

    /// <summary>The embedded pump as a task: polled to drain the queue; disposed when it ends, which only the runtime's
    /// disposal does (an aborted task is not polled again, but its future is disposed).</summary>
    private sealed class PumpTask(PriorityBridge bridge) : IFuture<int>, IDisposable
    {
        public Poll<int> Poll(PollContext context) => bridge.Pump(context);

        public void Dispose() => bridge.ClosePump();
    }

    /// <summary>Refuses more work and hands what is still queued to the thread pool (the pump's end).</summary>
    private void ClosePump()
    {
        lock (_pending!)
        {
            _closed = true;
            while (_pending.TryDequeue(out var left)) RunElsewhere(left);
        }
    }

    /// <summary>The embedded pump's poll: runs up to a batch of items, then yields if more are queued; never finishes
    /// (the runtime's disposal aborts it: see <see cref="ClosePump"/>).</summary>
    private Poll<int> Pump(PollContext cx)
    {
        if (!_pumpListening)
        {
            _pumpWaker = cx.Waker; // the same waker for the pump's whole life: written once, before it is published
            _pumpListening = true;
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

    /// <summary>Runs one item on the calling worker, inside a Tandem task's poll; or, <paramref name="outside"/>, on a
    /// thread-pool thread after the runtime's shutdown, with no context to come back to.</summary>
    internal void Execute(object item, bool outside = false)
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
                SynchronizationContext.SetSynchronizationContext(outside ? null : Context);
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
