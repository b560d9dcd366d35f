// Installed from the packed Tandem package by .ci/package-smoke: runs a program on both tiers.
using Tandem;

foreach (var mode in new[] { RuntimeMode.Embedded, RuntimeMode.Host })
{
    using var runtime = Runtime.WithMode(mode);
    int sum = runtime.BlockOn(async () =>
    {
        using var set = runtime.CreateJoinSet<int>();
        for (int i = 1; i <= 4; i++)
            set.Spawn(Priority.Normal, i, static async i =>
            {
                await Async.Delay(TimeSpan.FromMilliseconds(i));
                await Async.Yield();
                return i * i;
            });
        int total = 0;
        while (!set.IsEmpty) total += await set.JoinNextAsync();
        return total;
    });
    Console.WriteLine($"{mode}: {sum}");
    if (sum != 30) return 1;
}
Console.WriteLine("package smoke: ok");
return 0;
