using System.Buffers;
using System.Text;
using static Tandem.Http.Tests.Support.Requests;

namespace Tandem.Http.Tests;

/// <summary>The chunked body decoder: sizes, extensions, CRLFs, trailers, limits, and any split of its input.</summary>
public class ChunkedBodyTests
{
    /// <summary>What decoding <paramref name="parts"/> (one read, one segment each) gave: the body, how it ended, and what was left.</summary>
    private static (ChunkedBodyStatus Status, string Body, HttpRequestError Error, string Left) Decode(byte[][] parts, HttpLimits? limits = null)
    {
        var decoder = new ChunkedBodyDecoder(limits);
        var buffer = Segments.Of(parts);
        var body = new List<byte>();
        for (int calls = 0; ; calls++)
        {
            Assert.True(calls <= buffer.Length + 2, "the decoder made no progress");
            var status = decoder.Decode(buffer, out var data, out var consumed);
            buffer = buffer.Slice(consumed);
            if (status == ChunkedBodyStatus.Data)
            {
                Assert.False(data.IsEmpty);
                body.AddRange(data.ToArray());
                continue;
            }
            Assert.True(data.IsEmpty);
            Assert.Equal(body.Count, decoder.BodyBytes);
            return (status, Encoding.Latin1.GetString([.. body]), decoder.Error, Encoding.Latin1.GetString(buffer.ToArray()));
        }
    }

    private static (ChunkedBodyStatus Status, string Body, HttpRequestError Error, string Left) Decode(string input, HttpLimits? limits = null) =>
        Decode([Bytes(input)], limits);

    private static void AssertBody(string input, string body, string rest = "")
    {
        var result = Decode(input);
        Assert.Equal(ChunkedBodyStatus.Complete, result.Status);
        Assert.Equal(body, result.Body);
        Assert.Equal(rest, result.Left);
    }

    private static void AssertError(int statusCode, string input, HttpLimits? limits = null)
    {
        var result = Decode(input, limits);
        Assert.True(result.Status == ChunkedBodyStatus.Error, $"expected an error, got {result.Status}");
        Assert.True(statusCode == result.Error.StatusCode, $"expected {statusCode}, got {result.Error}");
    }

    [Theory]
    [InlineData("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world")]
    [InlineData("0\r\n\r\n", "")]
    [InlineData("A\r\n0123456789\r\n0\r\n\r\n", "0123456789")]
    [InlineData("a\r\n0123456789\r\n0\r\n\r\n", "0123456789")]
    [InlineData("0005\r\nhello\r\n000\r\n\r\n", "hello")]
    [InlineData("5;name=value;flag\r\nhello\r\n0;last\r\n\r\n", "hello")]              // extensions are skipped
    [InlineData("5 ;a\r\nhello\r\n0\t; b = \"c;d\"\r\n\r\n", "hello")]                 // whitespace before ';' (BWS)
    [InlineData("5\r\nhello\r\n0\r\nX-Trailer: 1\r\nY:two\r\nEmpty:\r\n\r\n", "hello")] // trailers are checked and discarded
    [InlineData("3\r\n\r\n\r\r\n0\r\n\r\n", "\r\n\r")]                                     // data is data
    public void Chunked_bodies_decode(string input, string body) => AssertBody(input, body);

    [Fact]
    public void The_body_ends_after_the_last_crlf_and_the_next_request_follows()
    {
        AssertBody("1\r\nx\r\n0\r\n\r\nGET / HTTP/1.1\r\n", "x", "GET / HTTP/1.1\r\n");
        var decoder = new ChunkedBodyDecoder();
        var buffer = new ReadOnlySequence<byte>(Bytes("0\r\n\r\nnext"));
        Assert.Equal(ChunkedBodyStatus.Complete, decoder.Decode(buffer, out _, out var consumed));
        Assert.Equal(5, buffer.Slice(0, consumed).Length);
        // Complete again, taking nothing, until reset.
        Assert.Equal(ChunkedBodyStatus.Complete, decoder.Decode(buffer.Slice(consumed), out _, out var again));
        Assert.Equal(buffer.Slice(consumed).Start, again);
        decoder.Reset();
        Assert.Equal(ChunkedBodyStatus.Error, decoder.Decode(buffer.Slice(consumed), out _, out _)); // "next" is no chunk size
        Assert.Equal(ChunkedBodyStatus.Error, decoder.Decode(buffer, out _, out var stuck));           // and it stays failed
        Assert.Equal(buffer.Start, stuck);
        decoder.Reset();
        Assert.Equal(ChunkedBodyStatus.Complete, decoder.Decode(buffer, out _, out _));
    }

    [Fact]
    public void An_unfinished_body_needs_more_data_and_takes_every_byte()
    {
        foreach (var input in new[] { "", "5", "5;ext", "5\r", "5\r\nhel", "5\r\nhello", "5\r\nhello\r", "0\r\n", "0\r\nX: 1\r\n", "0\r\n\r" })
        {
            var result = Decode(input);
            Assert.True(result.Status == ChunkedBodyStatus.NeedMoreData, $"{input.ReplaceLineEndings("|")}: {result.Status}");
            Assert.Equal("", result.Left);
        }
    }

    [Theory]
    [InlineData("x\r\n")]                    // no hex digit
    [InlineData("\r\n")]                     // an empty size
    [InlineData("-1\r\n")]
    [InlineData("0x5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5x\r\nhello\r\n")]
    [InlineData("5 \r\nhello\r\n")]          // whitespace must lead to an extension
    [InlineData("5 x\r\nhello\r\n")]
    [InlineData(" 5\r\nhello\r\n")]
    [InlineData("5\nhello\r\n")]             // bare LF after the size
    [InlineData("5\rhello\r\n")]
    [InlineData("5;a\u0000\r\nhello\r\n")]   // NUL in an extension
    [InlineData("5;a\nb\r\nhello\r\n")]      // LF in an extension
    [InlineData("5\r\nhelloX\r\n")]          // data longer than its size
    [InlineData("5\r\nhello\n0\r\n\r\n")]    // bare LF after the data
    [InlineData("5\r\nhello\r0\r\n\r\n")]
    [InlineData("5\r\nhello\r\n0\r\n\n")]    // bare LF at the end
    [InlineData("5\r\nhello\r\n0\r\n\rX")]
    [InlineData("0\r\n X: 1\r\n\r\n")]        // folding in the trailers
    [InlineData("0\r\nX: 1\r\n\tmore\r\n\r\n")]
    [InlineData("0\r\nX : 1\r\n\r\n")]
    [InlineData("0\r\n: 1\r\n\r\n")]
    [InlineData("0\r\nX(: 1\r\n\r\n")]
    [InlineData("0\r\nX: a\u0000\r\n\r\n")]
    [InlineData("0\r\nX: a\nb\r\n\r\n")]
    [InlineData("0\r\nX: a\r\r\n\r\n")]
    [InlineData("0\r\nX\r\n\r\n")]
    [InlineData("FFFFFFFFFFFFFFFFF\r\n")]       // too large to represent: 400, not 413
    [InlineData("80000000000000000\r\n")]
    public void Malformed_chunked_bodies_are_400(string input) => AssertError(400, input);

    [Fact]
    public void Chunk_sizes_up_to_long_max_value_are_represented()
    {
        var unlimited = new HttpLimits { MaxRequestBodySize = long.MaxValue };
        Assert.Equal(ChunkedBodyStatus.NeedMoreData, Decode("7FFFFFFFFFFFFFFF\r\n", unlimited).Status);
        Assert.Equal(ChunkedBodyStatus.NeedMoreData, Decode("0000" + "7FFFFFFFFFFFFFFF\r\n", unlimited).Status);
        AssertError(400, "8000000000000000\r\n", unlimited);
        AssertError(413, "7FFFFFFFFFFFFFFF\r\n"); // with the default limit the size is only too large
    }

    [Fact]
    public void The_body_limit_is_checked_as_each_chunk_size_arrives()
    {
        var limits = new HttpLimits { MaxRequestBodySize = 10 };
        Assert.Equal("0123456789", Decode("A\r\n0123456789\r\n0\r\n\r\n", limits).Body);
        Assert.Equal("0123456789", Decode("4\r\n0123\r\n6\r\n456789\r\n0\r\n\r\n", limits).Body);
        AssertError(413, "B\r\n", limits);
        var result = Decode("4\r\n0123\r\n7\r\n4567890\r\n0\r\n\r\n", limits);
        Assert.Equal(ChunkedBodyStatus.Error, result.Status);
        Assert.Equal(413, result.Error.StatusCode);
        Assert.Equal("0123", result.Body); // the chunk that crosses the limit is refused before any of its data
        AssertError(413, "1C9C381\r\n"); // 30,000,001: over the default
    }

    [Fact]
    public void The_chunk_size_line_is_bounded()
    {
        string extension = new('e', ChunkedBodyDecoder.MaxChunkLineLength - "5;\r\n".Length);
        Assert.Equal("hello", Decode($"5;{extension}\r\nhello\r\n0\r\n\r\n").Body);
        AssertError(400, $"5;{extension}e\r\nhello\r\n0\r\n\r\n");
        Assert.Equal(RequestErrors.ChunkLineTooLong, Decode($"5;{extension}e\r\n").Error);
        AssertError(400, new string('0', ChunkedBodyDecoder.MaxChunkLineLength + 1));
    }

    [Fact]
    public void Trailers_keep_the_header_limits_and_answer_431()
    {
        var limits = new HttpLimits { MaxRequestHeaderCount = 2, MaxRequestHeadersTotalSize = 32 };
        Assert.Equal(ChunkedBodyStatus.Complete, Decode("0\r\nA: 1\r\nB: 2\r\n\r\n", limits).Status);
        AssertError(431, "0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits);
        Assert.Equal(RequestErrors.TooManyTrailers, Decode("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits).Error);
        string exact = "X: " + new string('v', 32 - "X: \r\n\r\n".Length);
        Assert.Equal(ChunkedBodyStatus.Complete, Decode($"0\r\n{exact}\r\n\r\n", limits).Status);
        AssertError(431, $"0\r\n{exact}v\r\n\r\n", limits);
        Assert.Equal(RequestErrors.TrailersTooLarge, Decode($"0\r\n{exact}v\r\n\r\n", limits).Error);
    }

    public static TheoryData<string> SplitBodies =>
    [
        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nGET",
        "1A;ext=\"q\"\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer-A: 1\r\nB: \t2\r\n\r\n",
        "3 ; x\r\nabc\r\n0\r\n\r\n",
        "5\r\nhello\r\n0\r\nX: 1\r\n\tfold\r\n\r\n", // an error, which must be the same however it is split
        "5\r\nhelloX\r\n",
        "FFFFFFFFFFFFFFFFF\r\n",
        "2;a\u0000\r\n",
    ];

    [Theory]
    [MemberData(nameof(SplitBodies))]
    public void Any_split_into_two_or_three_segments_decodes_the_same(string input)
    {
        var bytes = Bytes(input);
        var whole = Decode([bytes]);
        for (int i = 0; i <= bytes.Length; i++)
        {
            Assert.Equal(whole, Decode(Segments.Split(bytes, i)));
            for (int j = i; j <= bytes.Length; j++)
                Assert.Equal(whole, Decode(Segments.Split(bytes, i, j)));
        }
    }

    [Theory]
    [MemberData(nameof(SplitBodies))]
    public void Any_split_into_two_or_three_reads_decodes_the_same(string input)
    {
        var bytes = Bytes(input);
        string whole = Transcript.OfWhole(Request(bytes));
        for (int i = 0; i <= bytes.Length; i++)
        {
            Assert.Equal(whole, Transcript.OfReads(Segments.Split(Request(bytes), Offset(i))));
            for (int j = i; j <= bytes.Length; j += 3)
                Assert.Equal(whole, Transcript.OfReads(Segments.Split(Request(bytes), Offset(i), Offset(j))));
        }
    }

    private const string ChunkedHead = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";

    private static byte[] Request(byte[] body) => [.. Bytes(ChunkedHead), .. body];

    private static int Offset(int inBody) => ChunkedHead.Length + inBody;
}
