using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Spec;

/// <summary>
/// The seed's <c>test/std/async_core_spec.spl</c>: the shared types and traits of <c>async_core</c> —
/// <c>Poll</c>, <c>TaskState</c>, <c>Priority</c> (with <c>to_i32</c>), the four traits (<c>FutureCore</c> →
/// <see cref="IFuture{T}"/>, <c>TaskHandleCore</c> → <see cref="JoinHandle{T}"/>, <c>JoinSetCore</c> →
/// <see cref="JoinSet{T}"/>, <c>FuturesUnorderedCore</c> → <see cref="FuturesUnordered{T}"/>) and the
/// constants <c>DEFAULT_MAX_TASKS</c> / <c>DEFAULT_MAX_FUTURES</c>.
/// </summary>
public class CoreSpec
{
    /// <summary>A hand-written future: pending for <c>pendingPolls</c> polls (waking itself each time), then ready.</summary>
    private sealed class CountdownFuture(int pendingPolls, int result) : IFuture<int>, IDisposable
    {
        public int Polls;
        public int Disposals;

        public Poll<int> Poll(PollContext context)
        {
            Polls++;
            if (Polls > pendingPolls) return result;
            context.Waker.Wake();
            return Poll<int>.Pending;
        }

        public void Dispose() => Disposals++;
    }

    /// <summary>A future that stays pending until released, keeping the waker of its last poll.</summary>
    private sealed class GateFuture<T>(T value) : IFuture<T>
    {
        public int Polls;
        public Waker Waker;
        public bool Open;

        public Poll<T> Poll(PollContext context)
        {
            Polls++;
            Waker = context.Waker;
            return Open ? value : Poll<T>.Pending;
        }
    }

    public class DescribePoll
    {
        [Theory]
        [InlineData(0)]
        [InlineData(-7)]
        [InlineData(int.MaxValue)]
        public void ReadyCarriesItsValue(int value)
        {
            var poll = Poll<int>.Ready(value);
            Assert.True(poll.IsReady);
            Assert.False(poll.IsPending);
            Assert.Equal(value, poll.Value);
            Assert.True(poll.TryGetValue(out int got));
            Assert.Equal(value, got);
        }

        [Fact]
        public void PendingHasNoValueAndSaysSo()
        {
            var poll = Poll<string>.Pending;
            Assert.True(poll.IsPending);
            Assert.False(poll.IsReady);
            Assert.Throws<InvalidOperationException>(() => poll.Value);
            Assert.False(poll.TryGetValue(out string? got));
            Assert.Null(got);
            Assert.Equal(Poll<string>.Pending, default(Poll<string>));
        }

        [Fact]
        public void AReadyNullIsStillReadyAndDiffersFromPending()
        {
            // A reference-typed future may legitimately complete with null: readiness is not "has a value".
            var readyNull = Poll<string?>.Ready(null);
            Assert.True(readyNull.IsReady);
            Assert.Null(readyNull.Value);
            Assert.NotEqual(Poll<string?>.Pending, readyNull);
        }

        [Fact]
        public void PollsCompareByReadinessAndValue()
        {
            Assert.Equal(Poll<int>.Ready(3), Poll<int>.Ready(3));
            Assert.True(Poll<int>.Ready(3) == (Poll<int>)3);
            Assert.True(Poll<int>.Ready(3) != Poll<int>.Ready(4));
            Assert.NotEqual(Poll<int>.Ready(0), Poll<int>.Pending);
            Assert.Equal(Poll<int>.Ready(9).GetHashCode(), Poll<int>.Ready(9).GetHashCode());
            Assert.Equal("Ready(3)", Poll<int>.Ready(3).ToString());
            Assert.Equal("Pending", Poll<int>.Pending.ToString());
        }

        [Fact]
        public void TheValuelessPollIsReadyOrPendingAndConvertsOnlyWhenPending()
        {
            Assert.True(Poll.Ready.IsReady);
            Assert.True(Poll.Pending.IsPending);
            Assert.NotEqual(Poll.Ready, Poll.Pending);
            Assert.Equal("Ready", Poll.Ready.ToString());
            Poll<long> fromPending = Poll.Pending;
            Assert.True(fromPending.IsPending);
            // A valueless ready poll has no value to carry into Poll<T>.
            Assert.Throws<InvalidOperationException>(() => { Poll<long> _ = Poll.Ready; });
            Assert.Equal(Poll<double>.Ready(1.5), Poll.FromResult(1.5));
        }
    }

    public class DescribeTaskState
    {
        [Fact]
        public void HasTheSeedsThreeStatesInOrderPlusTwoWaysToEnd()
        {
            // The seed had Pending, Running, Completed; Tandem adds Faulted and Aborted as distinct endings.
            Assert.Equal(0, (int)TaskState.Pending);
            Assert.Equal(1, (int)TaskState.Running);
            Assert.Equal(2, (int)TaskState.Completed);
            Assert.Equal(3, (int)TaskState.Faulted);
            Assert.Equal(4, (int)TaskState.Aborted);
            Assert.Equal(5, Enum.GetValues<TaskState>().Length);
        }

        [Fact]
        public void ATaskGoesFromPendingToRunningToCompleted()
        {
            using var s = new EmbeddedScheduler();
            JoinHandle<int> self = default;
            var seenWhileRunning = new List<TaskState>();
            self = s.Schedule(Priority.Normal, cx =>
            {
                seenWhileRunning.Add(self.State);
                return Poll<int>.Ready(1);
            });
            Assert.Equal(TaskState.Pending, self.State);
            s.RunUntilIdle();
            Assert.Equal([TaskState.Running], seenWhileRunning);
            Assert.Equal(TaskState.Completed, self.State);
            Assert.Equal(1, self.GetResult());
        }

        [Fact]
        public void AThrowingTaskEndsFaultedAndAnAbortedOneEndsAborted()
        {
            using var s = new EmbeddedScheduler();
            var faulted = s.Schedule<int>(Priority.Normal, _ => throw new InvalidDataException("boom"));
            var aborted = s.Schedule(Priority.Normal, _ => Poll<int>.Pending);
            s.RunUntilIdle();
            Assert.Equal(TaskState.Pending, aborted.State);
            aborted.Abort();
            s.RunUntilIdle();
            Assert.Equal(TaskState.Faulted, faulted.State);
            Assert.Equal(TaskState.Aborted, aborted.State);
            Assert.Throws<InvalidDataException>(() => faulted.GetResult());
            Assert.Throws<TaskAbortedException>(() => aborted.GetResult());
        }
    }

    public class DescribePriority
    {
        [Theory]
        [InlineData(Priority.Critical, 0)]
        [InlineData(Priority.High, 1)]
        [InlineData(Priority.Normal, 2)]
        [InlineData(Priority.Low, 3)]
        [InlineData(Priority.Idle, 4)]
        public void ToI32GivesTheLevelsNumber(Priority priority, int number)
        {
            Assert.Equal(number, priority.ToInt32());
            Assert.Equal(priority, Priorities.FromInt32(number));
            Assert.True(priority.IsDefined());
        }

        [Fact]
        public void HasFiveLevelsFromCriticalToIdle()
        {
            Assert.Equal(5, Priorities.Count);
            Assert.Equal([Priority.Critical, Priority.High, Priority.Normal, Priority.Low, Priority.Idle], Priorities.All.ToArray());
            Assert.Equal(Priorities.All.ToArray(), Enum.GetValues<Priority>());
        }

        [Theory]
        [InlineData(-1)]
        [InlineData(5)]
        [InlineData(int.MaxValue)]
        public void NumbersOutsideZeroToFourAreNotLevels(int number)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Priorities.FromInt32(number));
            Assert.False(Priorities.TryFromInt32(number, out _));
            Assert.False(((Priority)number).IsDefined());
        }

        [Theory]
        [InlineData("critical", Priority.Critical)]
        [InlineData("HIGH", Priority.High)]
        [InlineData(" Normal ", Priority.Normal)]
        [InlineData("3", Priority.Low)]
        [InlineData("idle", Priority.Idle)]
        public void ParsesNamesAndNumbers(string text, Priority expected)
        {
            Assert.Equal(expected, Priorities.Parse(text));
            Assert.True(Priorities.TryParse(text, out var p));
            Assert.Equal(expected, p);
        }

        [Theory]
        [InlineData("urgent")]
        [InlineData("7")]
        [InlineData("")]
        public void RejectsTextThatNamesNoLevel(string text)
        {
            Assert.False(Priorities.TryParse(text, out _));
            Assert.Throws<ArgumentOutOfRangeException>(() => Priorities.Parse(text));
        }

        [Fact]
        public void SchedulersRefuseAnUndefinedLevel()
        {
            using var s = new EmbeddedScheduler();
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => s.Schedule((Priority)5, _ => Poll.Ready));
            Assert.Equal("priority", e.ParamName);
            Assert.Equal(0, s.TaskCount);
        }
    }

    public class DescribeFutureCoreTrait
    {
        [Theory]
        [InlineData(0, 11)]
        [InlineData(1, 22)]
        [InlineData(9, 33)]
        public void AFutureIsPolledUntilReadyAndNeverAfter(int pendingPolls, int result)
        {
            using var s = new EmbeddedScheduler();
            var future = new CountdownFuture(pendingPolls, result);
            var h = s.Spawn(Priority.Normal, future);
            Assert.Equal(result, s.BlockOn(h));
            Assert.Equal(pendingPolls + 1, future.Polls);
            Assert.Equal(0, s.RunUntilIdle());
            Assert.Equal(pendingPolls + 1, future.Polls);
        }

        [Fact]
        public void APendingFutureIsPolledAgainOnlyAfterItsWakerFires()
        {
            using var s = new EmbeddedScheduler();
            var future = new GateFuture<string>("done");
            var h = s.Spawn(Priority.Normal, future);
            s.RunUntilIdle();
            s.RunUntilIdle();
            Assert.Equal(1, future.Polls);
            future.Open = true;
            future.Waker.Wake();
            Assert.Equal(1, s.RunUntilIdle());
            Assert.Equal(2, future.Polls);
            Assert.Equal("done", h.GetResult());
        }

        [Fact]
        public void ADisposableFutureIsDisposedOnceWhenItsTaskEnds()
        {
            using var s = new EmbeddedScheduler();
            var completes = new CountdownFuture(2, 5);
            var aborted = new CountdownFuture(int.MaxValue, 0);
            var h1 = s.Spawn(Priority.Normal, completes);
            var h2 = s.Spawn(Priority.Normal, aborted);
            s.PollNext();
            s.PollNext();
            h2.Abort();
            s.RunUntilIdle();
            Assert.Equal(5, h1.GetResult());
            Assert.Throws<TaskAbortedException>(() => h2.GetResult());
            Assert.Equal(1, completes.Disposals);
            Assert.Equal(1, aborted.Disposals);
        }

        [Fact]
        public void APollContextCarriesTheTasksIdAndPriority()
        {
            using var s = new EmbeddedScheduler();
            PollContext seen = default;
            var h = s.Schedule(Priority.Low, cx =>
            {
                seen = cx;
                return Poll.Ready;
            });
            s.RunUntilIdle();
            Assert.Equal(h.Id, seen.TaskId);
            Assert.Equal(Priority.Low, seen.Priority);
            Assert.False(seen.Waker.IsNoop);
        }
    }

    public class DescribeTaskHandleCoreTrait
    {
        [Fact]
        public void IsFinishedTurnsTrueOnlyWhenTheTaskEnds()
        {
            using var s = new EmbeddedScheduler();
            var gate = new GateFuture<int>(8);
            var h = s.Spawn(Priority.Normal, gate);
            s.RunUntilIdle();
            Assert.False(h.IsFinished);
            gate.Open = true;
            gate.Waker.Wake();
            s.RunUntilIdle();
            Assert.True(h.IsFinished);
            Assert.Equal(8, h.GetResult());
            Assert.True(h.IsFinished); // stays true after the join
        }

        [Fact]
        public void AbortStopsAPendingTaskAndLeavesAFinishedOneAlone()
        {
            using var s = new EmbeddedScheduler();
            var done = s.Schedule(Priority.Normal, _ => Poll<int>.Ready(4));
            var pending = s.Schedule(Priority.Normal, _ => Poll<int>.Pending);
            s.RunUntilIdle();
            done.Abort();
            pending.Abort();
            s.RunUntilIdle();
            Assert.Equal(4, done.GetResult());
            var e = Assert.Throws<TaskAbortedException>(() => pending.GetResult());
            Assert.Equal(pending.Id, e.TaskId);
        }

        [Fact]
        public void AHandleIsJoinedOnceAndCannotBeJoinedEarly()
        {
            using var s = new EmbeddedScheduler();
            var h = s.Schedule(Priority.Normal, _ => Poll<int>.Ready(3));
            Assert.Throws<InvalidOperationException>(() => h.GetResult()); // not finished
            s.RunUntilIdle();
            Assert.Equal(3, h.GetResult());
            Assert.Throws<InvalidOperationException>(() => h.GetResult()); // already joined
            Assert.Equal(TaskState.Completed, h.State); // but how it ended is still readable
        }

        [Fact]
        public void EachHandleHasAPositiveIdUniqueAmongItsPeers()
        {
            using var s = new EmbeddedScheduler();
            var ids = Enumerable.Range(0, 10).Select(_ => s.Schedule(Priority.Normal, _ => Poll.Ready).Id).ToList();
            Assert.All(ids, id => Assert.True(id > 0));
            Assert.Equal(ids.Count, ids.Distinct().Count());
            Assert.Equal(ids.Order(), ids); // allocated in spawn order
        }

        [Fact]
        public void ADefaultHandleBelongsToNoTask()
        {
            JoinHandle<int> none = default;
            Assert.Equal(0, none.Id);
            Assert.Throws<InvalidOperationException>(() => none.IsFinished);
            Assert.Throws<InvalidOperationException>(() => none.Abort());
        }
    }

    public class DescribeJoinSetCoreTrait
    {
        [Fact]
        public void JoinsTasksInTheOrderTheyFinishNotTheOrderTheyWereSpawned()
        {
            using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = new VirtualClock() });
            var order = s.BlockOn(async () =>
            {
                using var set = s.CreateJoinSet<int>();
                foreach (int ms in new[] { 30, 10, 20 })
                    set.Spawn(Priority.Normal, ms, static async ms =>
                    {
                        await Async.Delay(TimeSpan.FromMilliseconds(ms));
                        return ms;
                    });
                var got = new List<int>();
                while (!set.IsEmpty) got.Add(await set.JoinNextAsync());
                return got;
            });
            Assert.Equal([10, 20, 30], order);
        }

        [Fact]
        public void TryJoinNextSaysFalseUntilATaskHasFinished()
        {
            using var s = new EmbeddedScheduler();
            using var set = s.CreateJoinSet<int>();
            set.Spawn(Priority.Normal, 6, static async v =>
            {
                await Async.Yield();
                return v;
            });
            Assert.Equal(1, set.Count);
            Assert.False(set.TryJoinNext(out _));
            s.RunUntilIdle();
            Assert.True(set.TryJoinNext(out int result));
            Assert.Equal(6, result);
            Assert.True(set.IsEmpty);
            Assert.False(set.TryJoinNext(out _));
        }

        [Fact]
        public void AbortAllKeepsTheTasksInTheSetToJoinAsAborted()
        {
            using var s = new EmbeddedScheduler();
            using var set = s.CreateJoinSet<int>();
            for (int i = 0; i < 3; i++)
                set.Spawn(Priority.Normal, i, static async i =>
                {
                    await Async.Delay(TimeSpan.FromDays(1));
                    return i;
                });
            s.RunUntilIdle();
            set.AbortAll();
            s.RunUntilIdle();
            Assert.Equal(3, set.Count);
            for (int i = 0; i < 3; i++) Assert.Throws<TaskAbortedException>(() => set.TryJoinNext(out _));
            Assert.True(set.IsEmpty);
        }
    }

    public class DescribeFuturesUnorderedCoreTrait
    {
        [Fact]
        public void YieldsFuturesResultsAsTheyBecomeReady()
        {
            var set = new FuturesUnordered<string>();
            var a = new GateFuture<string>("a");
            var b = new GateFuture<string>("b");
            set.Push(a);
            set.Push(b);
            Assert.False(set.TryNext(out _)); // first polls: both pending
            Assert.Equal(1, a.Polls);
            b.Open = true;
            b.Waker.Wake();
            Assert.True(set.TryNext(out string? first));
            Assert.Equal("b", first);
            Assert.Equal(1, a.Polls); // a was not woken, so not polled again
            a.Open = true;
            a.Waker.Wake();
            Assert.True(set.TryNext(out string? second));
            Assert.Equal("a", second);
            Assert.True(set.IsEmpty);
        }

        [Fact]
        public void MixesSpawnedTasksWithHandWrittenFutures()
        {
            using var s = new EmbeddedScheduler();
            int[] results = s.BlockOn(async () =>
            {
                using var set = s.CreateFuturesUnordered<int>();
                set.Push(new CountdownFuture(3, 300));
                set.Push(s.Spawn(Priority.Normal, async () =>
                {
                    await Async.Yield();
                    return 100;
                }));
                var got = new List<int>();
                while (!set.IsEmpty) got.Add(await set.NextAsync());
                return got.Order().ToArray();
            });
            Assert.Equal([100, 300], results);
        }

        [Fact]
        public void AnEmptySetHasNothingToWaitFor()
        {
            var set = new FuturesUnordered<int>(4);
            Assert.True(set.IsEmpty);
            Assert.False(set.TryNext(out _));
            Assert.Throws<InvalidOperationException>(() => set.NextAsync());
        }
    }

    public class DescribeConstants
    {
        [Fact]
        public void DefaultMaxTasksIsSixteenAndSizesADefaultEmbeddedScheduler()
        {
            Assert.Equal(16, TandemDefaults.DefaultMaxTasks);
            using var s = new EmbeddedScheduler();
            Assert.Equal(TandemDefaults.DefaultMaxTasks, s.Capacity);
            Assert.Equal(TandemDefaults.DefaultMaxTasks, new EmbeddedOptions().MaxTasks);
        }

        [Fact]
        public void DefaultMaxFuturesIsThirtyTwoAndSizesDefaultSets()
        {
            Assert.Equal(32, TandemDefaults.DefaultMaxFutures);
            using var s = new EmbeddedScheduler();
            using var set = s.CreateJoinSet<int>();
            using var unordered = s.CreateFuturesUnordered<int>();
            Assert.Equal(TandemDefaults.DefaultMaxFutures, set.Capacity);
            Assert.Equal(TandemDefaults.DefaultMaxFutures, unordered.Capacity);
            Assert.Equal(TandemDefaults.DefaultMaxFutures, new FuturesUnordered<int>().Capacity);
        }
    }

    public class DescribeSeedExample3PrioritySystem
    {
        [Fact]
        public void TheFiveLevelsMapToZeroThroughFour()
        {
            Priority[] priorities = [Priority.Critical, Priority.High, Priority.Normal, Priority.Low, Priority.Idle];
            var printed = new List<string>();
            int i = 0;
            while (i < 5)
            {
                var pri = priorities[i];
                printed.Add($"{pri} -> {pri.ToInt32()}");
                i++;
            }
            Assert.Equal(["Critical -> 0", "High -> 1", "Normal -> 2", "Low -> 3", "Idle -> 4"], printed);
        }
    }
}
