namespace Tandem.Testing.Samples;

/// <summary>
/// Bug 1, a check-then-act race on an async cache: <see cref="GetAsync"/> looks the key up, misses, and loads it —
/// but a second request for the same key that arrives while the first is loading misses too, and loads it again.
/// The loader (a database, another service) must be called once per key.
/// </summary>
public sealed class AsyncCache(Func<string, TandemTask<int>> load)
{
    private readonly Dictionary<string, int> _values = [];

    /// <summary>The value of <paramref name="key"/>, loading it on a miss.</summary>
    public async TandemTask<int> GetAsync(string key)
    {
        if (_values.TryGetValue(key, out int cached)) return cached; // check …
        int value = await load(key);                                  // … (another request runs here) …
        _values[key] = value;                                         // … then act
        return value;
    }
}

/// <summary>The fix: cache the load in flight, not only its result, so that a second request waits for the first load.</summary>
public sealed class FixedAsyncCache(Func<string, TandemTask<int>> load)
{
    private readonly Dictionary<string, Task<int>> _loads = [];

    /// <summary>The value of <paramref name="key"/>, loading it once.</summary>
    public async TandemTask<int> GetAsync(string key)
    {
        if (!_loads.TryGetValue(key, out var loading))
        {
            var source = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            _loads[key] = loading = source.Task; // published before the first await: a later request finds it
            try { source.SetResult(await load(key)); }
            catch (Exception e) { source.SetException(e); }
        }
        return await loading;
    }
}

/// <summary>The test of bug 1: two requests for the same key, the second after some parsing of its own.</summary>
public static class CacheScenario
{
    /// <summary>Runs the scenario against the buggy cache (<paramref name="fixedCache"/> false) or the fixed one.</summary>
    public static async TandemTask Run(Simulation sim, bool fixedCache)
    {
        int loads = 0;
        async TandemTask<int> Load(string key)
        {
            loads++;
            await Async.Yield(); // the read from the store
            return key.Length;
        }
        Func<string, TandemTask<int>> get = fixedCache ? new FixedAsyncCache(Load).GetAsync : new AsyncCache(Load).GetAsync;
        async TandemTask<int> Request(int parseSteps)
        {
            for (int i = 0; i < parseSteps; i++) await Async.Yield(); // parsing, authentication…
            return await get("user:42");
        }
        var first = sim.Runtime.Spawn(() => Request(0));
        var second = sim.Runtime.Spawn(() => Request(4));
        int a = await first, b = await second;
        if (a != b) throw new InvalidOperationException($"the two requests saw {a} and {b}");
        if (loads != 1) throw new InvalidOperationException($"the value was loaded {loads} times; the cache must load a key once");
    }
}
