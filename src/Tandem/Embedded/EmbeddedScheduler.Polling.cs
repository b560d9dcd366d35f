using System.Diagnostics;
using System.Numerics;

namespace Tandem.Embedded;

// Picking the next task, polling it through the shared harness, and what follows a poll: requeueing, finishing, freeing.
public sealed partial class EmbeddedScheduler
{
    private void MakeReady(EmbeddedTask slot)
    {
        slot.NoteReady();
        slot.TransitionToReady();
        int level = (int)slot.Priority;
        _ready[level].Add(slot);
        _readyLevels |= 1 << level;
    }

    private bool PollOne()
    {
        if (_chooser is not null) return PollOneChosen(_chooser);
        if (_registry.HasSignals) _registry.Drain(this, s_onSignalled);
        if (_timers.Count > 0) FireDueTimers();
        if (_readyLevels == 0) return false;
        int level = BitOperations.TrailingZeroCount(_readyLevels);
        var queue = _ready[level];
        var slot = queue.Take();
        if (queue.IsEmpty) _readyLevels &= ~(1 << level);
        // Counted from the first poll on, on this thread: what ran outside the loop had no task's context to capture.
        if (!_windows.Counting) _windows.Begin();
        PollSlot(slot);
        return true;
    }

    private void PollSlot(EmbeddedTask slot) => _site.Poll(slot, new SlotWork(this, slot));

    /// <summary>This tier's part of a poll (<see cref="PollSite.Poll{TWork}"/>): the slot's transitions around it, the
    /// body's work and its fault path.</summary>
    private readonly struct SlotWork(EmbeddedScheduler scheduler, EmbeddedTask slot) : ITaskWork
    {
        public void BeforePoll() => scheduler.StartRunning(slot);

        public bool Poll() => slot.Body!.Poll(slot);

        public bool Fail(Exception exception) => slot.Body!.Fail(exception);

        public bool AfterPoll(bool finished)
        {
            scheduler.StopRunning(slot, finished);
            return finished;
        }
    }

    /// <summary>Ready → Running (loop thread).</summary>
    private void StartRunning(EmbeddedTask slot)
    {
        slot.TransitionToRunning();
        slot.NotePolledIn(in _windows);
        _polling = true;
    }

    /// <summary>Running → Done (finished), → Ready (woken during the poll: the back of its level) or → Waiting (loop thread).</summary>
    private void StopRunning(EmbeddedTask slot, bool finished)
    {
        _polling = false;
        _windows.AfterPoll();
        if (finished) Finish(slot);
        else if (slot.TransitionToWaiting()) MakeReady(slot); // woken during its poll: the back of its level
    }

    private void Finish(EmbeddedTask slot)
    {
        Debug.Assert(_live > 0, "a finishing task was counted live");
        slot.TransitionToDone();
        _live--;
        var body = slot.Body!;
        CountFinished(slot, body.Outcome);
        if (body.Detached)
        {
            Release(slot);
        }
        else if (body.Listener is { } listener)
        {
            listener.OnMemberFinished(body.ListenerTag);
        }
        else if (!body.Joiner.IsEmpty && body.Joiner.Fire())
        {
            // The joiner resumes and joins, which frees the slot.
        }
        else
        {
            body.Joiner = default;
            _slots.AddReclaimable(slot);
        }
    }

    /// <summary>Frees a finished slot after its outcome was joined or given up.</summary>
    internal void Release(EmbeddedTask slot)
    {
        var body = slot.Body!;
        bool unobserved = body is { Outcome: TaskState.Faulted, Observed: false };
        if (unobserved) body.Observed = true;
        long id = slot.Id;
        if (unobserved) RaiseUnobserved(id, body);
        slot.TransitionToFree();
        body.Recycle(_bodies);
        _slots.PutFree(slot);
    }
}
