using System.Buffers;
using static Tandem.Http.Tests.Support.Requests;

namespace Tandem.Http.Tests;

/// <summary>
/// Pipelined requests parsed one after another from the same buffer, and every request parsed identically however its
/// bytes are split: into two or three segments of one read, and into two or three reads.
/// </summary>
public class PipeliningAndSplitTests
{
    public static TheoryData<int> ValidRequestIndices => [.. Enumerable.Range(0, Corpus.ValidRequests.Length)];

    public static TheoryData<string> InvalidRequests =>
    [
        "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n",
        "GET / HTTP/2.0\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nX: \u0000\r\n\r\n",
        "GET /a#b HTTP/1.1\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\n\r\n", // the second lacks Host
    ];

    [Fact]
    public void Pipelined_requests_are_parsed_one_after_another_from_one_buffer()
    {
        var parser = new HttpRequestParser();
        var buffer = new ReadOnlySequence<byte>(Bytes("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\nGET /d"));
        foreach (string path in new[] { "/a", "/b", "/c" })
        {
            Assert.Equal(HeadParseStatus.Complete, parser.ParseHead(buffer, out var consumed));
            Assert.Equal(path, parser.Head.GetPathString());
            Assert.Equal(28, buffer.Slice(0, consumed).Length);
            buffer = buffer.Slice(consumed);
        }
        Assert.Equal(HeadParseStatus.NeedMoreData, parser.ParseHead(buffer, out var rest));
        Assert.True(buffer.Slice(rest).IsEmpty);
        Assert.Equal(HeadParseStatus.Complete, parser.ParseHead(new ReadOnlySequence<byte>(Bytes(" HTTP/1.1\r\nHost: y\r\n\r\n")), out _));
        Assert.Equal("/d", parser.Head.GetPathString());
        Assert.Equal("y"u8, parser.Head.Host);
    }

    [Fact]
    public void The_whole_corpus_pipelined_gives_every_request_in_order()
    {
        string transcript = Transcript.OfWhole(Bytes(Corpus.Pipelined));
        int heads = transcript.Split('\n').Count(line => line.StartsWith("head "));
        Assert.Equal(Corpus.ValidRequests.Length, heads);
        Assert.EndsWith("end Head with 0 bytes unread", transcript);
        Assert.DoesNotContain("error", transcript);
    }

    [Fact]
    public void Each_corpus_request_alone_gives_its_head_and_body()
    {
        foreach (string request in Corpus.ValidRequests)
        {
            string transcript = Transcript.OfWhole(Bytes(request));
            Assert.StartsWith("head ", transcript);
            Assert.EndsWith("end Head with 0 bytes unread", transcript);
        }
    }

    [Theory]
    [MemberData(nameof(ValidRequestIndices))]
    public void A_valid_request_split_anywhere_parses_the_same(int index) => AssertSplitsAgree(Bytes(Corpus.ValidRequests[index]));

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public void An_invalid_request_split_anywhere_fails_the_same(string request)
    {
        Assert.Contains("error", Transcript.OfWhole(Bytes(request)));
        AssertSplitsAgree(Bytes(request));
    }

    [Fact]
    public void The_pipelined_corpus_split_anywhere_in_two_parses_the_same()
    {
        var bytes = Bytes(Corpus.Pipelined);
        string whole = Transcript.OfWhole(bytes);
        for (int i = 0; i <= bytes.Length; i++)
        {
            Assert.Equal(whole, Transcript.OfReads(Segments.Split(bytes, i)));
            Assert.Equal(whole, Transcript.OfSegments(Segments.Split(bytes, i)));
        }
    }

    [Fact]
    public void The_pipelined_corpus_fed_one_byte_at_a_time_parses_the_same()
    {
        var bytes = Bytes(Corpus.Pipelined);
        var single = bytes.Select(b => new[] { b }).ToArray();
        Assert.Equal(Transcript.OfWhole(bytes), Transcript.OfReads(single));
        Assert.Equal(Transcript.OfWhole(bytes), Transcript.OfSegments(single));
    }

    /// <summary>Every split into two parts, and into three, as segments of one read and as separate reads.</summary>
    private static void AssertSplitsAgree(byte[] bytes)
    {
        string whole = Transcript.OfWhole(bytes);
        for (int i = 0; i <= bytes.Length; i++)
        {
            var two = Segments.Split(bytes, i);
            Assert.Equal(whole, Transcript.OfSegments(two));
            Assert.Equal(whole, Transcript.OfReads(two));
            for (int j = i; j <= bytes.Length; j++)
            {
                var three = Segments.Split(bytes, i, j);
                Assert.Equal(whole, Transcript.OfSegments(three));
                Assert.Equal(whole, Transcript.OfReads(three));
            }
        }
    }
}
