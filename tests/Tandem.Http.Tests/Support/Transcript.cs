using System.Buffers;
using System.Text;

namespace Tandem.Http.Tests.Support;

/// <summary>
/// Reads a connection's bytes as a server would — heads with the parser, bodies by Content-Length or with the chunked
/// decoder, request after request — and writes down everything they reported, so that two ways of delivering the same
/// bytes can be compared as two strings.
/// </summary>
internal sealed class Transcript
{
    private enum Mode { Head, LengthBody, ChunkedBody, Stopped }

    private readonly HttpRequestParser _parser;
    private readonly ChunkedBodyDecoder _decoder;
    private readonly StringBuilder _text = new();
    private readonly List<byte> _body = [];
    private byte[] _pending = [];
    private Mode _mode = Mode.Head;
    private long _bodyRemaining;

    private Transcript(HttpLimits? limits)
    {
        _parser = new HttpRequestParser(limits);
        _decoder = new ChunkedBodyDecoder(limits);
    }

    /// <summary>The transcript of <paramref name="bytes"/> arriving in one read.</summary>
    internal static string OfWhole(byte[] bytes, HttpLimits? limits = null) => OfReads([bytes], limits);

    /// <summary>The transcript of <paramref name="reads"/> arriving one after another; unconsumed bytes are kept for the next read, as a pipe keeps them.</summary>
    internal static string OfReads(IEnumerable<byte[]> reads, HttpLimits? limits = null)
    {
        var transcript = new Transcript(limits);
        foreach (var read in reads) transcript.Receive(Segments.Of(transcript._pending, read));
        return transcript.End();
    }

    /// <summary>The transcript of one read whose sequence has one segment per part.</summary>
    internal static string OfSegments(byte[][] parts, HttpLimits? limits = null)
    {
        var transcript = new Transcript(limits);
        transcript.Receive(Segments.Of(parts));
        return transcript.End();
    }

    /// <summary>What <see cref="HttpRequestHead"/> says, in one line: compared across splits.</summary>
    internal static string Describe(HttpRequestHead head)
    {
        var line = new StringBuilder();
        line.Append($"{head.GetMethodString()}({head.Method}) {head.GetTargetString()} {head.Version} {head.TargetForm}");
        line.Append($" path={head.GetPathString()} query={head.GetQueryString()} authority={Encoding.ASCII.GetString(head.Authority)}");
        line.Append(" headers=[");
        for (int i = 0; i < head.HeaderCount; i++)
        {
            var header = head.GetHeader(i);
            line.Append($"{Encoding.ASCII.GetString(header.Name)}({header.Known})={header.GetValueString()};");
        }
        line.Append($"] framing={head.BodyFraming} length={head.ContentLength} keepAlive={head.KeepAlive} expect100={head.ExpectContinue}");
        return line.ToString();
    }

    private void Receive(ReadOnlySequence<byte> buffer)
    {
        while (_mode != Mode.Stopped)
        {
            if (!Advance(ref buffer)) break;
        }
        _pending = buffer.ToArray();
    }

    /// <summary>One step of the server's loop; false when it needs more bytes (or stopped).</summary>
    private bool Advance(ref ReadOnlySequence<byte> buffer)
    {
        switch (_mode)
        {
            case Mode.Head:
            {
                var status = _parser.ParseHead(buffer, out var consumed);
                if (status == HeadParseStatus.Error)
                {
                    buffer = buffer.Slice(consumed); // at the offending byte, whatever the split
                    return Stop($"error {_parser.Error}");
                }
                if (status == HeadParseStatus.NeedMoreData)
                {
                    Assert.True(buffer.Slice(consumed).IsEmpty); // every byte was taken
                    buffer = buffer.Slice(consumed);
                    return false;
                }
                buffer = buffer.Slice(consumed);
                var head = _parser.Head;
                _text.AppendLine($"head {Describe(head)}");
                _body.Clear();
                if (head.BodyFraming == RequestBodyFraming.ContentLength)
                {
                    _bodyRemaining = head.ContentLength!.Value;
                    _mode = Mode.LengthBody;
                }
                else if (head.BodyFraming == RequestBodyFraming.Chunked)
                {
                    _decoder.Reset();
                    _mode = Mode.ChunkedBody;
                }
                return true;
            }
            case Mode.LengthBody:
            {
                long take = Math.Min(_bodyRemaining, buffer.Length);
                _body.AddRange(buffer.Slice(0, take).ToArray());
                buffer = buffer.Slice(take);
                _bodyRemaining -= take;
                if (_bodyRemaining > 0) return false;
                EndBody();
                return true;
            }
            case Mode.ChunkedBody:
            {
                var status = _decoder.Decode(buffer, out var data, out var consumed);
                buffer = buffer.Slice(consumed);
                switch (status)
                {
                    case ChunkedBodyStatus.Data:
                        Assert.False(data.IsEmpty);
                        _body.AddRange(data.ToArray());
                        return true;
                    case ChunkedBodyStatus.Complete:
                        EndBody();
                        return true;
                    case ChunkedBodyStatus.Error:
                        return Stop($"body error {_decoder.Error}");
                    default:
                        Assert.True(buffer.IsEmpty); // every byte was taken
                        return false;
                }
            }
            default:
                return false;
        }
    }

    private void EndBody()
    {
        _text.AppendLine($"body {Encoding.Latin1.GetString([.. _body])}");
        _mode = Mode.Head;
    }

    private bool Stop(string line)
    {
        _text.AppendLine(line);
        _mode = Mode.Stopped;
        return false;
    }

    private string End()
    {
        _text.Append($"end {_mode} with {_pending.Length} bytes unread");
        return _text.ToString();
    }
}
