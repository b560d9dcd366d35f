using System.Diagnostics.Metrics;
using Tandem;

namespace Tandem.Top;

/// <summary>
/// Reads the runtime's <c>Tandem</c> meter the way any collector does (a <see cref="MeterListener"/>): the observable
/// instruments on demand, the scheduling-latency histogram as its samples arrive, kept per priority for one refresh.
/// </summary>
internal sealed class Figures : IDisposable
{
    private static readonly string[] s_priorities = ["critical", "high", "normal", "low", "idle"];

    private readonly MeterListener _listener = new();
    private readonly object _gate = new();
    private readonly List<double>[] _latency = [.. Enumerable.Range(0, 5).Select(_ => new List<double>())];
    private readonly Dictionary<string, long> _totals = [];
    private readonly long[] _alive = new long[5], _queued = new long[5];

    public Figures(Runtime runtime)
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Tandem") l.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name != "tandem.task.scheduling_latency") return;
            int p = PriorityOf(tags);
            if (p >= 0) lock (_gate) _latency[p].Add(value);
        });
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Observe(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Observe(instrument.Name, value, tags));
        _listener.Start();
    }

    /// <summary>One refresh's figures.</summary>
    public sealed record Sample(long[] Alive, long[] Queued, double[][] LatencySeconds, Dictionary<string, long> Totals);

    /// <summary>Reads the observable instruments and takes the latency samples since the last call.</summary>
    public Sample Take()
    {
        lock (_gate)
        {
            _totals.Clear();
            Array.Clear(_alive);
            Array.Clear(_queued);
        }
        _listener.RecordObservableInstruments();
        lock (_gate)
        {
            var latency = _latency.Select(l => { var a = l.ToArray(); l.Clear(); Array.Sort(a); return a; }).ToArray();
            return new Sample((long[])_alive.Clone(), (long[])_queued.Clone(), latency, new Dictionary<string, long>(_totals));
        }
    }

    private void Observe(string name, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        int p = PriorityOf(tags);
        lock (_gate)
        {
            if (name == "tandem.tasks.alive" && p >= 0) _alive[p] += value;
            else if (name == "tandem.queue.depth" && p >= 0) _queued[p] += value;
            else _totals[name] = _totals.GetValueOrDefault(name) + value;
        }
    }

    private static int PriorityOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
            if (tag.Key == "tandem.priority") return Array.IndexOf(s_priorities, tag.Value as string);
        return -1;
    }

    /// <summary>The value below which <paramref name="fraction"/> of the sorted samples lie.</summary>
    public static double Percentile(double[] sorted, double fraction) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(fraction * sorted.Length))];

    public void Dispose() => _listener.Dispose();
}
