namespace Tandem.Model.Models;

/// <summary>
/// Models of the idle-worker protocol (<see cref="IdleWorkers"/> and the workers' <see cref="Parker"/>s, which in the
/// model build sleep until unparked): work queued from outside while workers search, park and wake is always taken —
/// a parked worker is woken when work arrives and nobody else is looking for it.
/// </summary>
/// <remarks>The workers run the sequence of <c>Worker.Loop</c> and <c>Worker.Park</c> (look for work; become a searcher
/// if few are; when nothing is found, stop searching, register as parked, look once more, sleep; on waking, learn
/// whether a notifier made it a searcher), and the producer that of <c>HostScheduler.ScheduleWoken</c> (publish, then
/// <c>NotifyOne</c>). The queue is reduced to a count taken by CAS: the queues have models of their own.</remarks>
public class ParkingModel(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Workers = 2;
    private const int Tasks = 2;

    private sealed class Pool(bool parkWithoutLookingAgain)
    {
        private readonly IdleWorkers _idle = new(Workers);
        private readonly Parker[] _parkers = [new(), new()];
        private int _queued;
        private int _taken;

        public int Queued => _queued;

        public void Produce()
        {
            Atomic.Increment(ref _queued); // publish the task
            int worker = _idle.TakeOneToWake(); // NotifyOne
            if (worker >= 0) _parkers[worker].Unpark();
        }

        private bool TryTake()
        {
            while (true)
            {
                int queued = Atomic.Read(ref _queued);
                if (queued == 0) return false;
                if (Atomic.CompareExchange(ref _queued, queued - 1, queued) == queued) return true;
            }
        }

        public void Worker(int index)
        {
            bool searching = false;
            while (Atomic.Read(ref _taken) < Tasks) // the real loop runs until shutdown
            {
                bool found = TryTake();
                if (!found && (searching || (searching = _idle.TryBeginSearch()))) found = TryTake(); // steal, then the global queue
                if (found)
                {
                    StopSearching(ref searching, notifyIfLast: true);
                    Atomic.Increment(ref _taken);
                    continue;
                }
                StopSearching(ref searching, notifyIfLast: false);
                _idle.Register(index);
                if (parkWithoutLookingAgain || Atomic.Read(ref _queued) == 0) _parkers[index].Park(-1);
                searching = _idle.LeaveParked(index);
            }
        }

        private void StopSearching(ref bool searching, bool notifyIfLast)
        {
            if (!searching) return;
            searching = false;
            if (_idle.EndSearch() && notifyIfLast)
            {
                int worker = _idle.TakeOneToWake();
                if (worker >= 0) _parkers[worker].Unpark();
            }
        }
    }

    private static Func<(Action[] Threads, Action Check)> WorkArrivingWhileWorkersPark(bool parkWithoutLookingAgain = false) => () =>
    {
        var pool = new Pool(parkWithoutLookingAgain);
        void Producer()
        {
            for (int i = 0; i < Tasks; i++) pool.Produce();
        }
        void Check()
        {
            if (pool.Queued != 0) throw new InvalidOperationException($"lost wake-up: {pool.Queued} task(s) queued while every worker sleeps");
        }
        return ([() => pool.Worker(0), () => pool.Worker(1), Producer], Check);
    };

    [Fact]
    public void QueuedWorkIsAlwaysTaken()
    {
        var report = ModelChecker.Explore(WorkArrivingWhileWorkersPark(), preemptionBound: 2);
        output.WriteLine($"{report.Schedules} schedules in {report.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(report.Schedules > 100, $"only {report.Schedules} schedules explored");
    }

    [Fact]
    public void TheCheckerFindsAWokenSearcherThatForgetsItSearches()
    {
        var failure = SeededBugs.Expect(() => SeededBugs.WokenWorkerForgetsItSearches = true, () => SeededBugs.WokenWorkerForgetsItSearches = false,
            WorkArrivingWhileWorkersPark(), preemptionBound: 2);
        output.WriteLine(failure.Message);
        Assert.Contains("lost wake-up", failure.Message);
    }

    /// <summary>The worker's own half of the handshake: without its last look after registering, a task published before
    /// the registration (whose notifier saw nobody parked) is never taken.</summary>
    [Fact]
    public void TheCheckerFindsAWorkerThatParksWithoutLookingAgain()
    {
        var failure = Assert.Throws<ModelFailure>(() => ModelChecker.Explore(WorkArrivingWhileWorkersPark(parkWithoutLookingAgain: true), preemptionBound: 2));
        output.WriteLine(failure.Message);
        Assert.Contains("lost wake-up", failure.Message);
    }
}
