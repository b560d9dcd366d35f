using System.Collections.Concurrent;
using CsCheck;
using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Linearizability;

/// <summary>
/// Linearizability of the public concurrent types (CsCheck's <c>SampleParallel</c>): operations run from several
/// threads at once on the real type, and the outcome must equal that of some sequential order of the same operations on a
/// simple model. Each check is bounded in iterations (CI) — raise <c>iter</c> locally to look harder.
/// </summary>
public class LinearizabilityTests
{
    private const int Iterations = 300;

    /// <summary>An MPSC channel with what was taken from it (any thread may <c>TryReceive</c>: it is not the async one-receiver path).</summary>
    public sealed class Channel(int capacity)
    {
        public readonly MpscChannel<int> Inner = new(capacity);
        public readonly ConcurrentBag<int> Taken = [];
        public int Refused;

        public override string ToString() => $"left [{string.Join(",", Left())}] taken [{string.Join(",", Taken.Order())}] refused {Refused}";

        private List<int>? _left;

        /// <summary>What is left in the channel, in order: taken out once (CsCheck may compare, and print, the same final
        /// state from several threads) and remembered.</summary>
        internal List<int> Left()
        {
            lock (Taken)
            {
                if (_left is null)
                {
                    _left = [];
                    while (Inner.TryReceive(out int item)) _left.Add(item);
                }
                return _left;
            }
        }
    }

    /// <summary>The sequential model of <see cref="Channel"/>: a bounded queue.</summary>
    public sealed class ChannelModel(int capacity)
    {
        public readonly Queue<int> Items = new();
        public readonly List<int> Taken = [];
        public int Refused;

        public override string ToString() => $"left [{string.Join(",", Items)}] taken [{string.Join(",", Taken.Order())}] refused {Refused}";

        internal void Send(int item)
        {
            if (Items.Count < capacity) Items.Enqueue(item);
            else Refused++;
        }
    }

    [Fact]
    public void MpscChannelIsLinearizable()
    {
        var initial = Gen.Int[1, 4].Select(capacity => (new Channel(capacity), new ChannelModel(capacity)));
        Check.SampleParallel(
            initial,
            Gen.Int[0, 99].Operation<Channel, ChannelModel>(
                i => $"TrySend({i})",
                (actual, i) => { if (!actual.Inner.TrySend(i)) Interlocked.Increment(ref actual.Refused); },
                (model, i) => model.Send(i)),
            Gen.Operation<Channel, ChannelModel>(
                "TryReceive",
                actual => { if (actual.Inner.TryReceive(out int item)) actual.Taken.Add(item); },
                model => { if (model.Items.TryDequeue(out int item)) model.Taken.Add(item); }),
            equal: (actual, model) =>
                actual.Left().SequenceEqual(model.Items)
                && actual.Taken.Order().SequenceEqual(model.Taken.Order())
                && actual.Refused == model.Refused,
            iter: Iterations);
    }

    /// <summary>A one-shot channel with how many sends succeeded.</summary>
    public sealed class Shot
    {
        public readonly OneShot<int> Inner = new();
        public int Accepted;
        private int? _received;
        private bool _taken;

        public override string ToString() => $"accepted {Accepted}, value {Received()?.ToString() ?? "none"}";

        /// <summary>The value sent, taken once (a receive consumes it) and remembered for the comparisons that follow.</summary>
        internal int? Received()
        {
            lock (Inner) // CsCheck may compare, and print, the same final state from several threads
            {
                if (!_taken && Inner.IsSent)
                {
                    _received = Inner.ReceiveAsync().GetAwaiter().GetResult();
                    _taken = true;
                }
                return _received;
            }
        }
    }

    /// <summary>The model: the first send wins.</summary>
    public sealed class ShotModel
    {
        public int? Value;
        public int Accepted;

        public override string ToString() => $"accepted {Accepted}, value {Value?.ToString() ?? "none"}";
    }

    [Fact]
    public void OneShotIsLinearizable()
    {
        Check.SampleParallel(
            Gen.Const(() => (new Shot(), new ShotModel())),
            Gen.Int[1, 99].Operation<Shot, ShotModel>(
                i => $"TrySend({i})",
                (actual, i) => { if (actual.Inner.TrySend(i)) Interlocked.Increment(ref actual.Accepted); },
                (model, i) =>
                {
                    if (model.Value is not null) return;
                    model.Value = i;
                    model.Accepted++;
                }),
            equal: (actual, model) => actual.Accepted == model.Accepted && actual.Received() == model.Value,
            iter: Iterations);
    }

    /// <summary>A user's own waker registry, with what each consuming operation saw.</summary>
    public sealed class Flags(int capacity)
    {
        public readonly WakerRegistry Inner = new(capacity);
        public readonly ConcurrentBag<(string, int, bool)> Seen = [];

        public override string ToString() => $"set {Inner.CountSignalled()}, seen {Seen.Count}";
    }

    /// <summary>The model: a set of flags.</summary>
    public sealed class FlagsModel
    {
        public readonly HashSet<int> Set = [];
        public readonly List<(string, int, bool)> Seen = [];

        public override string ToString() => $"set {Set.Count}, seen {Seen.Count}";
    }

    [Fact]
    public void WakerRegistryIsLinearizable()
    {
        const int Capacity = 8;
        Check.SampleParallel(
            Gen.Const(() => (new Flags(Capacity), new FlagsModel())),
            Gen.Int[0, Capacity - 1].Operation<Flags, FlagsModel>(
                i => $"Signal({i})",
                (actual, i) => actual.Inner.Signal(i),
                (model, i) => model.Set.Add(i)),
            Gen.Int[0, Capacity - 1].Operation<Flags, FlagsModel>(
                i => $"Clear({i})",
                (actual, i) => actual.Seen.Add(("Clear", i, actual.Inner.Clear(i))),
                (model, i) => model.Seen.Add(("Clear", i, model.Set.Remove(i)))),
            equal: (actual, model) =>
                Enumerable.Range(0, Capacity).All(i => actual.Inner.Check(i) == model.Set.Contains(i))
                && actual.Seen.Order().SequenceEqual(model.Seen.Order()),
            iter: Iterations);
    }
}
