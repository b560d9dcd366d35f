using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using Tandem.Tests.Conformance;

namespace Tandem.Tests.Api;

/// <summary>The <c>Tandem</c> event source, read with an <see cref="EventListener"/> as <c>dotnet-trace</c> would: spawn,
/// ready, poll start and stop for each task, worker events on the host tier, unobserved faults.</summary>
/// <remarks>Alone in the run (<see cref="EventSourceCollection"/>): a listener is process-wide, and the events it receives
/// allocate on the threads that write them, which would fail another test's allocation count.</remarks>
[Collection(nameof(EventSourceCollection))]
public class EventSourceTests
{
    private sealed class Recorder : EventListener
    {
        internal readonly ConcurrentQueue<EventWrittenEventArgs> Events = new();

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Tandem") EnableEvents(source, EventLevel.Verbose, EventKeywords.All);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e) => Events.Enqueue(e);

        internal List<EventWrittenEventArgs> For(long taskId) =>
            Events.Where(e => e.Payload is { Count: > 0 } p && p[0] is long id && id == taskId && e.EventName != "WorkerSteal").ToList();
    }

    /// <summary>A task that yields twice shows spawned, then ready/poll-start/poll-stop three times, the last stop
    /// marking it finished; priorities and poll numbers are in the payloads.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void TracesEachTasksSpawnReadyAndPolls(Tier mode) => Bounded.Run(() =>
    {
        using var recorder = new Recorder();
        using var rt = Runtimes.Create(mode);
        var handle = rt.BlockOn(async () =>
        {
            var task = rt.Spawn(Priority.Low, static async () =>
            {
                await Async.Yield();
                await Async.Yield();
            });
            await task;
            return task;
        });
        var events = recorder.For(handle.Id);
        Assert.Equal(
            ["TaskSpawned", "TaskReady", "PollStart", "PollStop", "TaskReady", "PollStart", "PollStop", "TaskReady", "PollStart", "PollStop"],
            events.Select(e => e.EventName!).ToArray());
        Assert.All(events, e => Assert.Equal((long)Priority.Low, e.Payload![1]));
        Assert.Equal([1L, 2L, 3L], events.Where(e => e.EventName == "PollStart").Select(e => (long)e.Payload![2]!).ToArray());
        Assert.Equal([0L, 0L, 1L], events.Where(e => e.EventName == "PollStop").Select(e => (long)e.Payload![2]!).ToArray());
    });

    /// <summary>An idle host worker reports parking (and waking), and a fault nobody joined is written with its type
    /// and message.</summary>
    [Fact]
    public void TracesWorkersAndUnobservedFaults() => Bounded.Run(() =>
    {
        using var recorder = new Recorder();
        using var rt = Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { WorkerCount = 2 });
        var reported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        rt.UnobservedTaskException += (_, _) => reported.TrySetResult();
        var doomed = rt.Spawn(Priority.Normal, static async () =>
        {
            await Async.Yield();
            throw new FormatException("nobody joins this");
        });
        doomed.Detach();
        Assert.True(reported.Task.Wait(Bounded.DefaultLimit));
        var fault = Assert.Single(recorder.Events, e => e.EventName == "UnobservedException" && (long)e.Payload![0]! == doomed.Id);
        Assert.Equal(("System.FormatException", "nobody joins this"), ((string)fault.Payload![1]!, (string)fault.Payload![2]!));
        rt.BlockOn(static async () => await Async.Delay(TimeSpan.FromMilliseconds(20))); // the workers park meanwhile
        Assert.Contains(recorder.Events, e => e.EventName == "WorkerPark");
        Assert.Contains(recorder.Events, e => e.EventName == "WorkerUnpark");
    });
}

/// <summary>Runs the event-source tests after the others, alone.</summary>
[CollectionDefinition(nameof(EventSourceCollection), DisableParallelization = true)]
public sealed class EventSourceCollection;
