using Tandem;
using Tandem.Demo;
using Tandem.Embedded;

Console.WriteLine("Tandem demo");
Console.WriteLine();

SeedExamples.TaskIdAllocation();
SeedExamples.WakerRegistrySignals();
SeedExamples.PriorityLevels();
SeedExamples.EmbeddedSchedulerBasics();
AsyncProgram.Run();
BothTiers.Run();

Console.WriteLine();
Console.WriteLine("Demo finished.");
