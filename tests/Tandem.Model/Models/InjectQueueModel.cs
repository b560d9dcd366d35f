namespace Tandem.Model.Models;

/// <summary>
/// Models of the global (inject) queue: producers that never lock racing the consumer that pops under its lock. Every
/// task pushed is popped exactly once, each producer's tasks in the order it pushed them, and the queue's count never
/// says "empty" while a pushed task is still in it.
/// </summary>
/// <remarks>One consumer only: consumers hold a real lock across scheduling points, which the checker does not
/// model (a second consumer would block outside the checker's control); the consumers' lock makes them one at a time
/// anyway.</remarks>
public class InjectQueueModel(Xunit.Abstractions.ITestOutputHelper output)
{
    private static (Action[] Threads, Action Check) ProducersRacingTheConsumer()
    {
        var queue = new InjectQueue();
        var popped = new List<ModelTask>();
        int pushesReturned = 0;
        const int PerProducer = 2;
        Action Producer(int first) => () =>
        {
            for (int i = 0; i < PerProducer; i++)
            {
                queue.Push(new ModelTask(first + i));
                Atomic.Increment(ref pushesReturned);
            }
        };
        void Consumer()
        {
            var buffer = new RefSlot<HostTask>[1];
            for (int round = 0; round < 3; round++)
            {
                int returned = Atomic.Read(ref pushesReturned);
                if (queue.Count < returned - popped.Count)
                    throw new InvalidOperationException($"the count says {queue.Count} with {returned - popped.Count} pushed tasks not popped");
                if (queue.PopBatch(buffer, 1) == 1) popped.Add((ModelTask)buffer[0].Take());
            }
        }
        void Check()
        {
            var buffer = new RefSlot<HostTask>[4];
            int n;
            while ((n = queue.PopBatch(buffer, buffer.Length)) > 0)
                for (int i = 0; i < n; i++) popped.Add((ModelTask)buffer[i].Take());
            ExactlyOnce.Check(2 * PerProducer, popped);
            foreach (int first in new[] { 0, PerProducer })
            {
                var order = popped.Where(t => t.Number >= first && t.Number < first + PerProducer).Select(t => t.Number).ToList();
                if (!order.SequenceEqual(order.Order())) throw new InvalidOperationException($"a producer's tasks came out of order: {string.Join(",", order)}");
            }
        }
        return ([Producer(0), Producer(PerProducer), Consumer], Check);
    }

    [Fact]
    public void EveryTaskIsPoppedExactlyOnceInEachProducersOrder()
    {
        var report = ModelChecker.Explore(ProducersRacingTheConsumer, preemptionBound: 2);
        output.WriteLine($"{report.Schedules} schedules in {report.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(report.Schedules > 100, $"only {report.Schedules} schedules explored");
    }

    [Fact]
    public void TheCheckerFindsATailSwappedWithoutAnExchange()
    {
        var failure = SeededBugs.Expect(() => SeededBugs.LinkReadsThenWritesTail = true, () => SeededBugs.LinkReadsThenWritesTail = false,
            ProducersRacingTheConsumer, preemptionBound: 2);
        output.WriteLine(failure.Message);
        Assert.Contains("lost", failure.Message);
    }
}
