namespace Tandem.Internal.Host;

/// <summary>
/// Parks one worker thread until it is unparked: a permit that <see cref="Unpark"/> grants and
/// <see cref="Park"/> consumes, so an unpark that comes before the park is not lost.
/// Parking uses no CPU (a monitor wait) and allocates nothing.
/// </summary>
internal sealed class Parker
{
    private readonly object _lock = new(); // a monitor: Wait and Pulse need one
    private bool _permit;

    /// <summary>Waits for the permit (at most <paramref name="timeoutMs"/>, or forever with -1), then consumes it.</summary>
    internal void Park(int timeoutMs)
    {
#if TANDEM_MODEL
        // The model build: a logical thread of the model checker sleeps until another one grants the permit.
        Tandem.Model.ModelChecker.Block(() => Volatile.Read(ref _permit));
        _permit = false;
#else
        lock (_lock)
        {
            if (!_permit)
            {
                if (timeoutMs < 0) Monitor.Wait(_lock);
                else Monitor.Wait(_lock, timeoutMs);
            }
            _permit = false;
        }
#endif
    }

    /// <summary>Grants the permit, waking the parked thread if there is one.</summary>
    internal void Unpark()
    {
#if TANDEM_MODEL
        Atomic.Racy();
        Volatile.Write(ref _permit, true);
#else
        lock (_lock)
        {
            _permit = true;
            Monitor.Pulse(_lock);
        }
#endif
    }
}
