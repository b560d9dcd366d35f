using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Tandem.Net;

namespace Tandem.Http.Internal;

/// <summary>
/// One HTTP/1.1 connection: reads and parses requests at the server's parse priority, runs each route's handler at the
/// route's priority, and writes the responses in order — batching the responses of pipelined requests into one send.
/// </summary>
/// <remarks>
/// <para>The input buffer holds the unread bytes in [<c>_start</c>, <c>_end</c>). The parser copies what it keeps, so
/// a head it is still waiting for takes no room here; a body read with a <c>Content-Length</c> is read in place (the
/// buffer grows to hold it, up to the body limit).</para>
/// <para>Timeouts are one timer per connection (<c>_timeout</c>, whose cancellation resets the socket): armed with the
/// keep-alive timeout while the connection waits for a request, with the headers timeout from a head's first byte until
/// it is complete (not re-armed per read, so a client trickling bytes cannot hold it open), and disarmed while a request
/// is served.</para>
/// </remarks>
internal sealed class HttpConnection
{
    private const int InitialBuffer = 8 * 1024;
    private const int FlushThreshold = 32 * 1024;
    private static readonly byte[] s_continue = "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray();

    private readonly HttpServer _server;
    private readonly TcpConnection _tcp;
    private readonly HttpRequestParser _parser;
    private readonly ChunkedBodyDecoder _chunked;
    private readonly HttpContext _context;
    private readonly ArrayBufferWriter<byte> _out = new(4096);
    private readonly ArrayBufferWriter<byte> _chunkedBody = new(1024);
    private readonly CancellationTokenSource _timeout = new();
    private CancellationTokenSource _requestAborted = new();
    private byte[] _in = ArrayPool<byte>.Shared.Rent(InitialBuffer);
    private int _start, _end;

    // The read-ahead: a receive started while a handler is suspended, so that a client that goes away is noticed (its
    // EOF or reset cancels RequestAborted); its result is handed to the connection's loop as its next receive.
    private readonly OneShot<int> _readAheadDone = new();
    private readonly Action _onReadAhead;
    private ValueTask<int> _readAhead;
    private bool _readAheadActive;

    // The request being served.
    private bool _bodyRead;
    private ReadOnlyMemory<byte> _body;
    private bool _continueSent;
    private bool _closeAfter;

    public HttpConnection(HttpServer server, TcpConnection tcp)
    {
        _server = server;
        _tcp = tcp;
        _parser = new HttpRequestParser(server.Options.Limits);
        _chunked = new ChunkedBodyDecoder(server.Options.Limits);
        _context = new HttpContext(this);
        _onReadAhead = OnReadAhead;
    }

    public HttpRequestHead Head => _parser.Head;

    public async TandemTask RunAsync()
    {
        using var onTimeout = _timeout.Token.Register(static c => ((TcpConnection)c!).Abort(), _tcp);
        using var onClosing = _tcp.Closing.Register(static c => ((HttpConnection)c!).OnServerClosing(), this);
        try
        {
            while (await ReadHeadAsync())
            {
                if (!await ServeAsync()) break;
            }
            if (_out.WrittenCount > 0) await SendOutputAsync();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException && _tcp.IsClosed)
        {
            // The client went away, a timeout reset the connection, or the server's stop aborted it: nothing to answer.
        }
        finally
        {
            _timeout.Dispose();
            _requestAborted.Dispose();
            // A read-ahead still in flight may yet write into the buffer: then it is left to the GC, not pooled.
            if (!_readAheadActive) ArrayPool<byte>.Shared.Return(_in);
            _in = [];
        }
    }

    /// <summary>Set while the connection waits for a new request with nothing of it read: a stop closes it then.</summary>
    private volatile bool _idle;

    private void OnServerClosing()
    {
        if (_idle) _tcp.Dispose(); // between requests: nothing is lost; a request in progress finishes first
    }

    /// <summary>Reads until a head is complete; false when the connection ends (closed, or a refused request answered).</summary>
    private async TandemTask<bool> ReadHeadAsync()
    {
        bool started = false;
        while (true)
        {
            if (_end > _start)
            {
                if (!started)
                {
                    started = true;
                    _timeout.CancelAfter(_server.Options.HeadersTimeout);
                }
                var buffer = new ReadOnlySequence<byte>(_in, _start, _end - _start);
                var status = _parser.ParseHead(buffer, out var consumed);
                _start += (int)buffer.Slice(buffer.Start, consumed).Length;
                if (status == HeadParseStatus.Complete)
                {
                    _timeout.CancelAfter(Timeout.InfiniteTimeSpan);
                    return true;
                }
                if (status == HeadParseStatus.Error)
                {
                    var error = _parser.Error;
                    WriteSimpleResponse(error.StatusCode, error.Reason, keepAlive: false);
                    await SendOutputAsync();
                    return false;
                }
            }
            // More bytes are needed. Responses to pipelined requests go out before we wait.
            if (_out.WrittenCount > 0) await SendOutputAsync();
            if (!started)
            {
                if (_tcp.Closing.IsCancellationRequested) return false;
                _timeout.CancelAfter(_server.Options.KeepAliveTimeout);
            }
            if (_start == _end && !_readAheadActive) _start = _end = 0;
            _idle = !started;
            int n = _readAheadActive ? await TakeReadAheadAsync() : await _tcp.ReceiveAsync(_in.AsMemory(_end));
            _idle = false;
            if (n == 0) return false;
            _end += n;
        }
    }

    /// <summary>Serves the parsed request; false when the connection is to close after it.</summary>
    private async TandemTask<bool> ServeAsync()
    {
        var head = _parser.Head;
        bool keepAlive = head.KeepAlive;
        bool isHead = head.Method == RequestMethod.Head;
        _bodyRead = false;
        _body = default;
        _continueSent = false;
        _closeAfter = false;
        _chunked.Reset();
        var response = _context.Response;
        response.Reset();
        if (!_requestAborted.TryReset())
        {
            _requestAborted.Dispose();
            _requestAborted = new CancellationTokenSource(); // only after a request whose token was cancelled
        }
        _context.RequestAborted = _requestAborted.Token;

        var route = _server.Routes.Find(head.MethodBytes, head.Path, out bool pathKnown);
        if (route is null)
        {
            response.StatusCode = pathKnown ? 405 : 404;
            response.ContentType = "text/plain";
            response.Write(pathKnown ? "Method Not Allowed"u8 : "Not Found"u8);
        }
        else
        {
            await RunHandlerAsync(route);
            if (_tcp.IsClosed) return false;
        }
        if (!await FinishBodyAsync()) keepAlive = false;
        if (_closeAfter || _tcp.Closing.IsCancellationRequested) keepAlive = false; // a stop during the handler: this is the last

        WriteResponse(keepAlive, isHead);
        if (_out.WrittenCount >= FlushThreshold) await SendOutputAsync();
        return keepAlive;
    }

    private async TandemTask RunHandlerAsync(Route route)
    {
        var parsePriority = _server.Options.ParsePriority;
        if (route.Priority != parsePriority) await Async.ChangePriority(route.Priority);
        if (route.Timeout is { } timeout) _requestAborted.CancelAfter(timeout);
        try
        {
            // A handler that completes without suspending costs no allocation: its TandemTask is a completed value.
            var handler = route.Handler(_context);
            if (!handler.IsCompleted) StartReadAhead();
            await handler;
        }
        catch (Exception e) when (!_tcp.IsClosed && e is not TaskAbortedException)
        {
            var response = _context.Response;
            _server.Report(e, Head);
            if (response.HasStarted)
            {
                _tcp.Abort(); // half a response is out: the client must not take it for a whole one
                return;
            }
            response.Reset();
            if (e is HttpBodyException body)
            {
                response.StatusCode = body.StatusCode;
                response.Write(body.Message);
            }
            else
            {
                response.StatusCode = 500;
                response.Write("Internal Server Error"u8);
            }
            response.ContentType = "text/plain";
        }
        finally
        {
            if (route.Timeout is not null) _requestAborted.CancelAfter(Timeout.InfiniteTimeSpan);
        }
        if (route.Priority != parsePriority) await Async.ChangePriority(parsePriority);
    }

    /// <summary>
    /// While a handler is suspended, receives ahead, so that a client that closes or resets the connection cancels the
    /// request's <see cref="HttpContext.RequestAborted"/>. Only when the request's body is all here (or it has none) —
    /// the handler's own body reads then take nothing from the socket — and nothing of a next request is: the bytes
    /// received are simply the next request's. Costs nothing for a handler that does not suspend.
    /// </summary>
    private void StartReadAhead()
    {
        var head = _parser.Head;
        bool bodyHere = head.BodyFraming switch
        {
            RequestBodyFraming.None => _end == _start,
            RequestBodyFraming.ContentLength => _end - _start == head.ContentLength,
            _ => false,
        };
        if (!bodyHere || _readAheadActive || _end == _in.Length || head.ExpectContinue) return;
        _readAheadActive = true;
        _readAhead = _tcp.ReceiveAsync(_in.AsMemory(_end));
        if (_readAhead.IsCompleted) OnReadAhead();
        else _readAhead.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onReadAhead);
    }

    /// <summary>The read-ahead completed (any thread): a close or reset cancels the request; the result goes to the loop.</summary>
    private void OnReadAhead()
    {
        int n;
        try
        {
            n = _readAhead.GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            n = -1; // reset, or closed under us
        }
        if (n <= 0)
        {
            try
            {
                _requestAborted.Cancel(); // the client went away
            }
            catch (ObjectDisposedException)
            {
                // the connection ended meanwhile
            }
        }
        _readAheadDone.Send(n);
    }

    /// <summary>The read-ahead's result, as the loop's next receive: 0 when the client closed (or reset) the connection.</summary>
    private async TandemTask<int> TakeReadAheadAsync()
    {
        int n = await _readAheadDone.ReceiveAsync();
        _readAheadDone.Reset();
        _readAheadActive = false;
        return Math.Max(n, 0);
    }

    /// <summary>Reads the request's whole body (see <see cref="HttpRequest.ReadBodyAsync"/>).</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadBodyAsync()
    {
        if (_bodyRead) return _body;
        var head = _parser.Head;
        switch (head.BodyFraming)
        {
            case RequestBodyFraming.ContentLength:
                int length = checked((int)head.ContentLength!.Value); // the parser bounds it by the body limit
                await EnsureBufferedAsync(length);
                _body = _in.AsMemory(_start, length);
                break;
            case RequestBodyFraming.Chunked:
                _chunkedBody.ResetWrittenCount();
                await DecodeChunkedAsync(keep: true);
                _body = _chunkedBody.WrittenMemory;
                break;
            default:
                _body = default;
                break;
        }
        _bodyRead = true;
        return _body;
    }

    /// <summary>After the handler: steps over the body (read or not), so that the next request starts where it should.
    /// False when the connection must close (a body that cannot be read).</summary>
    private async TandemTask<bool> FinishBodyAsync()
    {
        try
        {
            var head = _parser.Head;
            switch (head.BodyFraming)
            {
                case RequestBodyFraming.ContentLength:
                    long length = head.ContentLength!.Value;
                    if (!_bodyRead && _end - _start < length)
                    {
                        // Unread and not here yet: a client that sent Expect: 100-continue and got no 100 sends none.
                        if (head.ExpectContinue && !_continueSent) return false;
                        await SkipAsync(length);
                        return true;
                    }
                    _start += (int)length;
                    return true;
                case RequestBodyFraming.Chunked:
                    if (!_bodyRead)
                    {
                        if (head.ExpectContinue && !_continueSent) return false;
                        await DecodeChunkedAsync(keep: false);
                    }
                    return true;
                default:
                    return true;
            }
        }
        catch (HttpBodyException)
        {
            return false;
        }
    }

    private async ValueTask EnsureBufferedAsync(int length)
    {
        if (_end - _start >= length) return;
        await SendContinueAsync();
        if (_in.Length - _start < length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(length);
            Buffer.BlockCopy(_in, _start, bigger, 0, _end - _start);
            ArrayPool<byte>.Shared.Return(_in);
            _in = bigger;
            _end -= _start;
            _start = 0;
        }
        while (_end - _start < length)
        {
            int n = await _tcp.ReceiveAsync(_in.AsMemory(_end));
            if (n == 0) throw new HttpBodyException(400, "The client closed the connection before sending the whole body.");
            _end += n;
        }
    }

    /// <summary>Steps over an unread body of <paramref name="length"/> bytes, reading it into the buffer and dropping it.</summary>
    private async ValueTask SkipAsync(long length)
    {
        long left = length - (_end - _start);
        _start = _end = 0;
        while (left > 0)
        {
            int n = await _tcp.ReceiveAsync(_in.AsMemory(0, (int)Math.Min(_in.Length, left)));
            if (n == 0) throw new HttpBodyException(400, "The client closed the connection before sending the whole body.");
            left -= n;
        }
    }

    private async ValueTask DecodeChunkedAsync(bool keep)
    {
        await SendContinueAsync();
        while (true)
        {
            if (_end > _start)
            {
                var buffer = new ReadOnlySequence<byte>(_in, _start, _end - _start);
                var status = _chunked.Decode(buffer, out var data, out var consumed);
                _start += (int)buffer.Slice(buffer.Start, consumed).Length;
                switch (status)
                {
                    case ChunkedBodyStatus.Data:
                        if (keep) foreach (var segment in data) _chunkedBody.Write(segment.Span);
                        continue;
                    case ChunkedBodyStatus.Complete:
                        return;
                    case ChunkedBodyStatus.Error:
                        _closeAfter = true;
                        throw new HttpBodyException(_chunked.Error.StatusCode, _chunked.Error.Reason);
                }
            }
            if (_start == _end) _start = _end = 0;
            int n = await _tcp.ReceiveAsync(_in.AsMemory(_end));
            if (n == 0)
            {
                _closeAfter = true;
                throw new HttpBodyException(400, "The client closed the connection before sending the whole body.");
            }
            _end += n;
        }
    }

    private async ValueTask SendContinueAsync()
    {
        if (_continueSent || !_parser.Head.ExpectContinue) return;
        _continueSent = true;
        await _tcp.SendAsync(s_continue);
    }

    /// <summary>Sends the head (chunked) the first time, then the body written so far as one chunk.</summary>
    public async ValueTask FlushResponseAsync()
    {
        var response = _context.Response;
        if (!response.HasStarted)
        {
            WriteHead(response, keepAlive: true, contentLength: -1);
            response.HasStarted = true;
        }
        WriteChunk(response.Body.WrittenSpan);
        response.Body.ResetWrittenCount();
        await SendOutputAsync();
    }

    private void WriteResponse(bool keepAlive, bool isHead)
    {
        var response = _context.Response;
        if (response.HasStarted)
        {
            WriteChunk(response.Body.WrittenSpan);
            _out.Write("0\r\n\r\n"u8);
            if (!keepAlive) _closeAfter = true;
            return;
        }
        WriteHead(response, keepAlive, response.Body.WrittenCount);
        if (!isHead) _out.Write(response.Body.WrittenSpan);
    }

    private void WriteSimpleResponse(int statusCode, string reason, bool keepAlive)
    {
        var response = _context.Response;
        response.Reset();
        response.StatusCode = statusCode;
        response.ContentType = "text/plain";
        response.Write(reason);
        WriteHead(response, keepAlive, response.Body.WrittenCount);
        _out.Write(response.Body.WrittenSpan);
    }

    private void WriteHead(HttpResponse response, bool keepAlive, long contentLength)
    {
        _out.Write(StatusReasons.Line(response.StatusCode));
        _out.Write(DateHeader.Line);
        _out.Write(_server.ServerLine);
        if (response.ContentType is { } type) WriteHeader("Content-Type", type);
        foreach (var (name, value) in response.Headers) WriteHeader(name, value);
        if (contentLength >= 0)
        {
            _out.Write("Content-Length: "u8);
            var digits = _out.GetSpan(20);
            contentLength.TryFormat(digits, out int written);
            _out.Advance(written);
            _out.Write("\r\n"u8);
        }
        else _out.Write("Transfer-Encoding: chunked\r\n"u8);
        if (!keepAlive) _out.Write("Connection: close\r\n"u8);
        _out.Write("\r\n"u8);
    }

    private void WriteHeader(string name, string value)
    {
        WriteAscii(name);
        _out.Write(": "u8);
        _out.Advance(Encoding.UTF8.GetBytes(value, _out.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length))));
        _out.Write("\r\n"u8);
    }

    private void WriteAscii(string text) => _out.Advance(Encoding.ASCII.GetBytes(text, _out.GetSpan(text.Length)));

    private void WriteChunk(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        var size = _out.GetSpan(10);
        data.Length.TryFormat(size, out int written, "X");
        _out.Advance(written);
        _out.Write("\r\n"u8);
        _out.Write(data);
        _out.Write("\r\n"u8);
    }

    private async ValueTask SendOutputAsync()
    {
        await _tcp.SendAsync(_out.WrittenMemory);
        _out.ResetWrittenCount();
    }
}
