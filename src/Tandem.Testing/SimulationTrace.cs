using System.Globalization;
using System.Text;

namespace Tandem.Testing;

/// <summary>
/// What one simulated run decided, in order: each poll (which task, picked among how many ready), each clock jump,
/// each timer and wake whose order the seed chose, each jitter and injected fault, and the notes the body wrote
/// (<see cref="Simulation.Log"/>). Tasks are named <c>t1</c>, <c>t2</c>… in the order the run first saw them ready
/// (<c>t1</c> is the test body), so two runs of the same seed give the same trace in any process.
/// </summary>
public sealed class SimulationTrace : IEquatable<SimulationTrace>
{
    private readonly TraceEvent[] _events;
    private readonly string[] _notes;
    private readonly string?[] _taskNames;
    private string[]? _lines;

    internal SimulationTrace(TraceEvent[] events, string[] notes, string?[] taskNames)
    {
        _events = events;
        _notes = notes;
        _taskNames = taskNames;
        Hash = ComputeHash(events, notes);
    }

    /// <summary>How many events the trace holds.</summary>
    public int Count => _events.Length;

    /// <summary>How many polls the run made.</summary>
    public int Polls => _events.Count(static e => e.Kind == TraceKind.Poll);

    /// <summary>A 64-bit FNV-1a hash of the events, as 16 hex digits: equal for equal traces, and the same in every process.</summary>
    public string Hash { get; }

    /// <summary>The events as text, one a line.</summary>
    public IReadOnlyList<string> Lines => _lines ??= _events.Select(Format).ToArray();

    /// <summary>True when <paramref name="other"/> holds the same events.</summary>
    /// <param name="other">Another trace.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(SimulationTrace? other) =>
        other is not null && Hash == other.Hash && _events.AsSpan().SequenceEqual(other._events) && _notes.SequenceEqual(other._notes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SimulationTrace);

    /// <inheritdoc />
    public override int GetHashCode() => Hash.GetHashCode(StringComparison.Ordinal);

    /// <summary>The last <paramref name="count"/> lines (all, when fewer), numbered.</summary>
    /// <param name="count">How many lines.</param>
    /// <returns>The text.</returns>
    public string Tail(int count)
    {
        var sb = new StringBuilder();
        int first = Math.Max(0, Count - Math.Max(0, count));
        if (first > 0) sb.Append(CultureInfo.InvariantCulture, $"  … {first} earlier events\n");
        for (int i = first; i < Count; i++) sb.Append(CultureInfo.InvariantCulture, $"  {i + 1,5}  {Lines[i]}\n");
        return sb.ToString();
    }

    /// <summary>The whole trace, numbered, one event a line.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Tail(Count);

    private string Task(int ordinal)
    {
        string name = $"t{ordinal}";
        return ordinal > 0 && ordinal <= _taskNames.Length && _taskNames[ordinal - 1] is { } n ? $"{name} ({n})" : name;
    }

    private static string Time(long ticks) => TimeSpan.FromTicks(ticks).ToString("c", CultureInfo.InvariantCulture);

    private string Format(TraceEvent e) => e.Kind switch
    {
        TraceKind.Poll when e.B > 1 => $"poll {Task(e.Task)}  ({e.A + 1} of {e.B} ready at {(Priority)e.Value})",
        TraceKind.Poll => $"poll {Task(e.Task)}",
        TraceKind.Advance => $"clock -> {Time(e.Value)}",
        TraceKind.Timer => $"runtime timer {e.A + 1} of {e.B} due at {Time(e.Value)} fires",
        TraceKind.ClockTimer => $"sim.Clock timer #{e.Task} ({e.A + 1} of {e.B} due at {Time(e.Value)}) fires",
        TraceKind.Wake => $"wake of slot {e.A} delivered ({e.Task + 1} of {e.B})",
        TraceKind.Jitter => $"{Task(e.Task)}: timer of {Time(e.Value)} stretched by {Time(e.Value2)}",
        TraceKind.Abort => $"fault: abort delivered to {Task(e.Task)} at its await",
        TraceKind.DelayFault => $"fault: {Task(e.Task)}'s delay throws (aborted as it starts waiting)",
        TraceKind.Note => $"note: {_notes[e.A]}",
        TraceKind.Schedule => $"schedule: {ScheduleName(e)}{(e.Task == 1 ? ", ready picks imposed" : "")}",
        _ => $"? {e.Kind}",
    };

    internal static string ScheduleName(TraceEvent e) => (ScheduleStrategy)e.A switch
    {
        ScheduleStrategy.Pct => $"PCT, depth {e.B}, change points within the first {e.Value} polls",
        ScheduleStrategy.RandomWalk => "random walk",
        _ => "first ready, first run",
    };

    private static string ComputeHash(TraceEvent[] events, string[] notes)
    {
        ulong h = 0xcbf29ce484222325UL;
        void Mix(long v)
        {
            for (int i = 0; i < 8; i++)
            {
                h ^= (byte)(v >> (8 * i));
                h *= 0x100000001b3UL;
            }
        }
        foreach (var e in events)
        {
            Mix((long)e.Kind);
            Mix(e.Task);
            Mix(e.A);
            Mix(e.B);
            Mix(e.Value);
            Mix(e.Value2);
        }
        foreach (string note in notes)
            foreach (char c in note) Mix(c);
        return h.ToString("x16", CultureInfo.InvariantCulture);
    }
}

internal enum TraceKind : byte
{
    Schedule,
    Poll,
    Advance,
    Timer,
    ClockTimer,
    Wake,
    Jitter,
    Abort,
    DelayFault,
    Note,
}

/// <summary>One decision of a run: its kind, the task it concerns (ordinal, 0 for none) and up to three numbers.</summary>
internal readonly record struct TraceEvent(TraceKind Kind, int Task, int A, int B, long Value, long Value2 = 0);
