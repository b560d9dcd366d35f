using CsCheck;
using Tandem;
using Tandem.Tests.Conformance;

namespace Tandem.Tests.Linearizability;

/// <summary>
/// Linearizability of <see cref="FuturesUnordered{T}"/> (CsCheck's <c>SampleParallel</c>, as in
/// <see cref="LinearizabilityTests"/>): members — poll-based futures and spawned tasks — released from several threads at
/// once while the set's consumer pushes, aborts tasks and takes the next, on each tier. The set belongs to one consuming
/// task at a time, so its own operations take turns (see <see cref="GatedSet"/>); what runs in parallel with them is what
/// its contract allows from any thread — a future's waker firing, a spawned member finishing (on the host tier's workers).
/// </summary>
public class FuturesUnorderedLinearizabilityTests
{
    private const int Iterations = 300;

    /// <summary>The embedded tier, and the host tier with two workers.</summary>
    public static TheoryData<Tier> Tiers => new() { Tier.Embedded, Tier.Host(2) };

    /// <summary>A futures-unordered set whose members wait for their gate: the gate itself as a future, or a spawned task
    /// awaiting the gate's one-shot.</summary>
    public sealed class Members(Func<Runtime> createRuntime, bool ownsRuntime, Patience patience, int capacity)
        : GatedSet(createRuntime, ownsRuntime, patience, capacity)
    {
        private readonly FuturesUnordered<int> _set = new(capacity);
        private readonly JoinHandle<int>[] _tasks = new JoinHandle<int>[MaxOrdinals];

        /// <inheritdoc />
        protected override int Count => _set.Count;

        /// <inheritdoc />
        protected override bool TryAdd(Gate gate, bool task, out long taskId)
        {
            taskId = 0;
            if (!task) return TryPush(() => _set.Push(gate));
            // A gated task offered to a full set would be refused and stay the gate's receiver, where it could take the
            // release meant for the next member of this ordinal: when full, a task that ends at once is offered instead,
            // and let go (detached) when refused.
            var handle = _set.Count == _set.Capacity
                ? Runtime.Spawn(Priority.Normal, static () => new TandemTask<int>(-1))
                : Runtime.Spawn(Priority.Normal, gate, static async gate => await gate.Shot.ReceiveAsync());
            if (!TryPush(() => _set.Push(handle)))
            {
                handle.Detach();
                return false;
            }
            _tasks[Added] = handle;
            taskId = handle.Id;
            return true;
        }

        /// <inheritdoc />
        protected override bool TryAbort(int ordinal)
        {
            if (_tasks[ordinal].Id == 0) return false; // a future: nothing aborts it
            _tasks[ordinal].Abort();
            return true;
        }

        /// <inheritdoc />
        protected override bool TryTake(out int value) => _set.TryNext(out value);

        /// <inheritdoc />
        protected override TandemTask<int> TakeAsync(CancellationToken cancellationToken) => _set.NextAsync(cancellationToken);

        /// <inheritdoc />
        protected override bool AbortTheRest() => false; // nothing aborts a future: the rest are released

        /// <inheritdoc />
        protected override void DisposeSet() => _set.Dispose();

        private static bool TryPush(Action push)
        {
            try
            {
                push();
                return true;
            }
            catch (CapacityExceededException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Pushes a future or a spawned task (refused when the set is full: it counts members pushed and not taken out),
    /// releases from any thread, aborts a task member, takes the next: each member comes out exactly once, with its own
    /// result, or aborted when an abort came before its release; a take finds a member exactly when one is ready; the
    /// count is the model's after every operation; a future is polled only first and after its own waker fired, and never
    /// after it was ready; a late wake of a member already out polls nobody (not the member now in its place); at the end
    /// the members never released are still there, and come out as another thread releases them while the consumer
    /// waits.
    /// </summary>
    [Theory]
    [MemberData(nameof(Tiers))]
    public void FuturesUnorderedIsLinearizable(Tier tier) => Bounded.Run(() =>
    {
        using var host = tier == RuntimeMode.Host ? Runtimes.Create(tier) : null;
        Func<Runtime> createRuntime = host is null ? () => Runtimes.Create(tier, maxTasks: 64) : () => host;
        var patience = new Patience();
        var push = Gen.Bool.Operation<Members, GatedSetModel>(
            task => task ? "PushTask" : "PushFuture",
            (actual, task) => actual.Add(task),
            (model, task) => model.Add(abortable: task));
        var release = Gen.Int[0, 3].Operation<Members, GatedSetModel>(
            i => $"Release({i})",
            (actual, i) => actual.Release(i),
            (model, i) => model.Release(i));
        var abort = Gen.Int[0, 3].Operation<Members, GatedSetModel>(
            i => $"Abort({i})",
            (actual, i) => actual.Abort(i),
            (model, i) => model.Abort(i));
        var next = Gen.Operation<Members, GatedSetModel>("Next", actual => actual.Take(), model => model.Take());
        Check.SampleParallel(
            Gen.Int[1, 4].Select(capacity =>
                (new Members(createRuntime, ownsRuntime: host is null, patience, capacity), new GatedSetModel(capacity, endAborts: false))),
            [push, push, release, release, abort, next, next], // the common ones twice as often
            equal: (actual, model) => actual.Matches(model),
            iter: Iterations);
    }, TimeSpan.FromMinutes(2));
    /// <summary>
    /// Host tier: once a spawned member's <see cref="JoinHandle{T}.IsFinished"/> is true,
    /// <see cref="FuturesUnordered{T}.TryNext"/> takes it out an instant later (the end reaches the handle first, the set
    /// next: documented). The consumer releases a member, spins until its handle says finished, and takes it out, 20,000
    /// times. Written as "at once" first, this found that the promise was stronger than the code.
    /// </summary>
    [Fact]
    public void AMemberSeenFinishedIsTakenOut() => Bounded.Run(() =>
    {
        using var host = Runtimes.Create(Tier.Host(2));
        using var set = new FuturesUnordered<int>(1);
        for (int trial = 0; trial < 20_000; trial++)
        {
            var gate = new OneShot<int>();
            var member = host.Spawn(Priority.Normal, gate, static async gate => await gate.ReceiveAsync());
            set.Push(member);
            gate.Send(trial);
            while (!member.IsFinished) Thread.SpinWait(1);
            // The end reaches the handle first and the set an instant later (documented): a bounded spin, not a wait.
            int result = 0;
            var spinner = new SpinWait();
            long deadline = Environment.TickCount64 + 10_000;
            while (!set.TryNext(out result))
            {
                Assert.True(Environment.TickCount64 < deadline, $"try {trial}: the member finished, and the futures-unordered set still had nothing 10 s later");
                spinner.SpinOnce();
            }
            Assert.Equal(trial, result);
        }
    });
}
