using System.Runtime.ExceptionServices;

namespace Tandem.Tests;

/// <summary>Bounds a test in time: a concurrency bug fails the test instead of hanging the run.</summary>
internal static class Bounded
{
    internal static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="body"/> on its own thread and fails if it has not finished within <paramref name="limit"/>.</summary>
    internal static void Run(Action body, TimeSpan? limit = null)
    {
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try { body(); }
            catch (Exception e) { error = ExceptionDispatchInfo.Capture(e); }
        }) { IsBackground = true, Name = "bounded test" };
        thread.Start();
        var max = limit ?? DefaultLimit;
        if (!thread.Join(max)) Assert.Fail($"The test did not finish within {max.TotalSeconds} s (deadlock or lost wake-up?).");
        error?.Throw();
    }

    /// <summary>Runs <paramref name="body"/> bounded in time and returns its result.</summary>
    internal static T Run<T>(Func<T> body, TimeSpan? limit = null)
    {
        T result = default!;
        Run(() => result = body(), limit);
        return result;
    }
}
