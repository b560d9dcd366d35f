namespace Tandem.Internal.Host;

/// <summary>
/// The global queue of one priority: tasks spawned or woken from outside the workers, and the overflow
/// of full local queues. Producers never lock: a push is one exchange on the tail of an intrusive list
/// (Vyukov's multi-producer queue), so a thread spawning from outside does not fight the workers for a
/// lock on every task. Workers take tasks in batches under a consumer lock, which only workers take.
/// </summary>
/// <remarks>
/// <para>Invariants: the list runs from <c>_head</c> (consumer side) to <c>_tail</c> (producer side) through
/// <see cref="HostTask.NextInQueue"/>; a permanent stub node keeps it non-empty, so a producer only ever
/// links after a node. A push swaps itself in as the tail and then links the previous tail to itself; between
/// the two steps the list looks shorter than it is, and a consumer that reaches the unlinked point stops and
/// finds the rest on its next look (the producer finishes within a few instructions).</para>
/// <para><see cref="Count"/> is raised before a push and lowered after a pop, so it never says "empty" while
/// a task is in the list (it may say "one" for an instant before the task can be popped).</para>
/// </remarks>
internal sealed class InjectQueue
{
    private readonly Lock _consumerLock = new();
    private readonly HostTask _stub = new QueueStub();
    private HostTask _head;
    private HostTask _tail;
    private int _count;

    internal InjectQueue()
    {
        _head = _stub;
        _tail = _stub;
    }

    /// <summary>A racy snapshot of the length, for fast emptiness checks.</summary>
    internal int Count => Atomic.Read(ref _count);

    internal void Push(HostTask task)
    {
        Atomic.Increment(ref _count);
        Link(task);
    }

    /// <summary>Pushes <paramref name="count"/> tasks from <paramref name="tasks"/> in order.</summary>
    internal void PushBatch(RefSlot<HostTask>[] tasks, int count)
    {
        Atomic.Add(ref _count, count);
        for (int i = 0; i < count; i++) Link(tasks[i].Take());
    }

    /// <summary>Takes up to <paramref name="max"/> tasks, oldest first, into <paramref name="buffer"/>.</summary>
    internal int PopBatch(RefSlot<HostTask>[] buffer, int max)
    {
        if (Atomic.Read(ref _count) == 0) return 0;
        int n = 0;
        lock (_consumerLock)
        {
            while (n < max && TryPop() is { } task) buffer[n++].Item = task;
        }
        if (n > 0) Atomic.Add(ref _count, -n);
        return n;
    }

    private void Link(HostTask task)
    {
        Atomic.Write(ref task.NextInQueue, null);
#if TANDEM_MODEL
        if (Tandem.Model.SeededBugs.LinkReadsThenWritesTail)
        {
            // Seeded bug: the tail swapped by a read and a write instead of one exchange — two producers can link
            // after the same node, and one of their tasks is lost.
            var seen = Atomic.Read(ref _tail);
            Atomic.Write(ref _tail, task);
            Atomic.Write(ref seen.NextInQueue, task);
            return;
        }
#endif
        var previous = Atomic.Exchange(ref _tail, task);
        Atomic.Write(ref previous.NextInQueue, task);
    }

    /// <summary>Pops the oldest task (consumer lock held), or null when none is linked yet.</summary>
    private HostTask? TryPop()
    {
        var head = _head;
        var next = Atomic.Read(ref head.NextInQueue);
        if (head == _stub)
        {
            if (next is null) return null;
            _head = next;
            head = next;
            next = Atomic.Read(ref next.NextInQueue);
        }
        if (next is not null)
        {
            _head = next;
            head.NextInQueue = null;
            return head;
        }
        // head is the last linked node: hand it out only once it is not the tail, by putting the stub behind it.
        if (head != Atomic.Read(ref _tail)) return null; // a producer is between its exchange and its link
        Link(_stub);
        next = Atomic.Read(ref head.NextInQueue);
        if (next is null) return null;
        _head = next;
        head.NextInQueue = null;
        return head;
    }

    /// <summary>The permanent placeholder node; never queued on a worker, never run.</summary>
    private sealed class QueueStub : HostTask
    {
        protected override bool PollBody() => throw new InvalidOperationException("The inject queue's stub is never run.");

        protected override bool FailBody(Exception exception) => true;

        protected override void Recycle() { }
    }
}
