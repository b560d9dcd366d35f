using Microsoft.Extensions.Options;
using Tandem.Host;

namespace Tandem.Extensions.Hosting;

/// <summary>Checks <see cref="TandemHostingOptions"/> when the host starts (and whenever they are read): every failure
/// names the setting as configuration spells it (<c>Tandem:WorkerCount</c>), its value and its valid range.</summary>
internal sealed class TandemHostingOptionsValidator(string sectionPath) : IValidateOptions<TandemHostingOptions>
{
    public ValidateOptionsResult Validate(string? name, TandemHostingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Mode == RuntimeMode.Embedded)
            failures.Add($"{sectionPath}:Mode is Embedded: a hosted runtime must be Host. The embedded tier is driven by one thread and only that thread may spawn on it, while a host's services call into the runtime from many threads; create an embedded runtime with Runtime.WithMode(RuntimeMode.Embedded) on a thread of your own instead.");
        else if (options.Mode != RuntimeMode.Host)
            failures.Add($"{sectionPath}:Mode is {options.Mode}: it must be Host.");
        if (options.WorkerCount is { } workers && (workers < 1 || workers > HostOptions.MaxWorkers))
            failures.Add($"{sectionPath}:WorkerCount is {workers}: it must be from 1 to {HostOptions.MaxWorkers}, or unset for one worker per processor.");
        if (options.ShutdownTimeout < TimeSpan.Zero || options.ShutdownTimeout > TandemHostingOptions.MaxShutdownTimeout)
            failures.Add($"{sectionPath}:ShutdownTimeout is {options.ShutdownTimeout}: it must be from 00:00:00 to {TandemHostingOptions.MaxShutdownTimeout} (one day).");
        if (options.StallThreshold is { } stall && (stall < TimeSpan.FromMilliseconds(1) || stall > TimeSpan.FromHours(1)))
            failures.Add($"{sectionPath}:StallThreshold is {stall}: it must be from 00:00:00.001 to 01:00:00, or unset to leave the stall detector off.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
