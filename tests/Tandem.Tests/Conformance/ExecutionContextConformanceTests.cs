namespace Tandem.Tests.Conformance;

/// <summary>AsyncLocal values: they flow from the spawner into a task and across its awaits, and never leak out.</summary>
public class ExecutionContextConformanceTests
{
    private static readonly AsyncLocal<string?> s_value = new();

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AsyncLocalFlowsIntoATaskAndDoesNotLeak(RuntimeMode mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        s_value.Value = "caller";
        var (seenAtStart, seenAfterAwait) = rt.BlockOn(async () =>
        {
            string? first = s_value.Value;
            s_value.Value = "task A";
            await Runtime.Yield();
            await Task.Delay(1);
            return (first, s_value.Value);
        });
        Assert.Equal("caller", seenAtStart);       // flowed from the spawner
        Assert.Equal("task A", seenAfterAwait);    // kept across the task's own awaits
        Assert.Equal("caller", s_value.Value);     // the caller's value is untouched

        s_value.Value = null;
        string? seenByB = rt.BlockOn(async () =>
        {
            await Runtime.Yield();
            return s_value.Value;
        });
        Assert.Null(seenByB);                      // task A's value did not leak into task B
    });
}
