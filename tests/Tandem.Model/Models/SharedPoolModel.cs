namespace Tandem.Model.Models;

/// <summary>
/// Models of the shared pool (per-thread stacks trading batches through a locked depot; batches of 2 in the model build):
/// an object is never handed out twice — rented by two holders at once — and every rent gets an object, however threads
/// spill and refill.
/// </summary>
public class SharedPoolModel(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>A pooled object that knows whether it is out.</summary>
    public sealed class PooledThing
    {
        public int Holders;
    }

    private static (Action[] Threads, Action Check) SpillingRacingRefilling()
    {
        SharedPool<PooledThing>.ResetDepotForModel();
        int seen = 0;
        PooledThing Rent()
        {
            var thing = SharedPool<PooledThing>.Rent()
                ?? throw new InvalidOperationException("the pool handed out nothing (a batch was emptied under its refill)");
            if (Interlocked.Increment(ref thing.Holders) != 1) throw new InvalidOperationException("an object was handed out twice");
            Interlocked.Increment(ref seen);
            return thing;
        }
        void Return(PooledThing thing)
        {
            Interlocked.Decrement(ref thing.Holders);
            SharedPool<PooledThing>.Return(thing);
        }
        void Spiller()
        {
            SharedPool<PooledThing>.ResetThreadForModel();
            // Returns seven objects: its stack (4) spills a batch of 2 to the depot twice.
            var things = Enumerable.Range(0, 7).Select(_ => new PooledThing { Holders = 1 }).ToList();
            foreach (var thing in things) Return(thing);
        }
        void Renter()
        {
            SharedPool<PooledThing>.ResetThreadForModel();
            // Rents from an empty stack: refills from the depot when a batch is there, else makes new objects.
            var held = new List<PooledThing>();
            for (int i = 0; i < 3; i++) held.Add(Rent());
            foreach (var thing in held) Return(thing);
            held.Clear();
            for (int i = 0; i < 3; i++) held.Add(Rent());
        }
        return ([Spiller, Renter, Renter], static () => { });
    }

    [Fact]
    public void AnObjectIsNeverHandedOutTwice()
    {
        var report = ModelChecker.Explore(SpillingRacingRefilling, preemptionBound: 2);
        output.WriteLine($"{report.Schedules} schedules in {report.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(report.Schedules > 50, $"only {report.Schedules} schedules explored");
    }

    [Fact]
    public void TheCheckerFindsARefillThatReturnsItsBatchTooEarly()
    {
        var failure = SeededBugs.Expect(() => SeededBugs.RefillReturnsTheBatchBeforeCopying = true, () => SeededBugs.RefillReturnsTheBatchBeforeCopying = false,
            SpillingRacingRefilling, preemptionBound: 2);
        output.WriteLine(failure.Message);
        Assert.Matches("handed out (twice|nothing)", failure.Message); // a batch filled or emptied under the refill
    }
}
