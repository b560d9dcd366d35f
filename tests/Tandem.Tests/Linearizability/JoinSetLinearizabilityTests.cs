using CsCheck;
using Tandem;
using Tandem.Tests.Conformance;

namespace Tandem.Tests.Linearizability;

/// <summary>
/// Linearizability of <see cref="JoinSet{T}"/> (CsCheck's <c>SampleParallel</c>, as in <see cref="LinearizabilityTests"/>):
/// members released from several threads at once while the set's owner spawns, aborts and joins, on each tier. A join
/// set belongs to one thread at a time, so its own operations take turns (see <see cref="GatedSet"/>); what runs in
/// parallel with them is what its contract allows from any thread — a member's gate opening, and on the host tier the
/// members themselves finishing on the workers.
/// </summary>
public class JoinSetLinearizabilityTests
{
    private const int Iterations = 300;

    /// <summary>The embedded tier, and the host tier with two workers.</summary>
    public static TheoryData<Tier> Tiers => new() { Tier.Embedded, Tier.Host(2) };

    /// <summary>A join set whose members each await their gate's one-shot, then return their result.</summary>
    public sealed class Members(Func<Runtime> createRuntime, bool ownsRuntime, Patience patience, int capacity)
        : GatedSet(createRuntime, ownsRuntime, patience, capacity)
    {
        private readonly AbortHandle[] _handles = new AbortHandle[MaxOrdinals];
        private JoinSet<int>? _set;

        private JoinSet<int> Set => _set ??= Runtime.CreateJoinSet<int>(Capacity);

        /// <inheritdoc />
        protected override int Count => _set?.Count ?? 0;

        /// <summary>Aborts every member through the set (owner).</summary>
        public void AbortAll() => AbortAll(() => Set.AbortAll());

        /// <inheritdoc />
        protected override bool TryAdd(Gate gate, bool task, out long taskId)
        {
            bool added = Set.TrySpawn(Priority.Normal, gate, static async gate => await gate.Shot.ReceiveAsync(), out var handle);
            if (added) _handles[Added] = handle;
            taskId = handle.Id;
            return added;
        }

        /// <inheritdoc />
        protected override bool TryAbort(int ordinal)
        {
            _handles[ordinal].Abort();
            return true;
        }

        /// <inheritdoc />
        protected override bool TryTake(out int value)
        {
            value = 0;
            return _set is not null && _set.TryJoinNext(out value);
        }

        /// <inheritdoc />
        protected override TandemTask<int> TakeAsync(CancellationToken cancellationToken) => Set.JoinNextAsync(cancellationToken);

        /// <inheritdoc />
        protected override bool AbortTheRest()
        {
            _set?.AbortAll();
            return true;
        }

        /// <inheritdoc />
        protected override void DisposeSet() => _set?.Dispose();
    }

    /// <summary>
    /// Spawns (refused when the set is full: it counts members spawned and not joined, finished or not), releases from
    /// any thread, aborts one member or all, joins the next: each member is joined exactly once, with its own result, or
    /// aborted when an abort came before its release; a join finds a member exactly when one is ready; the count is the
    /// model's after every operation; at the end the members never released are still there, and abort.
    /// </summary>
    [Theory]
    [MemberData(nameof(Tiers))]
    public void JoinSetIsLinearizable(Tier tier) => Bounded.Run(() =>
    {
        using var host = tier == RuntimeMode.Host ? Runtimes.Create(tier) : null;
        Func<Runtime> createRuntime = host is null ? () => Runtimes.Create(tier, maxTasks: 64) : () => host;
        var patience = new Patience();
        var spawn = Gen.Operation<Members, GatedSetModel>("Spawn", actual => actual.Add(task: true), model => model.Add(abortable: true));
        var release = Gen.Int[0, 3].Operation<Members, GatedSetModel>(
            i => $"Release({i})",
            (actual, i) => actual.Release(i),
            (model, i) => model.Release(i));
        var abort = Gen.Int[0, 3].Operation<Members, GatedSetModel>(
            i => $"Abort({i})",
            (actual, i) => actual.Abort(i),
            (model, i) => model.Abort(i));
        var abortAll = Gen.Operation<Members, GatedSetModel>("AbortAll", actual => actual.AbortAll(), model => model.AbortAll());
        var joinNext = Gen.Operation<Members, GatedSetModel>("JoinNext", actual => actual.Take(), model => model.Take());
        Check.SampleParallel(
            Gen.Int[1, 4].Select(capacity =>
                (new Members(createRuntime, ownsRuntime: host is null, patience, capacity), new GatedSetModel(capacity, endAborts: true))),
            [spawn, spawn, release, release, abort, abortAll, joinNext, joinNext], // the common ones twice as often
            equal: (actual, model) => actual.Matches(model),
            iter: Iterations);
    }, TimeSpan.FromMinutes(2));

    /// <summary>
    /// Host tier: once a member's <see cref="AbortHandle.IsFinished"/> is true, <see cref="JoinSet{T}.TryJoinNext"/> joins
    /// it an instant later (the end reaches the handle first, the set next: documented). The owner releases a member,
    /// spins until its handle says finished, and joins it, 20,000 times. Written as "at once" first, this found that the
    /// promise was stronger than the code.
    /// </summary>
    [Fact]
    public void AMemberSeenFinishedIsJoined() => Bounded.Run(() =>
    {
        using var host = Runtimes.Create(Tier.Host(2));
        using var set = host.CreateJoinSet<int>(1);
        for (int trial = 0; trial < 20_000; trial++)
        {
            var gate = new OneShot<int>();
            var member = set.Spawn(Priority.Normal, gate, static async gate => await gate.ReceiveAsync());
            gate.Send(trial);
            while (!member.IsFinished) Thread.SpinWait(1);
            // The end reaches the handle first and the set an instant later (documented): a bounded spin, not a wait.
            int result = 0;
            var spinner = new SpinWait();
            long deadline = Environment.TickCount64 + 10_000;
            while (!set.TryJoinNext(out result))
            {
                Assert.True(Environment.TickCount64 < deadline, $"try {trial}: the member finished, and the join set still had nothing 10 s later");
                spinner.SpinOnce();
            }
            Assert.Equal(trial, result);
        }
    });
}
