namespace Tandem.Host;

/// <summary>
/// Threads for blocking work, apart from the workers: started on demand up to a bound, each exits
/// after a keep-alive without work. Work beyond the bound waits in a FIFO queue.
/// </summary>
internal sealed class BlockingPool
{
    private readonly object _lock = new(); // a monitor: Wait and Pulse need one
    private readonly Queue<Action> _queue = new();
    private readonly List<Thread> _threads = [];
    private readonly int _maxThreads;
    private readonly int _keepAliveMs;
    private readonly string _namePrefix;
    private int _idle;
    private bool _stopping;

    internal BlockingPool(int maxThreads, TimeSpan keepAlive, string namePrefix)
    {
        _maxThreads = maxThreads;
        _keepAliveMs = (int)Math.Min(keepAlive.TotalMilliseconds, int.MaxValue);
        _namePrefix = namePrefix;
    }

    internal IReadOnlyList<Thread> Threads
    {
        get
        {
            lock (_lock) return [.. _threads];
        }
    }

    internal void Run(Action work)
    {
        lock (_lock)
        {
            if (_stopping) throw new ObjectDisposedException(nameof(HostScheduler), "The host scheduler has been shut down.");
            _queue.Enqueue(work);
            if (_idle > 0) Monitor.Pulse(_lock);
            // A woken thread counts as idle until it takes the lock back, so compare with the queue: only when
            // there are at least as many idle threads as queued jobs is no new thread needed.
            if (_idle >= _queue.Count) return;
            _threads.RemoveAll(t => !t.IsAlive);
            if (_threads.Count >= _maxThreads) return;
            var thread = new Thread(Loop) { IsBackground = true, Name = $"{_namePrefix} blocking" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    /// <summary>Stops taking work, lets queued work finish, and waits for the threads until <paramref name="deadline"/>.</summary>
    internal bool Stop(DateTime deadline)
    {
        Thread[] threads;
        lock (_lock)
        {
            _stopping = true;
            Monitor.PulseAll(_lock);
            threads = [.. _threads];
        }
        bool all = true;
        foreach (var t in threads)
        {
            var left = deadline - DateTime.UtcNow;
            if (!t.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero)) all = false;
        }
        return all;
    }

    private void Loop()
    {
        while (true)
        {
            Action work;
            lock (_lock)
            {
                while (_queue.Count == 0)
                {
                    if (_stopping) return;
                    _idle++;
                    bool signalled = Monitor.Wait(_lock, _keepAliveMs);
                    _idle--;
                    if (!signalled && _queue.Count == 0) return;
                }
                work = _queue.Dequeue();
            }
            work();
        }
    }
}
