using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

/// <summary>The global inject queue, directly: order, batches, and many producers racing a consumer.</summary>
public class InjectQueueTests
{
    [Fact]
    public void TasksComeOutInTheOrderTheyWentIn()
    {
        var queue = new InjectQueue();
        for (int i = 0; i < 5; i++) queue.Push(new QueueTestTask(i));
        var batch = new RefSlot<HostTask>[8];
        for (int i = 0; i < 3; i++) batch[i].Item = new QueueTestTask(5 + i);
        queue.PushBatch(batch, 3);
        Assert.Equal(8, queue.Count);
        var buffer = new RefSlot<HostTask>[16];
        int n = queue.PopBatch(buffer, 16);
        Assert.Equal(8, n);
        for (int i = 0; i < n; i++) Assert.Equal(i, ((QueueTestTask)buffer[i].Take()).Number);
        Assert.Equal(0, queue.Count);
        Assert.Equal(0, queue.PopBatch(buffer, 16));
    }

    [Fact]
    public void APopTakesAtMostItsBatch()
    {
        var queue = new InjectQueue();
        for (int i = 0; i < 10; i++) queue.Push(new QueueTestTask(i));
        var buffer = new RefSlot<HostTask>[16];
        Assert.Equal(4, queue.PopBatch(buffer, 4));
        Assert.Equal(6, queue.Count);
        Assert.Equal(1, queue.PopBatch(buffer, 1));
        Assert.Equal(4, ((QueueTestTask)buffer[0].Take()).Number);
    }

    [Fact]
    public void ProducersRacingAConsumerLoseNoTaskAndDoubleNone() => Bounded.Run(() =>
    {
        const int Producers = 3, PerProducer = 100_000;
        var queue = new InjectQueue();
        var taken = new int[Producers * PerProducer];
        var producers = Enumerable.Range(0, Producers).Select(p => new Thread(() =>
        {
            for (int i = 0; i < PerProducer; i++) queue.Push(new QueueTestTask(p * PerProducer + i));
        }) { IsBackground = true }).ToArray();
        foreach (var t in producers) t.Start();
        var buffer = new RefSlot<HostTask>[64];
        int total = 0;
        var lastOfProducer = new int[Producers];
        Array.Fill(lastOfProducer, -1);
        while (total < taken.Length)
        {
            int n = queue.PopBatch(buffer, buffer.Length);
            for (int k = 0; k < n; k++)
            {
                int number = ((QueueTestTask)buffer[k].Take()).Number;
                taken[number]++;
                int producer = number / PerProducer;
                Assert.True(number > lastOfProducer[producer], "one producer's tasks came out of order");
                lastOfProducer[producer] = number;
            }
            total += n;
        }
        foreach (var t in producers) t.Join();
        Assert.All(taken, count => Assert.Equal(1, count));
        Assert.Equal(0, queue.Count);
    });
}
