using System.Buffers;
using System.Text;

namespace Tandem.Http.Fuzz;

/// <summary>
/// Reads a connection's bytes as a server would — a head, then its body by Content-Length or chunked, request after
/// request — from reads that arrive one after another, and writes down what the parser and the decoder reported. Breaks
/// of the parsers' contracts are thrown.
/// </summary>
internal sealed class ConnectionReader
{
    private readonly HttpRequestParser _parser = new();
    private readonly ChunkedBodyDecoder _decoder = new();
    private readonly StringBuilder _log = new();
    private long _bodyRemaining;
    private long _bodyBytes;
    private bool _inLengthBody, _inChunkedBody, _stopped;

    /// <summary>The log of <paramref name="reads"/>, arriving in order; unconsumed bytes are kept for the next read.</summary>
    internal static string Read(byte[][] reads)
    {
        var reader = new ConnectionReader();
        byte[] pending = [];
        foreach (var read in reads)
        {
            var buffer = new ReadOnlySequence<byte>([.. pending, .. read]);
            // Every step takes bytes or ends a request, so the steps are bounded by the read's length (counted before the
            // loop: compared with what is left, many short pipelined requests looked like no progress near the end).
            long steps = 0, limit = 4 * (buffer.Length + 16);
            while (!reader._stopped && reader.Step(ref buffer))
            {
                if (++steps > limit) throw new InvalidOperationException("The reader made no progress.");
            }
            pending = buffer.ToArray();
        }
        reader._log.Append($"end: stopped={reader._stopped} unread={pending.Length}");
        return reader._log.ToString();
    }

    /// <summary>One step; false when more bytes are needed, or after an error.</summary>
    private bool Step(ref ReadOnlySequence<byte> buffer)
    {
        if (_inLengthBody)
        {
            long take = Math.Min(_bodyRemaining, buffer.Length);
            buffer = buffer.Slice(take);
            _bodyRemaining -= take;
            _bodyBytes += take;
            if (_bodyRemaining > 0) return false;
            EndBody();
            return true;
        }
        if (_inChunkedBody)
        {
            var status = _decoder.Decode(buffer, out var data, out var consumed);
            buffer = buffer.Slice(consumed);
            switch (status)
            {
                case ChunkedBodyStatus.Data:
                    if (data.IsEmpty) throw new InvalidOperationException("Data was reported with no data.");
                    _bodyBytes += data.Length;
                    return true;
                case ChunkedBodyStatus.Complete:
                    EndBody();
                    return true;
                case ChunkedBodyStatus.Error:
                    return Stop("body", _decoder.Error);
                default:
                    if (!buffer.IsEmpty) throw new InvalidOperationException("NeedMoreData left bytes untaken.");
                    return false;
            }
        }
        var headStatus = _parser.ParseHead(buffer, out var headEnd);
        buffer = buffer.Slice(headEnd);
        if (headStatus == HeadParseStatus.Error) return Stop("head", _parser.Error);
        if (headStatus == HeadParseStatus.NeedMoreData)
        {
            if (!buffer.IsEmpty) throw new InvalidOperationException("NeedMoreData left bytes untaken.");
            return false;
        }
        var head = _parser.Head;
        _log.Append($"head {head.GetMethodString()} {head.GetTargetString()} {head.Version} {head.TargetForm} {head.HeaderCount} headers");
        for (int i = 0; i < head.HeaderCount; i++) _log.Append($" {head.GetHeader(i).GetNameString()}={head.GetHeader(i).GetValueString()}");
        _log.Append($" {head.BodyFraming} {head.ContentLength} keepAlive={head.KeepAlive} expect={head.ExpectContinue}\n");
        _bodyBytes = 0;
        if (head.BodyFraming == RequestBodyFraming.ContentLength)
        {
            _bodyRemaining = head.ContentLength!.Value;
            _inLengthBody = true;
        }
        else if (head.BodyFraming == RequestBodyFraming.Chunked)
        {
            _decoder.Reset();
            _inChunkedBody = true;
        }
        return true;
    }

    private void EndBody()
    {
        _log.Append($"body {_bodyBytes} bytes\n");
        _inLengthBody = _inChunkedBody = false;
    }

    private bool Stop(string what, HttpRequestError error)
    {
        if (error.StatusCode is < 400 or > 599 || error.Reason.Length == 0)
            throw new InvalidOperationException($"The {what} was refused with {error}: not a 4xx or 5xx with a reason.");
        _log.Append($"{what} error {error}\n");
        _stopped = true;
        return false;
    }
}
