using Tandem.Host;

namespace Tandem.Tests.Host;

/// <summary>A host task that is only ever queued, never run: what the queue tests move around.</summary>
internal sealed class QueueTestTask(int number) : HostTask
{
    internal int Number { get; } = number;

    protected override bool PollBody() => throw new InvalidOperationException("A queue test's task is never run.");

    protected override bool FailBody(Exception exception) => true;

    protected override void Recycle() { }
}
