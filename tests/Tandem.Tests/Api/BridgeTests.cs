using System.Collections.Concurrent;
using System.Threading.Tasks.Dataflow;
using Tandem.Tests.Conformance;

namespace Tandem.Tests.Api;

/// <summary>The bridges to the rest of .NET: <see cref="Runtime.AsTaskScheduler"/> and
/// <see cref="Runtime.AsSynchronizationContext"/> run TPL-based code (Dataflow, <c>Parallel.ForEachAsync</c>, posted
/// callbacks) on Tandem's workers at a chosen priority, on every tier.</summary>
public class BridgeTests
{
    /// <summary>Where a piece of work ran: inside a Tandem task of which runtime, at which priority.</summary>
    private readonly record struct Seen(bool InTask, Runtime? Runtime, Priority? Priority)
    {
        internal static Seen Now() => new(Async.IsInTask, Runtime.Current, Async.IsInTask ? Async.CurrentPriority : null);
    }

    /// <summary>Calls <paramref name="get"/> on the thread driving <paramref name="rt"/> (the embedded tier's bridges are
    /// made there).</summary>
    private static T OnLoop<T>(Runtime rt, Func<T> get) => rt.BlockOn(async () =>
    {
        await Async.Yield();
        return get();
    });

    /// <summary>Drives <paramref name="rt"/> until <paramref name="done"/> completes (the embedded tier runs only while
    /// driven), then returns its result.
    /// It polls at Idle, so that under strict priorities its yields never keep the bridged work from running.</summary>
    private static T Drive<T>(Runtime rt, Task<T> done) =>
        rt.BlockOn(Priority.Idle, async () =>
        {
            while (!done.IsCompleted) await Async.Yield();
            return await done;
        });

    /// <summary>A Dataflow <c>ActionBlock</c> given the runtime's scheduler runs every message on a Tandem worker at the
    /// scheduler's priority — its async body's awaits included, which come back to it.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ActionBlockRunsOnTandemAtThePriority(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var scheduler = OnLoop(rt, () => rt.AsTaskScheduler(Priority.Low)); // the embedded pump is made on the driving thread
        var seen = new ConcurrentBag<Seen>();
        var block = new ActionBlock<int>(async n =>
        {
            seen.Add(Seen.Now());
            await Task.Yield();
            seen.Add(Seen.Now());
        }, new ExecutionDataflowBlockOptions { TaskScheduler = scheduler, MaxDegreeOfParallelism = 2 });
        for (int i = 0; i < 50; i++) block.Post(i);
        block.Complete();
        Drive(rt, block.Completion.ContinueWith(static _ => 0, TaskScheduler.Default));
        Assert.True(block.Completion.IsCompletedSuccessfully);
        Assert.Equal(100, seen.Count);
        Assert.All(seen, s => Assert.Equal(new Seen(true, rt, Priority.Low), s));
        Assert.Same(scheduler, rt.AsTaskScheduler(Priority.Low));
    });

    /// <summary><c>Parallel.ForEachAsync</c> with the runtime's scheduler runs each body on a Tandem worker at the
    /// scheduler's priority; on a host runtime of two workers, on both at once when the bodies wait for each other.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ParallelForEachAsyncRunsOnTandem(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var scheduler = OnLoop(rt, () => rt.AsTaskScheduler(Priority.High));
        var seen = new ConcurrentBag<Seen>();
        var options = new ParallelOptions { TaskScheduler = scheduler, MaxDegreeOfParallelism = 4 };
        var work = Parallel.ForEachAsync(Enumerable.Range(0, 40), options, async (i, ct) =>
        {
            seen.Add(Seen.Now());
            await Task.Yield();
            seen.Add(Seen.Now());
        });
        Drive(rt, work.ContinueWith(static _ => 0, TaskScheduler.Default));
        Assert.True(work.IsCompletedSuccessfully);
        Assert.Equal(80, seen.Count);
        Assert.All(seen, s => Assert.Equal(new Seen(true, rt, Priority.High), s));
        Assert.Equal(mode.Mode == RuntimeMode.Host ? mode.Workers : 1, scheduler.MaximumConcurrencyLevel);
    });

    /// <summary>Callbacks posted to the runtime's context run on a Tandem worker at its priority, with the context
    /// installed, so an async method started inside one comes back to it after an await; <see cref="Progress{T}"/>
    /// created under it reports there.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void PostedCallbacksRunOnTandemAndAwaitsComeBack(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var context = OnLoop(rt, () => rt.AsSynchronizationContext(Priority.Critical));
        var seen = new ConcurrentQueue<(Seen Where, SynchronizationContext? Context)>();
        var finished = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        async void StartedInsideThePost()
        {
            seen.Enqueue((Seen.Now(), SynchronizationContext.Current));
            await Task.Delay(1).ConfigureAwait(true);
            seen.Enqueue((Seen.Now(), SynchronizationContext.Current));
            IProgress<int> progress = new Progress<int>(n => { seen.Enqueue((Seen.Now(), SynchronizationContext.Current)); finished.TrySetResult(n); });
            progress.Report(7);
        }
        Task.Run(() => context.Post(_ => StartedInsideThePost(), null)); // posted from a thread-pool thread
        Assert.Equal(7, Drive(rt, finished.Task));
        Assert.Equal(3, seen.Count);
        Assert.All(seen, s =>
        {
            Assert.Equal(new Seen(true, rt, Priority.Critical), s.Where);
            Assert.Same(context, s.Context);
        });
    });

    /// <summary>Send runs inline from one of the runtime's tasks, and from another thread waits for a worker to run it,
    /// re-throwing its exception there.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void SendRunsTheCallbackAndWaits(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var context = OnLoop(rt, () => rt.AsSynchronizationContext());
        rt.BlockOn(async () =>
        {
            long me = Async.CurrentTaskId;
            long ranIn = 0;
            context.Send(_ => ranIn = Async.CurrentTaskId, null);
            Assert.Equal(me, ranIn); // inline
            var fromOutside = Task.Run(() =>
            {
                Seen where = default;
                context.Send(_ => where = Seen.Now(), null);
                Action sendThrowing = () => context.Send(static _ => throw new InvalidOperationException("sent"), null);
                var error = Assert.Throws<InvalidOperationException>(sendThrowing);
                return (where, error.Message);
            });
            while (!fromOutside.IsCompleted) await Async.Yield();
            Assert.Equal((new Seen(true, rt, Priority.Normal), "sent"), await fromOutside);
        });
    });

    /// <summary>A posted callback that throws is reported through <see cref="Runtime.UnobservedTaskException"/>, and the
    /// callbacks behind it still run.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void APostedCallbacksExceptionIsReported(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var reported = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        rt.UnobservedTaskException += (_, e) => reported.TrySetResult(e.Exception);
        var context = OnLoop(rt, () => rt.AsSynchronizationContext(Priority.Low));
        var after = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        context.Post(_ => throw new FormatException("posted"), null);
        context.Post(_ => after.SetResult(1), null);
        Assert.Equal(1, Drive(rt, after.Task));
        var error = Drive(rt, reported.Task);
        Assert.Equal("posted", Assert.IsType<FormatException>(error).Message);
    });

    /// <summary>Work the bridge accepted is not lost when the runtime shuts down before running it: a callback posted to
    /// an embedded runtime nobody drives, and a TPL task queued to it, run on the thread pool (outside any task) once the
    /// runtime is disposed; a sender waiting on it is let go.</summary>
    [Fact]
    public void WorkAcceptedBeforeAShutdownStillRuns() => Bounded.Run(() =>
    {
        var rt = Runtimes.Create(Tier.Embedded);
        var context = OnLoop(rt, () => rt.AsSynchronizationContext(Priority.Low));
        var scheduler = rt.AsTaskScheduler(Priority.Low);
        var posted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        context.Post(_ => posted.SetResult(Async.IsInTask), null); // queued: nothing drives the runtime now
        var queued = Task.Factory.StartNew(() => Async.IsInTask, CancellationToken.None, TaskCreationOptions.None, scheduler);
        Assert.False(posted.Task.IsCompleted);
        Assert.False(queued.IsCompleted);
        rt.Dispose();
        Assert.True(posted.Task.Wait(Bounded.DefaultLimit));
        Assert.False(posted.Task.Result);
        Assert.True(queued.Wait(Bounded.DefaultLimit));
        Assert.False(queued.Result);
    });

    /// <summary>Misuse and shutdown: a priority out of range names the argument; after the runtime shut down, getting a
    /// bridge throws <see cref="ObjectDisposedException"/>, and a TPL task queued to one fails to start saying so.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void RefusesBadPrioritiesAndWorkAfterShutdown(Tier mode)
    {
        var rt = Runtimes.Create(mode);
        Assert.Equal("priority", Assert.Throws<ArgumentOutOfRangeException>(() => rt.AsTaskScheduler((Priority)9)).ParamName);
        Assert.Equal("priority", Assert.Throws<ArgumentOutOfRangeException>(() => rt.AsSynchronizationContext((Priority)(-1))).ParamName);
        var scheduler = rt.AsTaskScheduler(Priority.Idle);
        var context = rt.AsSynchronizationContext(Priority.Idle);
        rt.Dispose();
        Assert.Throws<ObjectDisposedException>(() => rt.AsTaskScheduler());
        Assert.Throws<ObjectDisposedException>(() => rt.AsSynchronizationContext());
        var start = Assert.Throws<TaskSchedulerException>(() => new Task(static () => { }).Start(scheduler));
        Assert.IsType<ObjectDisposedException>(start.InnerException);
        Assert.Throws<ObjectDisposedException>(() => context.Post(static _ => { }, null));
    }
}
