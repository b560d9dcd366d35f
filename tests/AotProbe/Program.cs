using Tandem;
using Tandem.Embedded;

// NativeAOT probe: the embedded tier's spawn, yield, delay on a virtual clock, join, a one-shot channel and an
// MPSC channel, measured with GC.GetAllocatedBytesForCurrentThread after two warm-up cycles.
// Prints "<bytes> bytes for <n> tasks" and exits 1 unless the bytes are 0.
using var scheduler = new EmbeddedScheduler(new EmbeddedOptions { MaxTasks = 64, Clock = new VirtualClock() });
var pipe = new Pipe();
var handles = new JoinHandle<int>[16];

void Cycle()
{
    pipe.Reset();
    for (int i = 0; i < handles.Length; i++)
        handles[i] = scheduler.Spawn(Priority.Normal, (pipe, i), static async s =>
        {
            await Async.Yield();
            await Async.Delay(TimeSpan.FromMilliseconds(1 + s.i % 3));
            s.pipe.Items.TrySend(s.i);
            return s.i;
        });
    var consumer = scheduler.Spawn(Priority.High, pipe, static async p =>
    {
        int sum = 0;
        for (int i = 0; i < 16; i++) sum += await p.Items.ReceiveAsync();
        p.Done.Send(sum);
        return sum;
    });
    var waiter = scheduler.Spawn(Priority.Low, pipe, static async p => await p.Done.ReceiveAsync());
    int total = 0;
    for (int i = 0; i < handles.Length; i++) total += scheduler.BlockOn(handles[i]);
    if (scheduler.BlockOn(consumer) != total || scheduler.BlockOn(waiter) != total) throw new InvalidOperationException("the probe's tasks disagree");
}

// The warm-up: the first cycle grows the pools to the peak; in the second, the slots whose tasks were polled while
// the pools grew (allocations Tandem cannot tell from a captured context) take a context object of their own.
Cycle();
Cycle();
long before = GC.GetAllocatedBytesForCurrentThread();
const int Cycles = 1000;
for (int c = 0; c < Cycles; c++) Cycle();
long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
Console.WriteLine($"{bytes} bytes for {Cycles * (handles.Length + 2)} tasks (code compiled at run time: {System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeCompiled})");
return bytes == 0 ? 0 : 1;

sealed class Pipe
{
    public readonly MpscChannel<int> Items = new(32);
    public readonly OneShot<int> Done = new();

    public void Reset() => Done.Reset();
}
