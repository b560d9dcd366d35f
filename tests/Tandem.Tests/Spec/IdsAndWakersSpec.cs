using System.Collections.Concurrent;
using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Spec;

/// <summary>
/// The seed's <c>test/std/async_sffi_spec.spl</c>: the "pure Simple FFI" layer — <c>task_alloc_id</c> →
/// <see cref="TaskIds.Allocate"/>; <c>waker_signal</c> / <c>waker_check</c> / <c>waker_clear</c> / reset →
/// <see cref="WakerRegistry"/> — with multiple simultaneous signals, out-of-range indices, and a real
/// scheduler's task woken through its registry index from another thread. Also the seed's usage examples 1
/// (task ids) and 2 (waker system).
/// </summary>
/// <remarks>
/// Differences from the seed:
/// <list type="bullet">
/// <item>The seed's <c>NEXT_TASK_ID</c> started at 0 and was a module global. Tandem's ids start at 1 (0 means
/// "no task", e.g. <see cref="Async.CurrentTaskId"/> outside a task), are process-wide and thread-safe, and
/// <see cref="TaskIds.PeekNext"/> plays <c>NEXT_TASK_ID</c>. Tests run in parallel and spawn tasks, so these
/// specs check "strictly increasing", not "consecutive".</item>
/// <item>The seed's <c>WAKER_REGISTRY</c> was one global array of 64 flags; <c>waker_signal</c> silently ignored
/// an index of 64 or more and <c>waker_check</c> returned false for it. Tandem has one registry per scheduler,
/// sized to its capacity (1 to 262,144); an out-of-range index makes <see cref="WakerRegistry.Signal"/>,
/// <see cref="WakerRegistry.Check"/> and <see cref="WakerRegistry.Clear"/> throw, and
/// <see cref="WakerRegistry.TrySignal"/> return false, without touching any flag.</item>
/// <item>The seed's <c>waker_signal(scheduler_ref, task_id)</c> took the scheduler as an argument; in Tandem
/// the registry instance is the scheduler's (<see cref="EmbeddedScheduler.Wakers"/>).</item>
/// </list>
/// </remarks>
public class IdsAndWakersSpec
{
    /// <summary>Runs <paramref name="body"/> on <paramref name="count"/> dedicated threads released together; fails on any error or hang.</summary>
    private static void OnThreads(int count, Action<int> body) => Bounded.Run(() =>
    {
        using var start = new Barrier(count);
        var errors = new ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, count).Select(t => TestUtil.StartThread(() =>
        {
            start.SignalAndWait();
            body(t);
        }, errors.Enqueue)).ToList();
        threads.ForEach(TestUtil.JoinOrFail);
        Assert.Empty(errors);
    });

    public class DescribeTaskAllocId
    {
        [Theory]
        [InlineData(3)]
        [InlineData(100)]
        [InlineData(10_000)]
        public void GivesPositiveIdsEachGreaterThanTheLast(int count)
        {
            long previous = 0;
            for (int i = 0; i < count; i++)
            {
                long id = TaskIds.Allocate();
                Assert.True(id > previous, $"id {id} came after {previous}");
                previous = id;
            }
            Assert.True(TaskIds.PeekNext > previous);
        }

        [Fact]
        public void NeverGivesTheSameIdTwiceAcrossThreads()
        {
            const int Threads = 6, PerThread = 5_000;
            var all = new ConcurrentBag<long>();
            OnThreads(Threads, _ =>
            {
                long previous = 0;
                for (int i = 0; i < PerThread; i++)
                {
                    long id = TaskIds.Allocate();
                    Assert.True(id > previous); // increasing on each thread, too
                    previous = id;
                    all.Add(id);
                }
            });
            Assert.Equal(Threads * PerThread, all.Distinct().Count());
        }

        [Fact]
        public void SpawnedTasksTakeTheirIdsFromTheSameCounter()
        {
            using var s = new EmbeddedScheduler();
            long before = TaskIds.Allocate();
            var a = s.Schedule(Priority.Normal, _ => Poll.Ready);
            var b = s.Schedule(Priority.Normal, _ => Poll.Ready);
            long after = TaskIds.Allocate();
            Assert.InRange(a.Id, before + 1, after - 1);
            Assert.InRange(b.Id, a.Id + 1, after - 1);
        }
    }

    public class DescribeWakerSignalAndCheck
    {
        [Theory]
        [InlineData(0)]
        [InlineData(5)]
        [InlineData(31)]
        [InlineData(63)]
        public void SignallingOneIndexSetsThatFlagAlone(int index)
        {
            var registry = new WakerRegistry(64); // the seed's size
            Assert.False(registry.Check(index));
            registry.Signal(index);
            Assert.True(registry.Check(index));
            Assert.True(registry.HasSignals);
            Assert.Equal(1, registry.CountSignalled());
            for (int i = 0; i < 64; i++)
                if (i != index) Assert.False(registry.Check(i), $"flag {i} was set by signalling {index}");
        }

        [Fact]
        public void SignallingASetFlagAgainKeepsOneFlag()
        {
            var registry = new WakerRegistry(64);
            for (int i = 0; i < 10; i++) registry.Signal(12);
            Assert.Equal(1, registry.CountSignalled());
            Assert.True(registry.Clear(12));
            Assert.False(registry.Check(12)); // one clear undoes any number of signals
        }

        [Fact]
        public void CheckingDoesNotConsumeTheSignal()
        {
            var registry = new WakerRegistry(8);
            registry.Signal(7);
            for (int i = 0; i < 3; i++) Assert.True(registry.Check(7));
            Assert.Equal(1, registry.CountSignalled());
        }
    }

    public class DescribeWakerClearAndReset
    {
        [Fact]
        public void ClearReportsWhetherTheFlagWasSetAndLeavesTheOthers()
        {
            var registry = new WakerRegistry(128);
            registry.Signal(3);
            registry.Signal(64);
            Assert.True(registry.Clear(64));
            Assert.False(registry.Clear(64));
            Assert.False(registry.Clear(4));
            Assert.True(registry.Check(3));
            Assert.False(registry.Check(64));
            Assert.Equal(1, registry.CountSignalled());
        }

        [Theory]
        [InlineData(64)]
        [InlineData(300)]
        [InlineData(5000)]
        public void ResetClearsEveryFlagInEveryWord(int capacity)
        {
            var registry = new WakerRegistry(capacity);
            for (int i = 0; i < capacity; i += 7) registry.Signal(i);
            registry.Signal(capacity - 1);
            Assert.True(registry.CountSignalled() > 1);
            registry.Reset();
            Assert.Equal(0, registry.CountSignalled());
            Assert.False(registry.HasSignals);
            Assert.False(registry.Check(capacity - 1));
            registry.Signal(0); // usable again after a reset
            Assert.True(registry.Check(0));
        }
    }

    public class DescribeMultipleSimultaneousSignals
    {
        [Fact]
        public void SignalsOfDistinctIndicesFromManyThreadsAllLand()
        {
            const int Threads = 8, Capacity = 1024;
            var registry = new WakerRegistry(Capacity);
            OnThreads(Threads, t =>
            {
                for (int i = t; i < Capacity; i += Threads) registry.Signal(i); // neighbouring bits of the same words
            });
            Assert.Equal(Capacity, registry.CountSignalled());
            for (int i = 0; i < Capacity; i++) Assert.True(registry.Check(i));
        }

        [Fact]
        public void SignalsAndClearsOfDifferentIndicesDoNotDisturbEachOther()
        {
            // Signal and clear share words: index 2k is only ever signalled, 2k+1 signalled then cleared.
            const int Capacity = 256;
            var registry = new WakerRegistry(Capacity);
            OnThreads(4, t =>
            {
                for (int round = 0; round < 200; round++)
                    for (int i = t; i < Capacity; i += 4)
                    {
                        registry.Signal(i);
                        if (i % 2 == 1) registry.Clear(i);
                    }
            });
            for (int i = 0; i < Capacity; i++) Assert.Equal(i % 2 == 0, registry.Check(i));
        }
    }

    public class DescribeOutOfRangeIndices
    {
        [Theory]
        [InlineData(64)]
        [InlineData(65)]
        [InlineData(-1)]
        [InlineData(int.MinValue)]
        public void AreRefusedWithoutTouchingAnyFlag(int index)
        {
            // The seed ignored index >= 64 silently; Tandem refuses it loudly (or returns false from TrySignal).
            var registry = new WakerRegistry(64);
            registry.Signal(0);
            registry.Signal(63);
            Assert.False(registry.TrySignal(index));
            Assert.Throws<ArgumentOutOfRangeException>(() => registry.Signal(index));
            Assert.Throws<ArgumentOutOfRangeException>(() => registry.Check(index));
            Assert.Throws<ArgumentOutOfRangeException>(() => registry.Clear(index));
            Assert.Equal(2, registry.CountSignalled());
            Assert.True(registry.Check(0));
            Assert.True(registry.Check(63));
        }

        [Fact]
        public void ASchedulersRegistryEndsAtItsCapacityNotAtSixtyFour()
        {
            using var small = new EmbeddedScheduler(10);
            Assert.False(small.Wakers.TrySignal(10));
            Assert.Throws<ArgumentOutOfRangeException>(() => small.Wakers.Signal(63)); // within the seed's 64, beyond this one
            using var large = new EmbeddedScheduler(200);
            Assert.True(large.Wakers.TrySignal(150)); // beyond the seed's 64, within this one
            Assert.False(large.TryGetTaskAt(150, out _));
            Assert.Equal(0, large.RunUntilIdle()); // a signal for an empty slot wakes nothing
            Assert.Equal(0, large.Registry.CountSignalled()); // and is consumed
        }
    }

    public class DescribeWakingARealSchedulerTask
    {
        [Fact]
        public void TasksRegistryIndexIsItsSlotAndNamesIt()
        {
            using var s = new EmbeddedScheduler(4);
            var indices = new int[3];
            var handles = new JoinHandle<int>[3];
            for (int i = 0; i < 3; i++)
                handles[i] = s.Schedule(Priority.Normal, (indices, i), static (st, cx) =>
                {
                    st.indices[st.i] = cx.Waker.RegistryIndex;
                    return Poll<int>.Pending;
                });
            s.RunUntilIdle();
            Assert.Equal([0, 1, 2], indices); // slots are taken lowest first
            for (int i = 0; i < 3; i++)
            {
                Assert.True(s.TryGetTaskAt(indices[i], out long id));
                Assert.Equal(handles[i].Id, id);
            }
            Assert.False(s.TryGetTaskAt(3, out _));
        }

        [Fact]
        public void SignallingItsIndexFromAnotherThreadWakesAParkedScheduler() => Bounded.Run(() =>
        {
            using var s = new EmbeddedScheduler();
            int index = -1, released = 0, polls = 0;
            var h = s.Schedule(Priority.Normal, cx =>
            {
                polls++;
                index = cx.Waker.RegistryIndex;
                return Volatile.Read(ref released) == 1 ? Poll<int>.Ready(polls) : Poll<int>.Pending;
            });
            s.RunUntilIdle();
            Assert.True(s.IsIdle);
            var loop = Thread.CurrentThread;
            Exception? error = null;
            var interrupt = TestUtil.StartThread(() =>
            {
                TestUtil.WaitUntilBlocked(loop); // BlockOn below has parked: nothing is ready
                Volatile.Write(ref released, 1);
                s.Wakers.Signal(index); // an interrupt-like callback knows only the index
            }, e => error = e);
            Assert.Equal(2, s.BlockOn(h));
            TestUtil.JoinOrFail(interrupt);
            Assert.Null(error);
        });

        [Fact]
        public void AForeignThreadsWakeWaitsInTheRegistryUntilTheLoopTakesItOnce() => Bounded.Run(() =>
        {
            using var s = new EmbeddedScheduler();
            var waker = Waker.Noop;
            int polls = 0;
            s.Schedule(Priority.Normal, cx =>
            {
                waker = cx.Waker;
                return ++polls == 2 ? Poll.Ready : Poll.Pending;
            });
            s.RunUntilIdle();
            int index = waker.RegistryIndex;
            var t = new Thread(() =>
            {
                waker.Wake();
                waker.Wake();
            });
            t.Start();
            t.Join();
            Assert.True(s.Registry.Check(index));
            Assert.Equal(1, s.RunUntilIdle()); // two wakes, one poll
            Assert.False(s.Registry.Check(index));
            Assert.Equal(2, polls);
            Assert.Equal(0, s.TaskCount);
        });

        [Fact]
        public void AClearedSignalNoLongerWakesTheTask()
        {
            using var s = new EmbeddedScheduler();
            int index = -1, polls = 0;
            s.Schedule(Priority.Normal, cx =>
            {
                polls++;
                index = cx.Waker.RegistryIndex;
                return Poll.Pending;
            });
            s.RunUntilIdle();
            s.Wakers.Signal(index);
            Assert.True(s.Registry.Clear(index)); // withdrawn before the loop drained it
            Assert.Equal(0, s.RunUntilIdle());
            Assert.Equal(1, polls);
            s.Wakers.Signal(index);
            Assert.Equal(1, s.RunUntilIdle());
            Assert.Equal(2, polls);
        }
    }

    public class DescribeSeedExamples
    {
        [Fact]
        public void Example1TaskIdAllocation()
        {
            long id1 = TaskIds.Allocate();
            long id2 = TaskIds.Allocate();
            long id3 = TaskIds.Allocate();
            // The seed printed 0, 1, 2 and "Next ID: 3". Tandem's ids start at 1 and are shared by the whole
            // process (other tests allocate concurrently), so: increasing, and the next one is beyond id3.
            Assert.True(id1 > 0);
            Assert.True(id2 > id1);
            Assert.True(id3 > id2);
            Assert.True(TaskIds.PeekNext > id3);
        }

        [Fact]
        public void Example2WakerSystem()
        {
            // waker_signal(0, 5): scheduler 0's registry, task 5.
            using var scheduler = new EmbeddedScheduler(64);
            var registry = scheduler.Registry; // the loop's own view: users get WakeSignals, signal-only
            registry.Signal(5);
            bool hasWake = registry.Check(5);
            Assert.True(hasWake);
            registry.Clear(5);
            bool afterClear = registry.Check(5);
            Assert.False(afterClear);
        }
    }
}
