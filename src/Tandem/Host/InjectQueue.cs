namespace Tandem.Host;

/// <summary>
/// The global queue of one priority: tasks spawned or woken from outside the workers, and the
/// overflow of full local queues. An intrusive FIFO list under a lock: pushing allocates nothing,
/// and workers take tasks in batches to keep the lock cold.
/// </summary>
internal sealed class InjectQueue
{
    private readonly Lock _lock = new();
    private HostTask? _head;
    private HostTask? _tail;
    private int _count;

    /// <summary>A racy snapshot of the length, for fast emptiness checks without the lock.</summary>
    internal int Count => Volatile.Read(ref _count);

    internal void Push(HostTask task)
    {
        task.NextInQueue = null;
        lock (_lock)
        {
            if (_tail is null) _head = task;
            else _tail.NextInQueue = task;
            _tail = task;
            _count++;
        }
    }

    /// <summary>Pushes <paramref name="count"/> tasks from <paramref name="tasks"/> in order, under one lock.</summary>
    internal void PushBatch(HostTask[] tasks, int count)
    {
        if (count == 0) return;
        for (int i = 0; i < count - 1; i++) tasks[i].NextInQueue = tasks[i + 1];
        tasks[count - 1].NextInQueue = null;
        lock (_lock)
        {
            if (_tail is null) _head = tasks[0];
            else _tail.NextInQueue = tasks[0];
            _tail = tasks[count - 1];
            _count += count;
        }
        Array.Clear(tasks, 0, count);
    }

    /// <summary>Takes up to <paramref name="max"/> tasks, oldest first, into <paramref name="buffer"/>.</summary>
    internal int PopBatch(HostTask[] buffer, int max)
    {
        if (Volatile.Read(ref _count) == 0) return 0;
        lock (_lock)
        {
            int n = 0;
            while (n < max && _head is { } task)
            {
                _head = task.NextInQueue;
                task.NextInQueue = null;
                buffer[n++] = task;
            }
            if (_head is null) _tail = null;
            _count -= n;
            return n;
        }
    }
}
