using Spectre.Console;
using Tandem;
using Tandem.Top;

// Tandem top: a live view of a runtime running a sample workload — per-priority queues, polls per second, scheduling
// latency percentiles, the tasks holding on longest, and stalls. Options: --seconds N (stop after N seconds; default:
// until Ctrl+C), --plain (no live drawing: print the last refresh as text, for logs and CI).
int seconds = args.SkipWhile(a => a != "--seconds").Skip(1).Select(int.Parse).FirstOrDefault(0);
bool plain = args.Contains("--plain");

using var runtime = Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions
{
    WorkerCount = 2,
    RecordTaskTimes = true,
    StallThreshold = TimeSpan.FromMilliseconds(100),
});
var stalls = new List<string>();
runtime.StallDetected += (_, stall) => { lock (stalls) stalls.Add($"{DateTime.Now:HH:mm:ss} {stall}"); };
using var figures = new Figures(runtime);
Workload.Start(runtime);

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
if (seconds > 0) stop.CancelAfter(TimeSpan.FromSeconds(seconds));

var started = DateTime.UtcNow;
var refresh = TimeSpan.FromMilliseconds(500);
var last = figures.Take();
var lastAt = DateTime.UtcNow;
Spectre.Console.Rendering.IRenderable Next()
{
    var sample = figures.Take();
    var now = DateTime.UtcNow;
    double window = Math.Max(0.001, (now - lastAt).TotalSeconds);
    long Delta(string name) => sample.Totals.GetValueOrDefault(name) - last.Totals.GetValueOrDefault(name);
    var rates = new Dashboard.Rates(Delta("tandem.worker.polls") / window, Delta("tandem.worker.steals") / window,
        Delta("tandem.worker.parks") / window, Delta("tandem.tasks.spawned") / window);
    (last, lastAt) = (sample, now);
    string[] recent;
    lock (stalls) recent = [.. stalls];
    return Dashboard.Render(runtime, now - started, TimeSpan.FromSeconds(window), sample, rates, runtime.GetTaskSnapshot(), recent);
}

if (plain)
{
    var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(Console.Out) });
    console.Profile.Width = 150;
    Spectre.Console.Rendering.IRenderable view = Next();
    while (!stop.IsCancellationRequested)
    {
        try { await Task.Delay(refresh, stop.Token); } catch (OperationCanceledException) { }
        view = Next();
    }
    console.Write(view);
}
else
{
    await AnsiConsole.Live(Next()).AutoClear(false).StartAsync(async live =>
    {
        while (!stop.IsCancellationRequested)
        {
            try { await Task.Delay(refresh, stop.Token); } catch (OperationCanceledException) { }
            live.UpdateTarget(Next());
        }
    });
}
lock (stalls) Console.WriteLine($"{stalls.Count} stalls seen");
