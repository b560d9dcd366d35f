namespace Tandem.Model.Models;

/// <summary>
/// Models of the host tier's join cell: exactly one of the joiner's registration and the task's finish resumes the
/// joiner, once; two racing joiners (a misuse) end with one resumed and the other refused with an exception, never
/// with a hang; a joiner that takes the place of one that gave up is the one resumed.
/// </summary>
public class JoinCellModel(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Counts the notifications a join listener receives.</summary>
    private sealed class CountingListener : IJoinListener
    {
        public int Notified;

        public void OnMemberFinished(int tag) => Notified++;
    }

    /// <summary>A joiner registers while the task finishes.</summary>
    private static (Action[] Threads, Action Check) JoinerRacingFinisher()
    {
        var cell = new HostJoinCell<int>(run: null);
        var listener = new CountingListener();
        void Joiner() => cell.SetListener(0, listener, tag: 1);
        void Finisher() => cell.Complete(42, id: 1, aborted: false, scheduler: null!);
        void Check()
        {
            if (listener.Notified != 1) throw new InvalidOperationException($"the joiner was resumed {listener.Notified} times");
            if (cell.Join(0, 1) != 42) throw new InvalidOperationException("the joined result is not the one completed");
        }
        return ([Joiner, Finisher], Check);
    }

    /// <summary>Two joiners register at once (a misuse the docs forbid) while the task finishes.</summary>
    private static (Action[] Threads, Action Check) TwoJoinersRacing()
    {
        var cell = new HostJoinCell<int>(run: null);
        var listeners = new[] { new CountingListener(), new CountingListener() };
        var refused = new bool[2];
        Action Joiner(int i) => () =>
        {
            try
            {
                cell.SetListener(0, listeners[i], tag: i);
            }
            catch (InvalidOperationException e) when (e.Message.Contains("already being joined"))
            {
                refused[i] = true;
            }
        };
        void Finisher() => cell.Complete(42, id: 1, aborted: false, scheduler: null!);
        void Check()
        {
            for (int i = 0; i < 2; i++)
            {
                if (refused[i] && listeners[i].Notified != 0) throw new InvalidOperationException($"joiner {i} was refused and yet resumed");
                if (!refused[i] && listeners[i].Notified != 1) throw new InvalidOperationException($"joiner {i} was accepted and resumed {listeners[i].Notified} times");
            }
        }
        return ([Joiner(0), Joiner(1), Finisher], Check);
    }

    /// <summary>
    /// A first joiner registered and then gave up (its task was aborted: its wait's token moved on — to the very token
    /// the second joiner's wait holds, as pooled objects' small counters often coincide); the second takes its place
    /// while the task finishes. The second is resumed once; the first never.
    /// </summary>
    private static (Action[] Threads, Action Check) ReplacementJoinerRacingFinisher()
    {
        var cell = new HostJoinCell<int>(run: null);
        int firstRuns = 0, secondRuns = 0;
        var first = WaitAt(PostedAction.Internal(_ => firstRuns++, null), token: 5);
        Assert.True(cell.TryWaitFor(0, first));
        Assert.True(first.TryCancel()); // the first joiner's task was aborted: its token is 6 now
        var second = WaitAt(PostedAction.Internal(_ => secondRuns++, null), token: 6);
        void Joiner()
        {
            if (!cell.TryWaitFor(0, second)) second.Fire(); // finished already: resume ourselves, as OnJoin does
        }
        void Finisher() => cell.Complete(42, id: 1, aborted: false, scheduler: null!);
        void Check()
        {
            if (firstRuns != 0) throw new InvalidOperationException("the joiner that gave up was resumed");
            if (secondRuns != 1) throw new InvalidOperationException($"the replacement joiner was resumed {secondRuns} times");
        }
        return ([Joiner, Finisher], Check);
    }

    /// <summary>A wait of <paramref name="target"/> at the token given.</summary>
    private static ClaimableWait WaitAt(Resumable target, int token)
    {
        target.WaitToken = token;
        return NewWait(target, token);
    }

    [System.Runtime.CompilerServices.UnsafeAccessor(System.Runtime.CompilerServices.UnsafeAccessorKind.Constructor)]
    private static extern ClaimableWait NewWait(Resumable target, int token);

    [Theory]
    [InlineData(nameof(JoinerRacingFinisher))]
    [InlineData(nameof(TwoJoinersRacing))]
    [InlineData(nameof(ReplacementJoinerRacingFinisher))]
    public void ExactlyOneSideResumesTheJoiner(string model)
    {
        var report = ModelChecker.Explore(Model(model), preemptionBound: 3);
        output.WriteLine($"{model}: {report.Schedules} schedules in {report.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(report.Schedules > 10, $"only {report.Schedules} schedules explored");
    }

    /// <summary>The review's defect 5: two racing joiners, where the one that believes it won is never resumed.</summary>
    [Fact]
    public void TheCheckerFindsRacingJoinersThatHang()
    {
        var failure = SeededBugs.Expect(() => SeededBugs.JoinerPairWrittenWithoutLock = true, () => SeededBugs.JoinerPairWrittenWithoutLock = false,
            TwoJoinersRacing, preemptionBound: 3);
        output.WriteLine(failure.Message);
        Assert.Contains("was accepted and resumed 0 times", failure.Message);
    }

    /// <summary>The review's defect 4: a finisher between the two writes pairs the old joiner with the new token.</summary>
    [Fact]
    public void TheCheckerFindsAJoinerPairedWithAnotherJoinersToken()
    {
        var failure = SeededBugs.Expect(() => SeededBugs.JoinerPairWrittenWithoutLock = true, () => SeededBugs.JoinerPairWrittenWithoutLock = false,
            ReplacementJoinerRacingFinisher, preemptionBound: 3);
        output.WriteLine(failure.Message);
        Assert.Contains("the joiner that gave up was resumed", failure.Message);
    }

    private static Func<(Action[] Threads, Action Check)> Model(string name) => name switch
    {
        nameof(JoinerRacingFinisher) => JoinerRacingFinisher,
        nameof(TwoJoinersRacing) => TwoJoinersRacing,
        _ => ReplacementJoinerRacingFinisher,
    };
}
