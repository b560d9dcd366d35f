using Tandem;

namespace Tandem.Tests.Conformance;

/// <summary>Nothing grows without bound: timers whose waits were withdrawn leave the scheduler's timers. Every tier.</summary>
public class TimerBoundsConformanceTests
{
    private static int TimerEntries(Runtime rt) =>
        rt is Tandem.Host.HostScheduler host ? host.TimerEntries : ((Tandem.Embedded.EmbeddedScheduler)rt).TimerEntries;

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void EarlyFinishingTimeoutsDoNotPileUpTimerEntries(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        const int Timeouts = 100_000;
        int max = rt.BlockOn(async () =>
        {
            int most = 0;
            for (int i = 0; i < Timeouts; i++)
            {
                // A request wrapped in a long timeout that finishes at once: its timer is withdrawn as the race ends.
                await rt.Timeout(TimeSpan.FromSeconds(30), static async () => { await Async.Yield(); return 1; });
                if ((i & 1023) == 0) most = Math.Max(most, TimerEntries(rt));
            }
            return Math.Max(most, TimerEntries(rt));
        });
        Assert.True(max < 1_000, $"at most {max} timer entries for {Timeouts} finished timeouts");
    }, TimeSpan.FromSeconds(60));

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void DelaysEndedByTheirTokenOrByAnAbortDoNotPileUpTimerEntries(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        int max = rt.BlockOn(async () =>
        {
            int most = 0;
            for (int i = 0; i < 20_000; i++)
            {
                using var cts = new CancellationTokenSource();
                var sleeper = rt.Spawn(Priority.Normal, cts.Token, static async token =>
                {
                    try { await Async.Delay(TimeSpan.FromHours(1), token); } catch (OperationCanceledException) { }
                    await Async.Delay(TimeSpan.FromHours(1)); // then aborted
                });
                await Async.Yield();
                cts.Cancel();
                await Async.Yield();
                sleeper.Abort();
                try { await sleeper; } catch (TaskAbortedException) { }
                if ((i & 255) == 0) most = Math.Max(most, TimerEntries(rt));
            }
            return most;
        });
        Assert.True(max < 1_000, $"at most {max} timer entries");
    }, TimeSpan.FromSeconds(60));
}
