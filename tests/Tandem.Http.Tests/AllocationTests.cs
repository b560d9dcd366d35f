using System.Buffers;
using static Tandem.Http.Tests.Support.Requests;

namespace Tandem.Http.Tests;

/// <summary>
/// Steady state allocates nothing: a parser reused for pipelined requests, with its head read through spans and known
/// names, and a chunked decoder reused for bodies. Measured on the current thread after warm-up, as the median of batches
/// (the project runs without tiered compilation, so no tier-up lands in a measured loop).
/// </summary>
public class AllocationTests
{
    private const string Plaintext = "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n";
    private const int Pipelined = 16;

    private static long MedianBytes(Action cycle, int warmup = 200, int cycles = 2000)
    {
        for (int i = 0; i < warmup; i++) cycle();
        const int Batches = 10;
        var bytes = new long[Batches];
        for (int b = 0; b < Batches; b++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < cycles / Batches; i++) cycle();
            bytes[b] = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Array.Sort(bytes);
        return bytes[Batches / 2];
    }

    [Fact]
    public void Parsing_pipelined_plaintext_requests_allocates_nothing()
    {
        var parser = new HttpRequestParser();
        var whole = new ReadOnlySequence<byte>(Bytes(string.Concat(Enumerable.Repeat(Plaintext, Pipelined))));
        int parsed = 0;
        void Cycle()
        {
            var buffer = whole;
            while (parser.ParseHead(buffer, out var consumed) == HeadParseStatus.Complete)
            {
                var head = parser.Head;
                if (head.Method == RequestMethod.Get && head.Path.SequenceEqual("/plaintext"u8) && head.KeepAlive
                    && head.TryGetHeader(KnownHeader.Host, out var host) && host.Length == 1)
                    parsed++;
                buffer = buffer.Slice(consumed);
            }
        }
        long bytes = MedianBytes(Cycle);
        Assert.Equal(0, bytes);
        Assert.Equal(2200 * Pipelined, parsed); // every request of every cycle was parsed and read
    }

    [Fact]
    public void Parsing_split_requests_allocates_nothing()
    {
        var parser = new HttpRequestParser();
        var request = Bytes(Plaintext + "GET /p?q=1 HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n");
        var halves = Segments.Of(request[..20], request[20..50], request[50..]);
        long bytes = MedianBytes(() =>
        {
            var buffer = halves;
            while (parser.ParseHead(buffer, out var consumed) == HeadParseStatus.Complete) buffer = buffer.Slice(consumed);
        });
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void Decoding_a_chunked_body_allocates_nothing()
    {
        var decoder = new ChunkedBodyDecoder();
        var body = new ReadOnlySequence<byte>(Bytes("5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nTrailer: t\r\n\r\n"));
        long total = 0, completed = 0;
        long bytes = MedianBytes(() =>
        {
            decoder.Reset();
            var buffer = body;
            ChunkedBodyStatus status;
            while ((status = decoder.Decode(buffer, out var data, out var consumed)) == ChunkedBodyStatus.Data)
            {
                total += data.Length;
                buffer = buffer.Slice(consumed);
            }
            if (status == ChunkedBodyStatus.Complete) completed++; // no Assert in the loop: xunit's comparer allocates
        });
        Assert.Equal(0, bytes);
        Assert.Equal(2200, completed);
        Assert.Equal(2200 * 11, total);
    }
}
