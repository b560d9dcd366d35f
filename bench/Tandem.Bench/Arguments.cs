namespace Tandem.Bench;

/// <summary>The harness's command line: a command, <c>--name value</c> options, flags, and the rest for BenchmarkDotNet.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    private Arguments(string command, string[] rest)
    {
        Command = command;
        Rest = rest;
    }

    internal string Command { get; }

    internal string[] Rest { get; }

    internal static Arguments Parse(string[] args)
    {
        if (args.Length == 0) return new Arguments("", []);
        var parsed = new Arguments(args[0], args[1..]);
        if (args[0] == "bdn") return parsed;
        for (int i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            string name = args[i][2..];
            string? value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            parsed._options[name] = value;
        }
        return parsed;
    }

    internal string Require(string name) =>
        _options.TryGetValue(name, out var v) && v is not null ? v : throw new ArgumentException($"--{name} is required");

    internal int Int(string name, int fallback)
    {
        if (!_options.TryGetValue(name, out var v) || v is null) return fallback;
        return int.TryParse(v, out int n) && n > 0 ? n : throw new ArgumentException($"--{name} takes a whole number above 0, not '{v}'");
    }

    internal bool Flag(string name) => _options.ContainsKey(name);

    internal static int Usage()
    {
        Console.Error.WriteLine("""
            usage: Tandem.Bench shape --impl tandem-host|tandem-embedded --shape SHAPE [--reps N] [--warmup N] [--random-priority]
                   Tandem.Bench mem --impl tandem-host|tandem-embedded
                   Tandem.Bench priority --impl tandem-host|dotnet-threadpool [--samples N]
                   Tandem.Bench all [--quick]
                   Tandem.Bench soak [--seconds S]
                   Tandem.Bench bdn [BenchmarkDotNet arguments]
            shapes: spawn_many_local spawn_many_remote_idle yield_many ping_pong ping_pong_pooled chained_spawn timers_100k_1ms fan_out
            """);
        return 2;
    }
}
