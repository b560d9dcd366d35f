using Spectre.Console;
using Spectre.Console.Rendering;
using Tandem;

namespace Tandem.Top;

/// <summary>Draws one refresh: the runtime's totals, a row per priority, the running tasks by how long their poll has
/// lasted (then the others by time since their last poll), the last stalls.</summary>
internal static class Dashboard
{
    private static readonly Priority[] s_levels = [Priority.Critical, Priority.High, Priority.Normal, Priority.Low, Priority.Idle];

    /// <summary>What changed between two samples, per second.</summary>
    public sealed record Rates(double Polls, double Steals, double Parks, double Spawns);

    public static IRenderable Render(Runtime runtime, TimeSpan uptime, TimeSpan window, Figures.Sample sample, Rates rates,
        IReadOnlyList<TaskInfo> tasks, IReadOnlyList<string> stalls)
    {
        var header = new Markup(
            $"[bold]Tandem top[/]  {runtime.Mode} tier, [bold]{sample.Totals.GetValueOrDefault("tandem.workers")}[/] workers, " +
            $"up {uptime:mm\\:ss}   polls/s [bold]{rates.Polls:N0}[/]   spawns/s {rates.Spawns:N0}   steals/s {rates.Steals:N0}   " +
            $"parks/s {rates.Parks:N0}   tasks [bold]{tasks.Count}[/]   timers {sample.Totals.GetValueOrDefault("tandem.timers.active")}");

        var levels = new Table().Border(TableBorder.Rounded).Title("[bold]by priority[/] (latency: ready → polled, this refresh)");
        foreach (var column in new[] { "priority", "alive", "queued", "polls/s", "latency p50", "p99", "max" })
            levels.AddColumn(new TableColumn(column).RightAligned());
        foreach (var level in s_levels)
        {
            int p = (int)level;
            var latency = sample.LatencySeconds[p];
            levels.AddRow(
                level.ToString(), sample.Alive[p].ToString("N0"), sample.Queued[p].ToString("N0"),
                (latency.Length / window.TotalSeconds).ToString("N0"),
                Ms(Figures.Percentile(latency, 0.50)), Ms(Figures.Percentile(latency, 0.99)), Ms(latency.Length == 0 ? double.NaN : latency[^1]));
        }

        var longest = new Table().Border(TableBorder.Rounded).Title("[bold]longest polls[/] (running: for how long this poll; then the rest: since their last poll)");
        foreach (var column in new[] { "task", "name", "priority", "state", "polls", "for", "where" }) longest.AddColumn(column);
        var order = tasks.OrderByDescending(t => t.Activity == TaskActivity.Running).ThenByDescending(t => t.SinceLastPoll ?? t.Age ?? TimeSpan.Zero);
        foreach (var task in order.Take(6))
        {
            longest.AddRow(task.Id.ToString(), Markup.Escape(task.Name ?? ""), task.Priority.ToString(), Colour(task.Activity),
                task.Polls.ToString("N0"), Ms((task.SinceLastPoll ?? task.Age)?.TotalSeconds ?? double.NaN),
                Markup.Escape(task.Method is null ? "" : task.WaitingOn is null ? task.Method : $"{task.Method} on {task.WaitingOn}"));
        }

        var recent = new Rows(stalls.Count == 0 ? [new Markup("[grey]none yet[/]")] : stalls.TakeLast(3).Select(s => (IRenderable)new Markup($"[yellow]{Markup.Escape(s)}[/]")));
        return new Rows(header, levels, longest, new Panel(recent).Header("stalls (threshold 100 ms)").Expand());
    }

    private static string Colour(TaskActivity activity) => activity switch
    {
        TaskActivity.Running => "[green]running[/]",
        TaskActivity.Ready => "[yellow]ready[/]",
        _ => "waiting",
    };

    private static string Ms(double seconds) => double.IsNaN(seconds) ? "-" : seconds < 0.001 ? $"{seconds * 1e6:F0} µs" : $"{seconds * 1e3:F1} ms";
}
