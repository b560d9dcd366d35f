using Tandem.Demo;

// The demo: first the kind of program a user writes, then the same code on both tiers, then the design's four
// usage examples. Each section says what to look for in its output.
Console.WriteLine("Tandem demo");
Console.WriteLine();

AsyncProgram.Run();
BothTiers.Run();

Console.WriteLine();
Console.WriteLine("The design's usage examples");
SeedExamples.TaskIdAllocation();
SeedExamples.WakerRegistrySignals();
SeedExamples.PriorityLevels();
SeedExamples.EmbeddedSchedulerBasics();

Console.WriteLine();
Console.WriteLine("Demo finished.");
