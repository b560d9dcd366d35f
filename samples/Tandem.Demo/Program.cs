using Tandem.Core;
using Tandem.Demo;
using Tandem.Embedded;
using Tandem.Interop;

Console.WriteLine("Tandem demo: the embedded tier");
Console.WriteLine();

SeedExamples.TaskIdAllocation();
SeedExamples.WakerRegistrySignals();
SeedExamples.PriorityLevels();
SeedExamples.EmbeddedSchedulerBasics();
AsyncProgram.Run();

Console.WriteLine();
Console.WriteLine("Demo finished.");
