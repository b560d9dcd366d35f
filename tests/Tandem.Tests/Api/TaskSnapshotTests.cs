using Tandem.Embedded;
using Tandem.Tests.Conformance;

namespace Tandem.Tests.Api;

/// <summary>The task dump (<see cref="Runtime.GetTaskSnapshot"/>): every live task, what it does and where it waits, on
/// every tier, read from inside a task and from other threads while the runtime runs.</summary>
public class TaskSnapshotTests
{
    private static async TandemTask SleepLong() => await Async.Delay(TimeSpan.FromHours(1));

    private static async TandemTask WaitForeign(Task task) => await task;

    /// <summary>Polls the snapshot (yielding between reads, a bounded number of times) until <paramref name="ready"/> holds.</summary>
    private static async TandemTask<IReadOnlyList<TaskInfo>> SnapshotWhen(Runtime rt, Func<IReadOnlyList<TaskInfo>, bool> ready)
    {
        for (int i = 0; i < 100_000; i++)
        {
            var snapshot = rt.GetTaskSnapshot();
            if (ready(snapshot)) return snapshot;
            await Async.Yield();
        }
        throw new TimeoutException("the tasks never reached the expected state: " + string.Join("; ", rt.GetTaskSnapshot()));
    }

    /// <summary>A running task, tasks waiting on a timer, on a one-shot channel and on a foreign <see cref="Task"/>: each
    /// is listed with its name, priority, activity, polls, the innermost async method it suspended in and what it awaits;
    /// times are absent unless recorded; finished tasks are not listed.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ListsEveryLiveTaskAndWhereItWaits(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var foreign = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var channel = new OneShot<int>();
        // The snapshotting task runs at Idle: under strict priorities, a Normal one yielding in a loop would never let the
        // Low and Idle tasks run.
        rt.BlockOn(Priority.Idle, async () =>
        {
            Async.NameTask("main");
            var sleeper = rt.Spawn(Priority.High, static async () =>
            {
                Async.NameTask("sleeper");
                await SleepLong();
            });
            var receiver = rt.Spawn(Priority.Low, async () => await channel.ReceiveAsync());
            var waiter = rt.Spawn(Priority.Idle, () => WaitForeign(foreign.Task));
            var done = rt.Spawn(Priority.Normal, static async () => await Async.Yield());
            await done;
            var tasks = await SnapshotWhen(rt, s => s.Count(t => t.Activity == TaskActivity.Waiting && t.Polls >= 1) == 3);

            Assert.Equal([Async.CurrentTaskId, sleeper.Id, receiver.Id, waiter.Id], tasks.Select(t => t.Id).ToArray());
            var main = tasks[0];
            Assert.Equal(("main", Priority.Idle, TaskActivity.Running), (main.Name, main.Priority, main.Activity));
            Assert.True(main.Polls >= 1);

            var sleeping = tasks[1];
            Assert.Equal(("sleeper", Priority.High, TaskActivity.Waiting), (sleeping.Name, sleeping.Priority, sleeping.Activity));
            Assert.Equal(1, sleeping.Polls);
            Assert.Equal(("TaskSnapshotTests.SleepLong", "DelayAwaitable"), (sleeping.Method, sleeping.WaitingOn));

            var receiving = tasks[2];
            Assert.Equal((null, Priority.Low), (receiving.Name, receiving.Priority));
            Assert.Equal(("TaskSnapshotTests.ListsEveryLiveTaskAndWhereItWaits (lambda)", "OneShot.ReceiveAwaitable"), (receiving.Method, receiving.WaitingOn));

            var waiting = tasks[3];
            Assert.Equal(("TaskSnapshotTests.WaitForeign", "Task"), (waiting.Method, waiting.WaitingOn));
            Assert.All(tasks, t => Assert.Null(t.Age));
            Assert.All(tasks, t => Assert.Null(t.SinceLastPoll));
            Assert.Contains("\"sleeper\" High Waiting, 1 polls in TaskSnapshotTests.SleepLong on DelayAwaitable", sleeping.ToString());

            sleeper.Abort();
            channel.Send(1);
            foreign.SetResult();
            await receiver;
            await waiter;
            try { await sleeper; } catch (TaskAbortedException) { }
            Assert.Equal([Async.CurrentTaskId], (await SnapshotWhen(rt, s => s.Count == 1)).Select(t => t.Id).ToArray());
        });
    });

    /// <summary>A task spawned and not yet polled is ready, with no polls and no method, on the tiers that run one task at
    /// a time (where nothing can poll it while the spawner runs).</summary>
    [Theory]
    [MemberData(nameof(Runtimes.SingleThreaded), MemberType = typeof(Runtimes))]
    public void AQueuedTaskIsReady(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        rt.BlockOn(async () =>
        {
            var queued = rt.Spawn(Priority.Idle, static async () => await Async.Yield());
            var entry = Assert.Single(rt.GetTaskSnapshot(), t => t.Id == queued.Id);
            Assert.Equal((TaskActivity.Ready, 0L, (string?)null, (string?)null), (entry.Activity, entry.Polls, entry.Method, entry.WaitingOn));
            await queued;
        });
    });

    /// <summary>With task times recorded, a task's age counts from its spawn and its time since the last poll from that
    /// poll's start, on the runtime's clock (a virtual one here, so the figures are exact).</summary>
    [Fact]
    public void RecordsAgeAndTimeSinceTheLastPollOnTheRuntimeClock() => Bounded.Run(() =>
    {
        var clock = new VirtualClock { AutoAdvance = false };
        using var rt = Runtime.WithMode(RuntimeMode.Embedded, new RuntimeOptions { Clock = clock, RecordTaskTimes = true });
        var channel = new OneShot<int>();
        var receiver = rt.Spawn(Priority.Normal, async () => await channel.ReceiveAsync());
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(Assert.Single(rt.GetTaskSnapshot()).SinceLastPoll); // not polled yet
        rt.BlockOn(static async () => await Async.Yield()); // polls the receiver once, at 2 s
        clock.Advance(TimeSpan.FromSeconds(3));
        var entry = Assert.Single(rt.GetTaskSnapshot());
        Assert.Equal((receiver.Id, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(3)), (entry.Id, entry.Age, entry.SinceLastPoll));
        Assert.Contains("age 5000.0 ms, last polled 3000.0 ms ago", entry.ToString());
        channel.Send(1);
        rt.BlockOn(receiver);
    });

    /// <summary>On the host tier too, on the system clock: a task's age is at least its time since its last poll.</summary>
    [Fact]
    public void RecordsTimesOnTheHostTier() => Bounded.Run(() =>
    {
        using var rt = Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { WorkerCount = 2, RecordTaskTimes = true });
        var channel = new OneShot<int>();
        var receiver = rt.Spawn(Priority.Normal, async () => await channel.ReceiveAsync());
        var entry = rt.BlockOn(async () => (await SnapshotWhen(rt, s => s.Any(t => t.Id == receiver.Id && t.Polls == 1 && t.Activity == TaskActivity.Waiting))).Single(t => t.Id == receiver.Id));
        Assert.NotNull(entry.Age);
        Assert.NotNull(entry.SinceLastPoll);
        Assert.True(entry.Age >= entry.SinceLastPoll, $"{entry.Age} < {entry.SinceLastPoll}");
        channel.Send(1);
        rt.BlockOn(receiver);
    });

    /// <summary>Snapshots taken on another thread while tasks are spawned, named, polled and finished: every entry is one
    /// task's (a task's name, made from its id, always matches the id listed with it), no id is listed twice, and
    /// nothing throws.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void IsSafeFromAnotherThreadWhileTasksComeAndGo(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode, maxTasks: 64);
        using var stop = new CancellationTokenSource();
        int snapshots = 0, entries = 0;
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested || snapshots == 0)
            {
                var tasks = rt.GetTaskSnapshot();
                Assert.Equal(tasks.Count, tasks.Select(t => t.Id).Distinct().Count());
                foreach (var t in tasks)
                {
                    if (t.Name is not null) Assert.Equal($"task {t.Id}", t.Name);
                    Assert.True(t.Polls >= 0);
                }
                entries += tasks.Count;
                snapshots++;
            }
        });
        rt.BlockOn(async () =>
        {
            using var set = rt.CreateJoinSet<int>(32);
            for (int i = 0; i < 3_000; i++)
            {
                if (!set.TrySpawn(Priority.Normal, 0, static async _ =>
                    {
                        Async.NameTask($"task {Async.CurrentTaskId}");
                        await Async.Yield();
                        await Async.Yield();
                        return 1;
                    }, out _))
                {
                    await set.JoinNextAsync();
                    i--;
                }
            }
            while (set.Count > 0) await set.JoinNextAsync();
        });
        stop.Cancel();
        Assert.True(reader.Wait(Bounded.DefaultLimit));
        Assert.True(snapshots > 0);
    });

    /// <summary>Misuse fails at once: naming outside a task, a null name, a snapshot of a disposed runtime.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void RejectsMisuse(Tier mode)
    {
        Assert.Throws<InvalidOperationException>(() => Async.NameTask("x"));
        var rt = Runtimes.Create(mode);
        rt.BlockOn(static async () =>
        {
            Assert.Throws<ArgumentNullException>(() => Async.NameTask(null!));
            await Async.Yield();
        });
        rt.Dispose();
        Assert.Throws<ObjectDisposedException>(() => rt.GetTaskSnapshot());
    }
}
