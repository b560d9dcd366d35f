using Tandem;

namespace Tandem.Tests.Conformance;

/// <summary>
/// Every public method that waits, called from the wrong place, twice, or concurrently: it finishes or fails fast with
/// an exception that says what to do instead — never a silent hang. Every tier; each bounded in time.
/// </summary>
public class WaitingMisuseConformanceTests
{
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ShuttingDownFromInsideOneOfItsOwnTasksIsRefused(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var errors = rt.BlockOn(async () =>
        {
            await Async.Yield();
            var caught = new List<string>();
            try { rt.Shutdown(TimeSpan.FromSeconds(1)); } catch (InvalidOperationException) { caught.Add("Shutdown"); }
            try { _ = rt.ShutdownAsync(TimeSpan.FromSeconds(1)); } catch (InvalidOperationException) { caught.Add("ShutdownAsync"); }
            try { rt.Dispose(); } catch (InvalidOperationException) { caught.Add("Dispose"); }
            return caught;
        });
        Assert.Equal(["Shutdown", "ShutdownAsync", "Dispose"], errors);
        Assert.Equal(3, rt.BlockOn(static async () => { await Async.Yield(); return 3; })); // still running
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void JoiningAHandleTwiceThrowsTheSecondTime(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var handle = rt.Spawn(Priority.Normal, static async () => { await Async.Yield(); return 1; });
        Assert.Equal(1, rt.BlockOn(handle));
        var e = Assert.Throws<InvalidOperationException>(() => rt.BlockOn(handle));
        Assert.Contains("joined", e.Message);
        Assert.Throws<InvalidOperationException>(() => handle.GetResult());
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void TwoTasksAwaitingOneHandleAtOnceOneIsRefusedAndTheOtherGetsTheResult(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var gate = new OneShot<int>();
        var target = rt.Spawn(Priority.Normal, gate, static async gate => await gate.ReceiveAsync());
        JoinHandle<int> Joiner() => rt.Spawn(Priority.Normal, target, static async target =>
        {
            try
            {
                return await target;
            }
            catch (InvalidOperationException)
            {
                return -1; // refused: a task has one joiner
            }
        });
        var joiners = new[] { Joiner(), Joiner() };
        // Whichever came second is refused at once; the other waits for the target, which waits for the gate.
        var refused = rt.BlockOn(async () =>
        {
            while (!joiners[0].IsFinished && !joiners[1].IsFinished) await Async.Yield();
            return joiners[0].IsFinished ? 0 : 1;
        });
        Assert.Equal(-1, rt.BlockOn(joiners[refused]));
        gate.Send(7);
        Assert.Equal(7, rt.BlockOn(joiners[1 - refused]));
    });

    [Fact]
    public void TwoThreadsDrivingOneEmbeddedSchedulerAtOnceTheSecondIsRefused() => Bounded.Run(() =>
    {
        using var s = new Tandem.Embedded.EmbeddedScheduler(8);
        var release = new ManualResetEventSlim(false);
        var driving = new ManualResetEventSlim(false);
        var blocker = s.Spawn(Priority.Normal, (release, driving), static async st =>
        {
            st.driving.Set();
            await Task.Run(() => st.release.Wait()); // a foreign await: the loop parks while it runs
            return 1;
        });
        Exception? second = null;
        var driver = new Thread(() => s.BlockOn(blocker));
        driver.Start();
        Assert.True(driving.Wait(TestUtil.Bound));
        try { s.RunUntilIdle(); } catch (Exception e) { second = e; }
        release.Set();
        Assert.True(driver.Join(TestUtil.Bound));
        Assert.IsType<InvalidOperationException>(second);
        Assert.Contains("another thread", second!.Message);
    });

    [Fact]
    public void DrivingAnEmbeddedSchedulerFromInsideOneOfItsTasksIsRefused() => Bounded.Run(() =>
    {
        using var s = new Tandem.Embedded.EmbeddedScheduler(8);
        var refused = s.BlockOn(async () =>
        {
            await Async.Yield();
            var caught = new List<string>();
            try { s.PollNext(); } catch (InvalidOperationException) { caught.Add("PollNext"); }
            try { s.RunUntilIdle(); } catch (InvalidOperationException) { caught.Add("RunUntilIdle"); }
            try { s.BlockOn(s.Spawn(static async () => { await Async.Yield(); return 1; })); } catch (InvalidOperationException) { caught.Add("BlockOn"); }
            return caught;
        });
        Assert.Equal(["PollNext", "RunUntilIdle", "BlockOn"], refused);
        s.RunUntilIdle(); // from outside it still runs: the task spawned before the refused BlockOn finishes
        Assert.Equal(0, s.TaskCount);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void TwoTasksTickingOneIntervalEachGetTicksAndNeitherHangs(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var ticks = rt.BlockOn(async () =>
        {
            var interval = Async.Interval(TimeSpan.FromMilliseconds(2));
            var a = rt.Spawn(Priority.Normal, interval, static async iv => { for (int i = 0; i < 5; i++) await iv.TickAsync(); return 5; });
            var b = rt.Spawn(Priority.Normal, interval, static async iv => { for (int i = 0; i < 5; i++) await iv.TickAsync(); return 5; });
            return await a + await b;
        });
        Assert.Equal(10, ticks);
    });
}
