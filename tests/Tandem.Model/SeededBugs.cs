namespace Tandem.Model;

/// <summary>
/// Test-only variants of the structures (compiled in the model build only): each reintroduces a bug the checker must
/// find within its bound. A model test turns one on, expects a <see cref="ModelFailure"/>, and turns it off.
/// </summary>
public static class SeededBugs
{
    /// <summary>The waker registry's drain clears its pending word after its scan instead of before: a signal that lands
    /// between the scan and the clear is left set but unannounced — a lost wake.</summary>
    public static bool DrainClearsPendingLast;

    /// <summary>The host's shard spin lock checks that it is free, then sets it, instead of taking it with one exchange:
    /// two threads can both enter.</summary>
    public static bool LockChecksThenSets;

    /// <summary>The local queue's owner takes its item with a plain store of the head instead of a CAS: a thief's claim
    /// of the same item also succeeds, and the task runs twice.</summary>
    public static bool PopWritesHeadPlainly;

    /// <summary>The local queue's push counts one slot more room than the ring has: it overwrites the oldest task,
    /// which is lost.</summary>
    public static bool PushCountsOneSlotTooMany;

    /// <summary>The inject queue's push swaps the tail with a read and a write instead of one exchange: two producers
    /// link after the same node, and one task is lost.</summary>
    public static bool LinkReadsThenWritesTail;

    /// <summary>The host join cell's registration writes the joiner and its token before its claiming CAS, with no lock
    /// bit (the review's defects 4 and 5): a finisher can pair one joiner with another's token, and of two racing
    /// joiners the one that believes it won may never be resumed.</summary>
    public static bool JoinerPairWrittenWithoutLock;

    /// <summary>A wait's claim by its event checks the token and then writes it, instead of one CAS: an event and an
    /// abort (or a withdrawal) can both claim the same wait.</summary>
    public static bool FireChecksThenWrites;

    /// <summary>A task's ready list takes a push without looking at the generation again after it (the review's defect
    /// 3): a push that lands after the task finished and retired its list stays there, neither run nor handed on.</summary>
    public static bool EnqueueReadySkipsRecheck;

    /// <summary>A poll runs every item of its ready list, without checking that the item belongs to its generation: a
    /// resumption of a finished task runs inside the object's next task (the review's defect 3).</summary>
    public static bool RunOneIgnoresGeneration;

    /// <summary>The host task's end-of-poll transition reads the run state and writes it back plainly instead of a CAS:
    /// a wake that sets Notified in between is overwritten — the task is neither queued by the waker (it was running) nor
    /// by its worker.</summary>
    public static bool EndOfPollWritesStatePlainly;

    /// <summary>The host task's wake does not compare the generation it was made for: a waker of a finished task wakes
    /// the object's next task.</summary>
    public static bool WakeIgnoresGeneration;

    /// <summary>A worker that a notifier woke as a searcher (and counted as one) does not know it searches: it never
    /// ends that search, the searching count stays above zero, and every later notifier believes someone is looking —
    /// work queued afterwards waits while every worker sleeps.</summary>
    public static bool WokenWorkerForgetsItSearches;

    /// <summary>An abort marks the object's current generation instead of the one its handle was made for (the review's
    /// defect 6): an abort that checked its generation and was preempted while the object finished its task and started
    /// another aborts that unrelated task.</summary>
    public static bool AbortMarksCurrentGeneration;

    /// <summary>The shared pool's refill hands its batch back to the empty stack before copying the items out: another
    /// thread's spill can fill that batch meanwhile, and the same object is handed out twice.</summary>
    public static bool RefillReturnsTheBatchBeforeCopying;

    /// <summary>A blocking-pool thread that found no work leaves the lock still counted and is uncounted in a later step
    /// (the review's defect 2): a job queued between the two sees the thread bound reached and no idle thread, starts
    /// none, and waits until a later job starts one.</summary>
    public static bool ExitingThreadUncountedLate;

    /// <summary>
    /// Turns a seeded bug on, explores <paramref name="model"/>, and turns the bug off: returns the failure the checker
    /// must find (after checking that its printed schedule replays it), and fails the test if it finds none.
    /// </summary>
    public static ModelFailure Expect(Action seed, Action unseed, Func<(Action[] Threads, Action Check)> model, int preemptionBound)
    {
        seed();
        try
        {
            var failure = Assert.Throws<ModelFailure>(() => ModelChecker.Explore(model, preemptionBound));
            Assert.Throws<ModelFailure>(() => ModelChecker.Replay(model, failure.Schedule));
            return failure;
        }
        finally
        {
            unseed();
        }
    }
}
