using Tandem;
using Tandem.Embedded;

namespace Tandem.Demo;

/// <summary>The seed design's four usage examples, in C#.</summary>
internal static class SeedExamples
{
    /// <summary>Example 1: task ids are positive, increasing and never reused, across every runtime of the process.</summary>
    internal static void TaskIdAllocation()
    {
        Heading("a. Task ids");
        using var scheduler = new EmbeddedScheduler(4);
        long id1 = scheduler.Spawn(Priority.Normal, static () => TandemTask.CompletedTask).Id;
        long id2 = scheduler.Spawn(Priority.Normal, static () => TandemTask.CompletedTask).Id;
        long id3 = scheduler.Spawn(Priority.Normal, static () => TandemTask.CompletedTask).Id;
        scheduler.RunUntilIdle();
        Console.WriteLine($"   three spawns got ids {id1}, {id2}, {id3}: increasing, never reused in this process");
    }

    /// <summary>Example 2: the waker registry's signal, check and clear.</summary>
    internal static void WakerRegistrySignals()
    {
        Heading("b. A waker registry of your own");
        var registry = new WakerRegistry(64);
        registry.Signal(5);
        Console.WriteLine($"   task 5 woken: {registry.Check(5)}");
        registry.Clear(5);
        Console.WriteLine($"   after clear:  {registry.Check(5)}");
        registry.Signal(1);
        registry.Signal(63);
        Console.WriteLine($"   two signals pending: {registry.CountSignalled()}; after reset: {ResetAndCount(registry)}");
        Console.WriteLine($"   out-of-range index 64 accepted: {registry.TrySignal(64)}");
    }

    /// <summary>Example 3: the five priority levels.</summary>
    internal static void PriorityLevels()
    {
        Heading("c. Priorities");
        foreach (var priority in Priorities.All)
            Console.WriteLine($"   {priority,-8} -> {priority.ToInt32()}");
    }

    /// <summary>Example 4: the embedded scheduler running poll functions.</summary>
    internal static void EmbeddedSchedulerBasics()
    {
        Heading("d. The embedded scheduler with poll functions");
        using var scheduler = new EmbeddedScheduler();
        Console.WriteLine($"   capacity {scheduler.Capacity}, tasks {scheduler.TaskCount}, idle {scheduler.IsIdle}");
        int polls = 0;
        var countdown = scheduler.Schedule(Priority.Normal, cx =>
        {
            polls++;
            if (polls < 3)
            {
                cx.Waker.Wake(); // ask to be polled again
                return Poll<int>.Pending;
            }
            return polls;
        });
        var once = scheduler.Schedule(Priority.High, _ => Poll.Ready);
        Console.WriteLine($"   scheduled 2 tasks: tasks {scheduler.TaskCount}, idle {scheduler.IsIdle}");
        int ran = scheduler.RunUntilIdle();
        Console.WriteLine($"   ran {ran} polls; countdown finished after {countdown.GetResult()} polls; high-priority task finished: {once.IsFinished}");
        Console.WriteLine($"   tasks {scheduler.TaskCount}, idle {scheduler.IsIdle}");
    }

    private static int ResetAndCount(WakerRegistry registry)
    {
        registry.Reset();
        return registry.CountSignalled();
    }

    private static void Heading(string text)
    {
        Console.WriteLine();
        Console.WriteLine(text);
    }
}
