namespace Tandem.Internal.Diagnostics;

/// <summary>
/// Readable names, for task snapshots, of the types the compiler and the libraries generate: an async method's state
/// machine (<c>Worker+&lt;ReadOrder&gt;d__3</c> → <c>Worker.ReadOrder</c>) and an awaiter (<c>TaskAwaiter`1</c> →
/// <c>Task</c>, <c>DelayAwaitable+Awaiter</c> → <c>DelayAwaitable</c>).
/// </summary>
/// <remarks>Works on the types' names only (no reflection over members), so it works under NativeAOT too. Called when a
/// snapshot is taken, never on a hot path.</remarks>
internal static class CodeNames
{
    /// <summary>The method an async state machine type runs, as <c>Type.Method</c> (a lambda's as <c>Type.Method (lambda)</c>).</summary>
    internal static string OfStateMachine(Type stateMachine)
    {
        var owner = stateMachine.DeclaringType;
        while (owner is not null && owner.Name.StartsWith('<')) owner = owner.DeclaringType; // a closure class: <>c, <>c__DisplayClass0_0
        string method = MethodOf(stateMachine.Name);
        return owner is null ? method : $"{WithoutArity(owner.Name)}.{method}";
    }

    /// <summary>An awaiter's type as the awaitable it belongs to.</summary>
    internal static string OfAwaiter(Type awaiter)
    {
        string name = WithoutArity(awaiter.Name);
        if (awaiter.DeclaringType is { } declaring)
        {
            string outer = WithoutArity(declaring.Name);
            return name.EndsWith("Awaiter", StringComparison.Ordinal) ? outer : $"{outer}.{name}";
        }
        return name.Length > "Awaiter".Length && name.EndsWith("Awaiter", StringComparison.Ordinal) ? name[..^"Awaiter".Length] : name;
    }

    /// <summary>The method in a compiler-generated name: <c>&lt;Run&gt;d__2</c> → <c>Run</c>;
    /// <c>&lt;&lt;Main&gt;b__0_0&gt;d</c> → <c>Main (lambda)</c>; <c>&lt;&lt;Main&gt;g__Local|0_1&gt;d</c> → <c>Main.Local</c>.</summary>
    private static string MethodOf(string generated)
    {
        if (!generated.StartsWith('<')) return generated; // not generated: a hand-written state machine
        int close = generated.LastIndexOf('>');
        if (close <= 1) return generated;
        string inner = generated[1..close]; // "Run", or "<Main>b__0_0", or "<Main>g__Local|0_1"
        if (!inner.StartsWith('<')) return inner;
        int end = inner.IndexOf('>');
        if (end < 0) return inner;
        string outer = inner[1..end].TrimEnd('$'); // top-level statements' method is "<Main>$"
        if (outer.StartsWith('<')) outer = outer[1..];
        if (outer.EndsWith('>')) outer = outer[..^1];
        string rest = inner[(end + 1)..]; // "b__0_0", "$>b__0_0" or "g__Local|0_1"
        rest = rest.TrimStart('$', '>');
        if (rest.Length == 0) return outer; // "<Main>$": the top-level statements themselves
        if (rest.StartsWith("g__", StringComparison.Ordinal))
        {
            int bar = rest.IndexOf('|');
            return $"{outer}.{(bar > 3 ? rest[3..bar] : rest[3..])}";
        }
        return $"{outer} (lambda)";
    }

    private static string WithoutArity(string name)
    {
        int tick = name.IndexOf('`');
        return tick < 0 ? name : name[..tick];
    }
}
