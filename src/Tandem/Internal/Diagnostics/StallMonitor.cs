namespace Tandem.Internal.Diagnostics;

/// <summary>
/// A runtime's stall detector (<see cref="RuntimeOptions.StallThreshold"/>): a timer that looks at every live task
/// four times per threshold and reports, once each, a poll that has held its worker longer than the threshold and a task
/// that has been ready that long without a poll.
/// </summary>
/// <remarks>It reads what the tasks record anyway when their runtime records times (a poll's start, a task's ready
/// time), from the timer's thread, as a task snapshot does: the workers do nothing more for it. A stall is reported at most
/// a quarter of a threshold late, and once per poll (or per wait in the ready queue).</remarks>
internal sealed class StallMonitor : IDisposable
{
    private readonly Runtime _runtime;
    private readonly Timer _timer;
    private int _scanning;

    internal StallMonitor(Runtime runtime, TimeSpan threshold)
    {
        _runtime = runtime;
        Threshold = threshold;
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, threshold.Ticks / 4));
        _timer = new Timer(static s => ((StallMonitor)s!).Scan(), this, period, period);
    }

    /// <summary>How long a poll or a ready wait may last before it is reported.</summary>
    internal TimeSpan Threshold { get; }

    private void Scan()
    {
        if (Interlocked.Exchange(ref _scanning, 1) != 0) return; // the last scan is still running
        try
        {
            _runtime.ScanForStalls(this);
        }
        catch (ObjectDisposedException)
        {
            // the runtime shut down under the scan
        }
        finally
        {
            Volatile.Write(ref _scanning, 0);
        }
    }

    public void Dispose() => _timer.Dispose();
}
