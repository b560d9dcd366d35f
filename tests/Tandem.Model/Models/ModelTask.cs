namespace Tandem.Model.Models;

/// <summary>A host task that is only ever queued, never run: the queues' models count which ones come out, and how often.</summary>
internal sealed class ModelTask(int number) : HostTask
{
    public int Number { get; } = number;

    protected override bool PollBody() => throw new InvalidOperationException("A model task is never run.");

    protected override bool FailBody(Exception exception) => true;

    protected override void Recycle() { }

    public override string ToString() => $"task {Number}";

    /// <summary>What a worker does as the task finishes: ends its generation, then (after the join cell's outcome CAS,
    /// a full fence) retires its leftovers.</summary>
    public void Finish()
    {
        EndGeneration();
        Atomic.Fence(); // the join cell's outcome CAS
        Retire();
    }

    /// <summary>What a spawn does to a recycled object: starts its next task (the abort mark is set just behind the
    /// new generation).</summary>
    public void StartNext() => ResetCore(Number, Priority.Normal);
}
