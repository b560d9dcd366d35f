using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

/// <summary>The worker's local run queue, directly: order, overflow, stealing, and an owner racing a thief.</summary>
public class LocalQueueTests
{
    private static QueueTestTask[] Tasks(int count) => Enumerable.Range(0, count).Select(i => new QueueTestTask(i)).ToArray();

    [Fact]
    public void TheOwnerTakesTasksFirstInFirstOut()
    {
        var queue = new LocalQueue();
        foreach (var task in Tasks(10)) Assert.True(queue.TryPush(task));
        Assert.Equal(10, queue.Count);
        for (int i = 0; i < 10; i++) Assert.Equal(i, ((QueueTestTask)queue.TryPop()!).Number);
        Assert.Null(queue.TryPop());
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void AFullQueueRefusesAPushAndHandsOverItsOlderHalf()
    {
        var queue = new LocalQueue();
        foreach (var task in Tasks(LocalQueue.Capacity)) Assert.True(queue.TryPush(task));
        Assert.False(queue.TryPush(new QueueTestTask(-1)));
        var buffer = new RefSlot<HostTask>[LocalQueue.Capacity];
        int moved = queue.TakeHalf(buffer);
        Assert.Equal(LocalQueue.Capacity / 2, moved);
        for (int i = 0; i < moved; i++) Assert.Equal(i, ((QueueTestTask)buffer[i].Take()).Number); // the oldest
        Assert.Equal(LocalQueue.Capacity / 2, ((QueueTestTask)queue.TryPop()!).Number);
        Assert.True(queue.TryPush(new QueueTestTask(-1))); // room again
    }

    [Fact]
    public void AThiefTakesHalfAndRunsTheOldest()
    {
        var victim = new LocalQueue();
        var thief = new LocalQueue();
        foreach (var task in Tasks(9)) victim.TryPush(task);
        var buffer = new RefSlot<HostTask>[LocalQueue.Capacity];
        var first = (QueueTestTask)victim.StealInto(thief, buffer)!;
        Assert.Equal(0, first.Number);
        Assert.Equal(4, thief.Count); // 5 stolen (half, rounded up): one to run, four queued
        Assert.Equal(4, victim.Count);
        Assert.Equal(1, ((QueueTestTask)thief.TryPop()!).Number);
        Assert.Equal(5, ((QueueTestTask)victim.TryPop()!).Number);
        Assert.Null(new LocalQueue().StealInto(thief, buffer));
    }

    /// <summary>A thief steals only into a queue with room (a worker steals only when its own queue is empty): a full
    /// destination is a broken precondition, and it throws rather than drop a stolen task without a word.</summary>
    [Fact]
    public void AThiefWhoseQueueIsFullThrowsRatherThanDropAStolenTask()
    {
        var victim = new LocalQueue();
        var thief = new LocalQueue();
        foreach (var task in Tasks(4)) victim.TryPush(task);
        foreach (var task in Tasks(LocalQueue.Capacity)) thief.TryPush(task);
        var buffer = new RefSlot<HostTask>[LocalQueue.Capacity];
        Assert.Throws<InvalidOperationException>(() => victim.StealInto(thief, buffer));
    }

    [Fact]
    public void AnOwnerAndAThiefTogetherTakeEveryTaskExactlyOnce() => Bounded.Run(() =>
    {
        const int Total = 200_000;
        var victim = new LocalQueue();
        var taken = new int[Total];
        bool done = false;
        var thief = new Thread(() =>
        {
            var mine = new LocalQueue();
            var buffer = new RefSlot<HostTask>[LocalQueue.Capacity];
            while (!Volatile.Read(ref done) || !victim.IsEmpty)
            {
                if (victim.StealInto(mine, buffer) is QueueTestTask first) Interlocked.Increment(ref taken[first.Number]);
                while (mine.TryPop() is QueueTestTask task) Interlocked.Increment(ref taken[task.Number]);
            }
        }) { IsBackground = true };
        thief.Start();
        var overflow = new RefSlot<HostTask>[LocalQueue.Capacity];
        var tasks = Tasks(Total);
        for (int i = 0; i < Total; i++)
        {
            while (!victim.TryPush(tasks[i]))
            {
                int moved = victim.TakeHalf(overflow); // as a worker moves its overflow to the global queue
                for (int k = 0; k < moved; k++) Interlocked.Increment(ref taken[((QueueTestTask)overflow[k].Take()).Number]);
            }
            if (i % 3 == 0 && victim.TryPop() is QueueTestTask popped) Interlocked.Increment(ref taken[popped.Number]);
        }
        while (victim.TryPop() is QueueTestTask task) Interlocked.Increment(ref taken[task.Number]);
        Volatile.Write(ref done, true);
        thief.Join();
        Assert.All(taken, count => Assert.Equal(1, count));
    });
}
