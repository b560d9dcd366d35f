using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Tandem.Net.Internal;

/// <summary>
/// One direction of a connection (its receives, or its sends): a reusable socket operation awaited as a
/// <see cref="ValueTask{TResult}"/> without allocating, whose completion resumes the awaiting Tandem task directly.
/// </summary>
/// <remarks>
/// <para>Why not the socket's own <c>ReceiveAsync(Memory)</c>: its completion resumes an awaiter through the captured
/// synchronization context — the Tandem task's — with a <c>Post</c> that allocates (a tuple, and the task's posted
/// callback), about 80 bytes per receive. Here the completion calls the awaiter's continuation itself: for a Tandem
/// async method that continuation queues the method on its own task (at its priority, no allocation), which is all the
/// context's <c>Post</c> did, one step shorter.</para>
/// <para>Other awaiters (plain <c>async Task</c> code) resume as with the BCL's sockets: through the synchronization
/// context they awaited in, or else on the .NET thread pool — never inline on the socket engine's thread.</para>
/// <para>States, in <c>_continuation</c>: null while the operation is pending and nobody awaits it; the awaiter's
/// continuation once registered; <see cref="s_completed"/> once the operation completed. The completion and the
/// registration each swap it once, so exactly one of them runs the continuation.</para>
/// </remarks>
internal sealed class SocketOperation : SocketAsyncEventArgs, IValueTaskSource<int>
{
    private static readonly Action<object?> s_completed = static _ => throw new InvalidOperationException("A completed operation's marker is never run.");

    private Action<object?>? _continuation;
    private object? _state;
    private ExecutionContext? _context;
    private short _version;
    private int _bytes;
    private SocketError _error;

    public SocketOperation() : base(true)
    {
    }

    /// <summary>Starts a receive into <paramref name="buffer"/>.</summary>
    public ValueTask<int> Receive(Socket socket, Memory<byte> buffer)
    {
        short version = Begin(buffer);
        return socket.ReceiveAsync(this) ? new ValueTask<int>(this, version) : Finished();
    }

    /// <summary>Starts a send of <paramref name="data"/> (completes when all of it was taken).</summary>
    public ValueTask<int> Send(Socket socket, ReadOnlyMemory<byte> data)
    {
        short version = Begin(System.Runtime.InteropServices.MemoryMarshal.AsMemory(data));
        return socket.SendAsync(this) ? new ValueTask<int>(this, version) : Finished();
    }

    private short Begin(Memory<byte> buffer)
    {
        _continuation = null;
        _state = null;
        _context = null;
        _postTo = null;
        SetBuffer(buffer);
        return ++_version;
    }

    /// <summary>The operation completed before the socket call returned.</summary>
    private ValueTask<int> Finished()
    {
        SetBuffer(Memory<byte>.Empty); // let go of the caller's buffer
        return SocketError == SocketError.Success ? new ValueTask<int>(BytesTransferred)
            : ValueTask.FromException<int>(new SocketException((int)SocketError));
    }

    /// <summary>The socket engine's completion (its thread).</summary>
    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        _bytes = BytesTransferred;
        _error = SocketError;
        // The buffer stays set until the next operation: the connection may have been closed (and this operation
        // disposed) while it was in flight, and a disposed operation cannot be configured any more.
        var continuation = Interlocked.Exchange(ref _continuation, s_completed);
        if (continuation is not null) Run(continuation, registering: false);
    }

    public ValueTaskSourceStatus GetStatus(short token)
    {
        Check(token);
        if (!ReferenceEquals(Volatile.Read(ref _continuation), s_completed)) return ValueTaskSourceStatus.Pending;
        return _error == SocketError.Success ? ValueTaskSourceStatus.Succeeded
            : _error == SocketError.OperationAborted ? ValueTaskSourceStatus.Canceled : ValueTaskSourceStatus.Faulted;
    }

    public int GetResult(short token)
    {
        Check(token);
        if (!ReferenceEquals(Volatile.Read(ref _continuation), s_completed))
            throw new InvalidOperationException("The socket operation has not completed: await it.");
        if (_error != SocketError.Success) throw new SocketException((int)_error);
        return _bytes;
    }

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        Check(token);
        _state = state;
        // How the continuation resumes, decided on the awaiting thread: a Tandem async method's resumption is called
        // directly (it queues the method on its own task); other code resumes through the synchronization context it
        // awaited in, if asked, or else on the thread pool.
        _resume = IsTandemResumption(state) ? Resume.Directly
            : (flags & ValueTaskSourceOnCompletedFlags.UseSchedulingContext) != 0 && SynchronizationContext.Current is { } context
                && context.GetType() != typeof(SynchronizationContext) ? Resume.Post : Resume.ThreadPool;
        _postTo = _resume == Resume.Post ? SynchronizationContext.Current : null;
        if ((flags & ValueTaskSourceOnCompletedFlags.FlowExecutionContext) != 0) _context = ExecutionContext.Capture();
        var previous = Interlocked.CompareExchange(ref _continuation, continuation, null);
        if (previous is null) return; // the completion runs it
        if (!ReferenceEquals(previous, s_completed)) throw new InvalidOperationException("A socket operation is awaited once.");
        Run(continuation, registering: true);
    }

    private enum Resume : byte
    {
        Directly,
        Post,
        ThreadPool,
    }

    private Resume _resume;
    private SynchronizationContext? _postTo;

    private void Run(Action<object?> continuation, bool registering)
    {
        var state = _state;
        switch (_resume)
        {
            case Resume.Directly:
                // Queues the method on its task, from any thread; inside the registration it queues it on the task's own
                // poll, which runs it after the poll's current step: no re-entry either way.
                if (_context is null) continuation(state);
                else ExecutionContext.Run(_context, static s => { var (c, st) = ((Action<object?>, object?))s!; c(st); }, (continuation, state));
                break;
            case Resume.Post:
                _postTo!.Post(static s => { var (c, st) = ((Action<object?>, object?))s!; c(st); }, (continuation, state));
                break;
            default:
                // Never inline on the socket engine's thread, nor inside the awaiter's registration (its caller would be re-entered).
                if (_context is null) ThreadPool.UnsafeQueueUserWorkItem(continuation, state, preferLocal: false);
                else ThreadPool.QueueUserWorkItem(continuation, state, preferLocal: false);
                break;
        }
        _ = registering;
    }

    /// <summary>True when the awaiter's state is a Tandem async method's resumption: a delegate of Tandem's own, which
    /// queues the method on its task from any thread.</summary>
    private static bool IsTandemResumption(object? state) =>
        state is Action { Target: { } target } && target.GetType().Assembly == typeof(Runtime).Assembly;

    private void Check(short token)
    {
        if (token != _version) throw new InvalidOperationException("This socket operation was awaited already, or belongs to an earlier call.");
    }
}
