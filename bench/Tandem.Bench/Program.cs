using System.Globalization;
using Tandem.Bench;
using Tandem.Bench.Shapes;

// The shape harness (the contract of ../shared/ANCHORS.md) and the BenchmarkDotNet suites.
//   shape --impl tandem-host|tandem-embedded --shape S [--reps N] [--warmup N] [--random-priority]   one JSON line
//   mem --impl tandem-host|tandem-embedded                                       one JSON line
//   priority --impl tandem-host|dotnet-threadpool [--samples N]                  one JSON line
//   all [--quick]                                                                every shape of both tiers, JSON lines
//   soak --seconds S                                                             the mixed soak, one JSON line
//   http-server --port P [--no-inline-completions]                              the HTTP contract (ANCHORS.md)
//   tcp-echo --impl tandem-host|dotnet-threadpool [--seconds S] [--connections C] [--workers W]   TCP round trips
//   bdn [BenchmarkDotNet arguments]                                              the BenchmarkDotNet suites
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = Arguments.Parse(args);
Shape.RandomPriorities = options.Flag("random-priority");
try
{
    return options.Command switch
    {
        "shape" => ShapeHarness.Run(options.Require("impl"), options.Require("shape"), options.Int("reps", 15), options.Int("warmup", 5)),
        "mem" => IdleMemory.Run(options.Require("impl")),
        "priority" => PriorityLatency.Run(options.Require("impl"), options.Int("samples", 400)),
        "all" => ShapeHarness.RunAll(options.Flag("quick")),
        "soak" => Tandem.Bench.Soak.SoakRun.Run(options.Int("seconds", 30)),
        "bdn" => Suites.Run(options.Rest),
        "http-server" => Tandem.Bench.Net.HttpBenchServer.Run(options.Int("port", 8080), !options.Flag("no-inline-completions")),
        "tcp-echo" => Tandem.Bench.Net.TcpEcho.Run(options.Require("impl"), options.Int("seconds", 5), options.Int("connections", 4), options.Int("workers", 2)),
        _ => Arguments.Usage(),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return Arguments.Usage();
}
