namespace Tandem.Model.Models;

/// <summary>
/// Models of a claimable wait: its event (a timer, a join, a message) firing, its task's abort claiming it, and a
/// withdrawal (a finished <c>Timeout</c> taking its timer back) race; exactly one of them claims the wait, and the
/// awaiter is resumed exactly when the event claimed it.
/// </summary>
public class WaitClaimModel(Xunit.Abstractions.ITestOutputHelper output)
{
    private static (Action[] Threads, Action Check) EventRacingAbortAndWithdrawal()
    {
        int runs = 0;
        var wait = ClaimableWait.ForCallback(_ => runs++, null);
        wait.Target!.RegisteredToken = wait.Token; // as the task's wait list records it
        bool fired = false, aborted = false, withdrawn = false;
        void Timer() => fired = wait.Fire();
        void Abort() => aborted = wait.Target!.TryClaimForAbort();
        void Withdraw() => withdrawn = wait.TryCancel();
        void Check()
        {
            int claims = (fired ? 1 : 0) + (aborted ? 1 : 0) + (withdrawn ? 1 : 0);
            if (claims != 1) throw new InvalidOperationException($"{claims} claims of one wait (fired {fired}, aborted {aborted}, withdrawn {withdrawn})");
            if (runs != (fired ? 1 : 0)) throw new InvalidOperationException($"the awaiter ran {runs} times, fired {fired}");
        }
        return ([Timer, Abort, Withdraw], Check);
    }

    [Fact]
    public void ExactlyOneClaimWins()
    {
        var report = ModelChecker.Explore(EventRacingAbortAndWithdrawal, preemptionBound: 3);
        output.WriteLine($"{report.Schedules} schedules in {report.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(report.Schedules > 5, $"only {report.Schedules} schedules explored");
    }

    [Fact]
    public void TheCheckerFindsAClaimThatChecksThenWrites()
    {
        var failure = SeededBugs.Expect(() => SeededBugs.FireChecksThenWrites = true, () => SeededBugs.FireChecksThenWrites = false,
            EventRacingAbortAndWithdrawal, preemptionBound: 2);
        output.WriteLine(failure.Message);
        Assert.Contains("2 claims", failure.Message);
    }
}
