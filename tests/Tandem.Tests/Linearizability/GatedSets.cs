namespace Tandem.Tests.Linearizability;

/// <summary>
/// The gate of one member of a set under test: opened, from any thread, by a <c>Release</c> operation. A spawned
/// member awaits the gate's one-shot; a poll-based member (the gate itself) is ready at its first poll after the opening.
/// Either way the member's result is <see cref="ValueOf"/> its ordinal (the order in which the set accepted it).
/// </summary>
public sealed class Gate(int ordinal) : IFuture<int>
{
    private readonly Lock _lock = new();
    private bool _open;
    private bool _mayPoll = true; // the first poll, and one after the wake that the opening sends
    private Waker _waker;

    /// <summary>What a spawned member awaits.</summary>
    public readonly OneShot<int> Shot = new();

    /// <summary>A poll that the contract of a futures-unordered set rules out, if there was one: one with no wake of the
    /// member's own waker since the last poll, or one after the member was ready.</summary>
    public string? Misuse { get; private set; }

    /// <summary>The result of the member of <paramref name="ordinal"/>.</summary>
    internal static int ValueOf(int ordinal) => 1000 + ordinal;

    /// <summary>Opens the gate (any thread): the first call sends on the one-shot and wakes the last poll's waker; a later
    /// call wakes that waker again — a late wake, which must wake nobody once the member is out of the set, even when its
    /// place holds another member.</summary>
    public void Open()
    {
        Waker waker;
        bool first;
        lock (_lock)
        {
            first = !_open;
            if (first) _mayPoll = true;
            _open = true;
            waker = _waker;
        }
        if (first) Shot.TrySend(ValueOf(ordinal));
        waker.Wake();
    }

    /// <inheritdoc />
    public Poll<int> Poll(PollContext context)
    {
        lock (_lock)
        {
            if (!_mayPoll) Misuse ??= $"member {ordinal} was polled with no wake since its last poll, or after it was ready";
            _mayPoll = false;
            if (_open) return ValueOf(ordinal);
            _waker = context.Waker;
            return Poll<int>.Pending;
        }
    }
}

/// <summary>How a member ended: its result, or aborted.</summary>
public readonly record struct Outcome(int Ordinal, bool Aborted)
{
    /// <inheritdoc />
    public override string ToString() => Aborted ? $"{Ordinal} aborted" : $"{Ordinal}";
}

/// <summary>What a set under test ended as, read once (see <see cref="GatedSet.Final"/>).</summary>
/// <param name="Capacity">The set's capacity.</param>
/// <param name="Log">What each owner's operation saw, in the order the owner ran them.</param>
/// <param name="Outcomes">Every member taken out, during the operations and at the end.</param>
/// <param name="Waiting">The count once every ready member was taken out: the members never released nor aborted.</param>
/// <param name="Errors">What the set did that no order of the operations explains, in words.</param>
public sealed record Summary(int Capacity, List<string> Log, List<Outcome> Outcomes, int Waiting, List<string> Errors)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"capacity {Capacity}, log [{string.Join("; ", Log)}] outcomes [{string.Join(", ", Outcomes.OrderBy(o => o.Ordinal))}] waiting {Waiting}"
        + (Errors.Count == 0 ? "" : $" ERRORS [{string.Join("; ", Errors)}]");
}

/// <summary>How long a take waits for a ready member: long at first, briefly once one take of the test has timed out (a
/// lost wake-up would otherwise make every later iteration wait as long, and the test would end on its time bound instead
/// of CsCheck's shrunk report).</summary>
public sealed class Patience
{
    private long _limitTicks = TimeSpan.FromSeconds(10).Ticks;

    /// <summary>The wait of the next take.</summary>
    public TimeSpan Limit => TimeSpan.FromTicks(Volatile.Read(ref _limitTicks));

    /// <summary>A take timed out: the next ones wait briefly.</summary>
    public void Lose() => Volatile.Write(ref _limitTicks, TimeSpan.FromMilliseconds(20).Ticks);
}

/// <summary>
/// The actual side of a set under test whose members each wait for their <see cref="Gate"/>. The owner's operations
/// (add, abort, take) hold the owner lock — the set belongs to one thread at a time, as its contract says, and CsCheck's
/// threads take turns owning it — while <see cref="Release"/>, legal from any thread, holds nothing.
/// </summary>
/// <remarks>
/// <para>A member is <em>ready</em> once released or aborted: it will finish without anything else happening. The
/// release flag is set before the gate opens, so a member that finished is always counted ready, and a take that finds
/// a ready member not yet taken out waits for one (bounded): it never needs to guess whether a member has finished yet.
/// With no ready member, a take only tries: it finds nothing, unless a release running meanwhile made one ready (the
/// model then has that release first).</para>
/// <para>The final state is read once, under the owner lock (CsCheck compares, and prints, one final state from several
/// threads): the ready members are taken out, the count is read, the released members' wakers fire again (late wakes,
/// which must change nothing), the rest are ended — aborted (<see cref="AbortTheRest"/>),
/// or released from another thread while the owner waits for them — and taken out too, and the set and its runtime are
/// disposed.</para>
/// </remarks>
public abstract class GatedSet(Func<Runtime> createRuntime, bool ownsRuntime, Patience patience, int capacity)
{
    /// <summary>More ordinals than CsCheck's operations (10 sequential, 5 parallel) can add.</summary>
    internal const int MaxOrdinals = 16;

    private readonly Lock _owner = new();
    private readonly Gate[] _gates = [.. Enumerable.Range(0, MaxOrdinals).Select(ordinal => new Gate(ordinal))];
    private readonly bool[] _released = new bool[MaxOrdinals];
    private readonly bool[] _aborted = new bool[MaxOrdinals];
    private readonly Dictionary<long, int> _ordinalOfTask = [];
    private readonly List<string> _log = [];
    private readonly List<Outcome> _outcomes = [];
    private readonly List<string> _errors = [];
    private Runtime? _runtime;
    private bool _timedOut; // this state has failed: no take of it waits again
    private Summary? _final;

    /// <summary>The set's capacity.</summary>
    protected int Capacity => capacity;

    /// <summary>Members accepted so far (owner).</summary>
    protected int Added { get; private set; }

    /// <summary>The runtime, made at first use (CsCheck makes states it never runs, for the models).</summary>
    protected Runtime Runtime => _runtime ??= createRuntime();

    /// <summary>The set's count (0 before it exists).</summary>
    protected abstract int Count { get; }

    /// <summary>Offers the member of <paramref name="gate"/> to the set.</summary>
    /// <param name="gate">The member's gate.</param>
    /// <param name="task">A spawned task (else the gate as a poll-based future).</param>
    /// <param name="taskId">The task's id, when it is one.</param>
    /// <returns>False when the set refused it, being full.</returns>
    protected abstract bool TryAdd(Gate gate, bool task, out long taskId);

    /// <summary>Aborts the member of <paramref name="ordinal"/>, if it is a task.</summary>
    /// <returns>False when the member cannot be aborted (a poll-based future).</returns>
    protected abstract bool TryAbort(int ordinal);

    /// <summary>Takes out a finished member without waiting, if there is one.</summary>
    protected abstract bool TryTake(out int value);

    /// <summary>Waits for a member to finish and takes it out.</summary>
    protected abstract TandemTask<int> TakeAsync(CancellationToken cancellationToken);

    /// <summary>Aborts every member still in the set, by the set's own means, if it has one; else (false) the members
    /// never released are released at the end.</summary>
    protected abstract bool AbortTheRest();

    /// <summary>Disposes the set.</summary>
    protected abstract void DisposeSet();

    /// <summary>Opens the gate of <paramref name="ordinal"/>'s member (any thread; it may not be added yet).</summary>
    public void Release(int ordinal)
    {
        Volatile.Write(ref _released[ordinal], true); // before the gate opens: see the remarks
        _gates[ordinal].Open();
    }

    /// <summary>Offers the next member to the set (owner).</summary>
    public void Add(bool task)
    {
        lock (_owner)
        {
            int ordinal = Added;
            if (!TryAdd(_gates[ordinal], task, out long taskId))
            {
                Log("refused");
                return;
            }
            Added++;
            if (task) _ordinalOfTask[taskId] = ordinal;
            Log($"added {ordinal}");
        }
    }

    /// <summary>Aborts the member of <paramref name="ordinal"/>, if it was added (owner): also one already taken out.</summary>
    public void Abort(int ordinal)
    {
        lock (_owner)
        {
            if (ordinal < Added && TryAbort(ordinal)) _aborted[ordinal] = true;
            Log($"abort {ordinal}");
        }
    }

    /// <summary>Aborts every member added, through <paramref name="abortAll"/> (owner).</summary>
    protected void AbortAll(Action abortAll)
    {
        lock (_owner)
        {
            abortAll();
            for (int ordinal = 0; ordinal < Added; ordinal++) _aborted[ordinal] = true;
            Log("abort all");
        }
    }

    /// <summary>Takes out the next member (owner): waits for one when one is ready, else only tries.</summary>
    public void Take()
    {
        lock (_owner)
        {
            int ready = ReadyNotTaken();
            if (ready > 0) Log(TakeWaiting(ready) ? "took one" : "took none in time");
            else Log(TryTakeNow() is null ? "none ready" : "took one"); // a release under way may have made one ready
        }
    }

    /// <summary>The final state: read once, under the owner lock, and remembered (see the remarks).</summary>
    public Summary Final()
    {
        lock (_owner)
        {
            if (_final is null)
            {
                try
                {
                    _final = Conclude();
                }
                catch (Exception e) // a set that throws where it should not: reported as the final state, read once too
                {
                    _errors.Add($"the end threw {e.GetType().Name}: {e.Message}");
                    _final = new Summary(Capacity, _log, _outcomes, -1, _errors);
                }
            }
            return _final;
        }
    }

    /// <summary>True when the final state is what <paramref name="model"/> allows.</summary>
    public bool Matches(GatedSetModel model)
    {
        var final = Final();
        return final.Errors.Count == 0
            && final.Log.SequenceEqual(model.Log)
            && final.Waiting == model.Waiting
            && final.Outcomes.Select(o => o.Ordinal).Order().SequenceEqual(Enumerable.Range(0, model.Added))
            && final.Outcomes.All(model.Allows);
    }

    /// <inheritdoc />
    public override string ToString() => Final().ToString();

    private Summary Conclude()
    {
        for (int ready = ReadyNotTaken(); ready > 0; ready--)
            if (!TakeWaiting(ready)) break;
        int waiting = Count;
        if (TryTakeNow() is { } extra) _errors.Add($"took {extra} at the end though no member was ready");
        // Late wakes: each released member's waker fires again, now that the member is out of the set; a member holding its
        // place now must not be polled for it (the gate reports such a poll), and nothing comes out.
        for (int ordinal = 0; ordinal < MaxOrdinals; ordinal++)
            if (Volatile.Read(ref _released[ordinal])) _gates[ordinal].Open();
        if (TryTakeNow() is { } late) _errors.Add($"took {late} after late wakes though no member was ready");
        if (AbortTheRest())
        {
            for (int left = Added - _outcomes.Count; left > 0; left--)
                if (!TakeWaiting(left)) break;
        }
        else
        {
            ReleaseTheRestWhileTaking();
        }
        if (Count != 0) _errors.Add($"the count is {Count} once every member was taken out");
        DisposeSet();
        if (ownsRuntime) _runtime?.Dispose();
        foreach (var gate in _gates)
            if (gate.Misuse is { } misuse) _errors.Add(misuse);
        return new Summary(Capacity, _log, _outcomes, waiting, _errors);
    }

    /// <summary>Releases the members never released nor aborted, one at a time, from another thread, each once the owner
    /// took out the one before: so the owner is often already waiting when a member's gate opens, and that wake (or task
    /// end) must reach it.</summary>
    private void ReleaseTheRestWhileTaking()
    {
        var rest = Enumerable.Range(0, Added).Where(ordinal => !Volatile.Read(ref _released[ordinal]) && !_aborted[ordinal]).ToList();
        using var taken = new SemaphoreSlim(0);
        var releaser = new Thread(() =>
        {
            foreach (int ordinal in rest)
            {
                Release(ordinal);
                if (!taken.Wait(patience.Limit)) return;
            }
        }) { IsBackground = true, Name = "releasing the rest" };
        releaser.Start();
        for (int left = rest.Count; left > 0; left--)
        {
            if (!TakeWaiting(left)) break;
            taken.Release();
        }
        releaser.Join();
    }

    private void Log(string what) => _log.Add($"{what}, count {Count}");

    private int ReadyNotTaken()
    {
        int ready = 0;
        for (int ordinal = 0; ordinal < Added; ordinal++)
            if (Volatile.Read(ref _released[ordinal]) || _aborted[ordinal]) ready++;
        return ready - _outcomes.Count;
    }

    private Outcome? TryTakeNow()
    {
        try
        {
            if (!TryTake(out int value)) return null;
            return Record(value, abortedTask: 0);
        }
        catch (TaskAbortedException e)
        {
            return Record(0, e.TaskId);
        }
    }

    /// <summary>Waits (bounded) for a member, <paramref name="ready"/> being ready, and takes it out, on a task of the
    /// runtime; false when the wait reached its deadline (then no later take of this state waits).</summary>
    private bool TakeWaiting(int ready)
    {
        if (_timedOut) return false;
        var wait = patience.Limit;
        using var limit = new CancellationTokenSource(wait);
        var (value, abortedTask) = Runtime.BlockOn(async TandemTask<(int, long)> () =>
        {
            try
            {
                return (await TakeAsync(limit.Token), 0L);
            }
            catch (TaskAbortedException e)
            {
                return (0, e.TaskId);
            }
            catch (OperationCanceledException)
            {
                return (0, -1L);
            }
        });
        if (abortedTask != -1) Record(value, abortedTask);
        if (!limit.IsCancellationRequested) return true;
        // The wait ended on its deadline: nothing woke it though a member was ready (the set may have found one then).
        _errors.Add($"no member came out within {wait.TotalSeconds} s though {ready} were ready"
            + (abortedTask == -1 ? "" : " (one did once the deadline woke the wait: a lost wake-up)"));
        patience.Lose();
        _timedOut = true;
        return false;
    }

    private Outcome Record(int value, long abortedTask)
    {
        var outcome = abortedTask == 0
            ? new Outcome(value - Gate.ValueOf(0), Aborted: false)
            : new Outcome(_ordinalOfTask.GetValueOrDefault(abortedTask, -1), Aborted: true);
        _outcomes.Add(outcome);
        return outcome;
    }
}

/// <summary>
/// The sequential model of a <see cref="GatedSet"/>: which members were added, released and aborted, in which order,
/// and how many were taken out. A take takes one when a member is ready (released or aborted) and not taken out yet;
/// which one is not modelled (members finish in an order that no operation decides), but each member's outcome is:
/// released only, its result; aborted before any release, aborted; released then aborted, either (the abort may come
/// before or after the member finished); neither, what the end makes of it.
/// </summary>
/// <param name="capacity">The set's capacity.</param>
/// <param name="endAborts">True when the end aborts the waiting members (else it releases them).</param>
public sealed class GatedSetModel(int capacity, bool endAborts)
{
    private enum Fate { Waiting, Released, Aborted, ReleasedThenAborted }

    private readonly bool[] _released = new bool[GatedSet.MaxOrdinals];
    private readonly List<Fate> _fates = [];
    private readonly List<bool> _abortable = [];
    private int _taken;

    /// <summary>What each owner's operation saw.</summary>
    public readonly List<string> Log = [];

    /// <summary>Members added.</summary>
    public int Added => _fates.Count;

    /// <summary>Members never released nor aborted.</summary>
    public int Waiting => _fates.Count(f => f == Fate.Waiting);

    private int Count => Added - _taken;

    /// <summary>Adds a member, unless the set is full.</summary>
    public void Add(bool abortable)
    {
        if (Count == capacity)
        {
            Log.Add($"refused, count {Count}");
            return;
        }
        _fates.Add(_released[Added] ? Fate.Released : Fate.Waiting);
        _abortable.Add(abortable);
        Log.Add($"added {Added - 1}, count {Count}");
    }

    /// <summary>Releases the member of <paramref name="ordinal"/> (added or not yet).</summary>
    public void Release(int ordinal)
    {
        _released[ordinal] = true;
        if (ordinal < Added && _fates[ordinal] == Fate.Waiting) _fates[ordinal] = Fate.Released;
    }

    /// <summary>Aborts the member of <paramref name="ordinal"/>, if it was added and can be.</summary>
    public void Abort(int ordinal)
    {
        AbortOne(ordinal);
        Log.Add($"abort {ordinal}, count {Count}");
    }

    /// <summary>Aborts every member added.</summary>
    public void AbortAll()
    {
        for (int ordinal = 0; ordinal < Added; ordinal++) AbortOne(ordinal);
        Log.Add($"abort all, count {Count}");
    }

    /// <summary>Takes out a ready member, if there is one.</summary>
    public void Take()
    {
        bool one = _fates.Count(f => f != Fate.Waiting) > _taken;
        if (one) _taken++;
        Log.Add(one ? $"took one, count {Count}" : $"none ready, count {Count}");
    }

    /// <summary>True when a member may have ended as <paramref name="outcome"/>.</summary>
    public bool Allows(Outcome outcome) => outcome.Ordinal >= 0 && outcome.Ordinal < Added && _fates[outcome.Ordinal] switch
    {
        Fate.Released => !outcome.Aborted,
        Fate.Aborted => outcome.Aborted,
        Fate.ReleasedThenAborted => true,
        _ => outcome.Aborted == endAborts,
    };

    /// <inheritdoc />
    public override string ToString() =>
        $"capacity {capacity}, log [{string.Join("; ", Log)}] fates [{string.Join(", ", _fates.Select((f, i) => $"{i} {f}"))}] waiting {Waiting}";

    private void AbortOne(int ordinal)
    {
        if (ordinal >= Added || !_abortable[ordinal]) return;
        _fates[ordinal] = _fates[ordinal] switch
        {
            Fate.Waiting => Fate.Aborted,
            Fate.Released => Fate.ReleasedThenAborted,
            var fate => fate,
        };
    }
}
